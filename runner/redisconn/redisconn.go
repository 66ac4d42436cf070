// Package redisconn connects the runner to a real Redis server, local or
// hosted: it reads the URL (package redisurl), dials (TLS for rediss://, always verified
// against the system's trusted roots, which SSL_CERT_FILE can extend),
// logs in, and chooses and checks the one database the run will use. When
// the server refuses, it says in one line what happened and what to do,
// and never repeats the password.
package redisconn

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/redis-notebook/tutorial/runner/redisurl"
)

// Config says which server to connect to.
type Config struct {
	URL string
	// AllowDirty lets the runner choose, when the URL names no database and
	// every one holds keys, the highest one anyway (it then runs beside
	// those keys without touching them).
	AllowDirty bool
}

// A Server is a reachable server that accepted the login, and the database
// chosen on it.
type Server struct {
	Options *redis.Options // for redis.NewClient: address, TLS, user, password, database
	Where   string         // for messages: "127.0.0.1:6379 database 15", with TLS and user
	// Chosen says why the runner picked this database when the URL named
	// none and the server lacks DefaultDB; empty otherwise.
	Chosen string
}

// How long connecting may take before the runner gives up on a server that
// accepted the connection but does not answer.
const (
	dialTimeout  = 2 * time.Second
	loginTimeout = 5 * time.Second
)

// Connect reaches the server cfg.URL names, logs in, and chooses the
// database: the URL's, or redisurl.DefaultDB, or on a server with fewer databases
// the highest one that exists and is empty. It does not check that the
// chosen database is empty when the URL named it: the caller lists its
// keys anyway.
func Connect(ctx context.Context, cfg Config) (*Server, error) {
	opt, named, err := Parse(cfg.URL)
	if err != nil {
		return nil, err
	}
	// A plain dial first: it fails at once on a refused connection, where
	// the client would retry until its deadline.
	conn, err := net.DialTimeout(opt.Network, opt.Addr, opt.DialTimeout)
	if err != nil {
		return nil, fmt.Errorf("cannot reach Redis at %s: %v", opt.Addr, err)
	}
	if opt.TLSConfig != nil {
		// The handshake on its own, so that its failures are told apart
		// from a refused login, and a server that does not speak TLS does
		// not keep the runner waiting.
		err = handshake(ctx, conn, opt)
	}
	conn.Close()
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithTimeout(ctx, loginTimeout)
	defer cancel()
	p, err := newProbe(ctx, opt)
	if err != nil {
		return nil, err
	}
	defer p.close()

	srv := &Server{Options: opt}
	if named {
		if err := p.checkNamed(ctx, opt.DB, cfg.URL); err != nil {
			return nil, err
		}
	} else if opt.DB, srv.Chosen, err = p.choose(ctx, cfg); err != nil {
		return nil, err
	}
	srv.Where = describe(opt)
	return srv, nil
}

// Parse turns a redis://, rediss:// or unix:// URL into client options,
// and says whether it named a database. The address, the login, TLS and
// the database (DefaultDB when the URL names none) are the URL as package
// redisurl reads it; go-redis reads only its own client options from the
// query (dial_timeout, protocol...), and refuses those it does not know.
// Its errors never contain the password.
func Parse(raw string) (opt *redis.Options, namedDB bool, err error) {
	u, err := redisurl.Parse(raw)
	if err != nil {
		return nil, false, err
	}
	opt, err = redis.ParseURL(raw)
	if err != nil {
		// go-redis's messages name a query parameter, never the user
		// information.
		return nil, false, fmt.Errorf("bad Redis URL %q: %s", redisurl.Redact(raw), strings.TrimPrefix(err.Error(), "redis: "))
	}
	opt.Network, opt.Addr = u.Network, u.Addr
	opt.Username, opt.Password = u.Username, u.Password
	opt.TLSConfig = u.TLSConfig()
	opt.DB = u.DB
	if opt.DialTimeout == 0 {
		opt.DialTimeout = dialTimeout
	}
	// The client sends only what the run asks for: no CLIENT SETINFO, no
	// maintenance notifications, which a limited ACL user may not run.
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return opt, u.NamedDB, nil
}

// describe says where the run is, for messages and the walk's header.
func describe(opt *redis.Options) string {
	s := fmt.Sprintf("%s database %d", opt.Addr, opt.DB)
	var extra []string
	if opt.TLSConfig != nil {
		extra = append(extra, "TLS")
	}
	if opt.Username != "" && opt.Username != "default" {
		extra = append(extra, "user "+opt.Username)
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

// user is the ACL user the options log in as, for messages.
func user(opt *redis.Options) string {
	if opt.Username == "" {
		return "default"
	}
	return opt.Username
}

func handshake(ctx context.Context, conn net.Conn, opt *redis.Options) error {
	ctx, cancel := context.WithTimeout(ctx, opt.DialTimeout)
	defer cancel()
	err := tls.Client(conn, opt.TLSConfig.Clone()).HandshakeContext(ctx)
	if err != nil && isTimeout(err) {
		return fmt.Errorf("Redis at %s did not answer the TLS handshake within %s: if it does not use TLS, use redis:// instead of rediss://", opt.Addr, opt.DialTimeout)
	}
	if err != nil {
		return loginError(err, opt)
	}
	return nil
}
