// Package redisurl reads a Redis URL (redis://, rediss:// for TLS, or
// unix:// for a socket) by go-redis's rules, and owns what the runner adds
// to them: the database used when the URL names none (DefaultDB), the
// URLs it refuses, and the URL shown in messages without its password.
//
// It links no Redis client: the runner, which must not link go-redis,
// reads URLs here, and so do the chapter program's connections (package
// redisconn), so that both read every URL alike.
package redisurl

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// DefaultDB is the logical database used on a real server when the URL
// names none (and the server has it): high enough to be unlikely to hold
// anybody's data.
const DefaultDB = 15

// A URL is a parsed Redis URL: where the server is, who logs in, and which
// database the run uses.
type URL struct {
	Network  string // "tcp" or "unix"
	Addr     string // host:port, or the socket's path
	Host     string // the host name a TLS certificate must name
	TLS      bool   // rediss://
	Username string
	Password string
	DB       int  // the URL's database, or DefaultDB
	NamedDB  bool // the URL names a database (in its path, or ?db=)
}

// Parse reads raw as go-redis's ParseURL does, with DefaultDB when it
// names no database. Go-redis's client options in the query (dial_timeout,
// protocol...) are left to the client: Parse reads only ?db= there. Its
// errors never contain the password.
func Parse(raw string) (*URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad Redis URL: %s", problem(err))
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("bad Redis URL %q: %s", Redact(raw), fmt.Sprintf(format, args...))
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix" {
		return nil, bad("it must start with redis:// (or rediss:// for TLS)")
	}
	if u.Query().Has("skip_verify") {
		return nil, bad("the runner does not skip TLS verification; " +
			"trust the server's certificate authority instead (SSL_CERT_FILE=/path/to/ca.pem)")
	}
	p := &URL{Network: "tcp", DB: DefaultDB}
	if u.User != nil {
		p.Username = u.User.Username()
		p.Password, _ = u.User.Password()
	}
	if u.Scheme == "unix" {
		if strings.TrimSpace(u.Path) == "" {
			return nil, bad("empty unix socket path")
		}
		p.Network, p.Addr = "unix", u.Path
	} else {
		p.Host = u.Hostname()
		if p.Host == "" {
			p.Host = "localhost"
		}
		port := u.Port()
		if port == "" {
			port = "6379"
		}
		p.Addr = net.JoinHostPort(p.Host, port)
		p.TLS = u.Scheme == "rediss"
		switch f := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' }); len(f) {
		case 0:
		case 1:
			if p.DB, err = strconv.Atoi(f[0]); err != nil {
				return nil, bad("invalid database number: %q", f[0])
			}
			p.NamedDB = true
		default:
			return nil, bad("invalid URL path: %s", u.Path)
		}
	}
	// As in go-redis, ?db= overrides the path.
	if q := u.Query()["db"]; len(q) > 0 && q[len(q)-1] != "" {
		if p.DB, err = strconv.Atoi(q[len(q)-1]); err != nil {
			return nil, bad("invalid database number: %v", err)
		}
		p.NamedDB = true
	}
	return p, nil
}

// TLSConfig is the TLS configuration of a rediss:// URL, nil for another:
// the certificate is always verified, against the host's name.
func (u *URL) TLSConfig() *tls.Config {
	if !u.TLS {
		return nil
	}
	return &tls.Config{ServerName: u.Host, MinVersion: tls.VersionTLS12}
}

// problem is what is wrong with a URL that does not parse, without the
// URL itself (url.Error quotes it whole, password included).
func problem(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var esc url.EscapeError
	if errors.As(err, &esc) {
		return "a % must be followed by two hex digits (write a % in a password as %25)"
	}
	if strings.Contains(err.Error(), "invalid port") {
		return "the port is not a number (a password with : / @ ? or # must be percent-encoded: %3A %2F %40 %3F %23)"
	}
	return err.Error()
}

// Redact is the URL with its password replaced by xxxxx, for messages.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return u.Redacted()
}

// WithDB is raw naming database db, in its path (a socket's URL: in ?db=),
// and without any other ?db=.
func WithDB(raw string, db int) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bad Redis URL: %s", problem(err))
	}
	q := u.Query()
	q.Del("db")
	if u.Scheme == "unix" {
		q.Set("db", strconv.Itoa(db))
	} else {
		u.Path = "/" + strconv.Itoa(db)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
