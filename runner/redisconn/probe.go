package redisconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/redisurl"
)

// A probe is one connection in database 0, used to log in and look at the
// server's databases before the run's own client connects. Logging in on
// database 0, which every server has, keeps a refused login apart from a
// missing database: go-redis would send AUTH and SELECT together.
type probe struct {
	opt    *redis.Options // the run's options
	client *redis.Client
	conn   *redis.Conn
}

func newProbe(ctx context.Context, opt *redis.Options) (*probe, error) {
	o := *opt
	o.DB = 0
	o.PoolSize = 1
	o.MaxRetries = -1 // a refused login does not get better by retrying
	client := redis.NewClient(&o)
	p := &probe{opt: opt, client: client, conn: client.Conn()}
	if err := p.conn.Ping(ctx).Err(); err != nil {
		p.close()
		return nil, loginError(err, opt)
	}
	return p, nil
}

func (p *probe) close() {
	p.conn.Close()
	p.client.Close()
}

// checkNamed makes sure the database the URL named exists.
func (p *probe) checkNamed(ctx context.Context, db int, raw string) error {
	if db == 0 {
		return nil // every server has database 0
	}
	err := p.conn.Select(ctx, db).Err()
	switch {
	case err == nil:
		return nil
	case isPermission(err):
		return fmt.Errorf("Redis user %q may not run SELECT, so the runner can use only database 0 at %s: name it in the URL, %s",
			user(p.opt), p.opt.Addr, withDB(raw, 0))
	case !isServerError(err):
		return fmt.Errorf("Redis at %s: selecting database %d: %v", p.opt.Addr, db, err)
	}
	n := p.count(ctx)
	return fmt.Errorf("Redis at %s has no database %d (%v): it has %s; name one in the URL, for example %s",
		p.opt.Addr, db, err, databases(n), withDB(raw, 0))
}

// choose picks the database for a URL that names none: redisurl.DefaultDB when the
// server has it (the caller refuses it if it holds keys), else the highest
// one that exists and is empty. It returns why it chose, when it had to.
func (p *probe) choose(ctx context.Context, cfg Config) (db int, why string, err error) {
	err = p.conn.Select(ctx, redisurl.DefaultDB).Err()
	switch {
	case err == nil:
		return redisurl.DefaultDB, "", nil
	case isPermission(err):
		return 0, fmt.Sprintf("the URL names no database, and user %q may not run SELECT: using database 0", user(p.opt)), nil
	case !isServerError(err):
		return 0, "", fmt.Errorf("Redis at %s: selecting database %d: %v", p.opt.Addr, redisurl.DefaultDB, err)
	}
	n := p.count(ctx)
	for db := n - 1; db >= 0; db-- {
		if err := p.conn.Select(ctx, db).Err(); err != nil {
			return 0, "", fmt.Errorf("Redis at %s: selecting database %d: %v", p.opt.Addr, db, err)
		}
		size, err := p.conn.DBSize(ctx).Result()
		if err != nil {
			return 0, "", fmt.Errorf("Redis at %s: counting the keys in database %d: %w", p.opt.Addr, db, Explain(err, p.opt, "DBSIZE", "the runner needs to find an empty database"))
		}
		if size == 0 && n == 1 {
			return db, "the URL names no database, and this server has only database 0, which is empty: using it", nil
		}
		if size == 0 {
			return db, fmt.Sprintf("the URL names no database, and this server has %s: using database %d, the highest that is empty", databases(n), db), nil
		}
	}
	if cfg.AllowDirty {
		return n - 1, fmt.Sprintf("the URL names no database, and every one of this server's %s holds keys: using database %d beside them (--allow-dirty)", databases(n), n-1), nil
	}
	return 0, "", fmt.Errorf("Redis at %s: the URL names no database, and every one of the server's %s holds keys; "+
		"the runner will not work among somebody's data: name a database in the URL (redis://host:port/N), "+
		"or pass --allow-dirty to run beside those keys without touching them", p.opt.Addr, databases(n))
}

// count finds how many databases the server has by selecting them: CONFIG
// GET databases is an admin command that a hosted user may not run. It
// assumes SELECT 0 works and redisurl.DefaultDB does not.
func (p *probe) count(ctx context.Context) int {
	// The first database, from 1 up to DefaultDB, that SELECT refuses.
	return 1 + sort.Search(redisurl.DefaultDB-1, func(i int) bool {
		return p.conn.Select(ctx, i+1).Err() != nil
	})
}

// databases says how many databases a server has, in words.
func databases(n int) string {
	if n == 1 {
		return "only 1 (database 0)"
	}
	return fmt.Sprintf("%d (0 to %d)", n, n-1)
}

// withDB is the URL naming database db, password hidden, for suggestions.
func withDB(raw string, db int) string {
	u, err := redisurl.WithDB(raw, db)
	if err != nil {
		return "redis://host:port/" + strconv.Itoa(db)
	}
	return redisurl.Redact(u)
}

// loginError says why a server that accepted the TCP connection did not
// let the runner in.
func loginError(err error, opt *redis.Options) error {
	at := "Redis at " + opt.Addr
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		notTLS    tls.RecordHeaderError
	)
	msg := err.Error()
	switch {
	case errors.As(err, &unknownCA):
		return fmt.Errorf("%s: its TLS certificate is signed by an authority this machine does not trust (%v); "+
			"if your provider gives you a CA certificate, trust it with SSL_CERT_FILE=/path/to/ca.pem "+
			"(the runner never connects without checking the certificate)", at, unknownCA)
	case errors.As(err, &hostname):
		return fmt.Errorf("%s: its TLS certificate is not for this host name (%v); use the host name your provider gives", at, hostname)
	case errors.As(err, &invalid):
		return fmt.Errorf("%s: its TLS certificate is not valid (%v)", at, invalid)
	case errors.As(err, &notTLS):
		return fmt.Errorf("%s does not speak TLS: use redis:// instead of rediss://", at)
	case strings.HasPrefix(msg, "NOAUTH"):
		return fmt.Errorf("%s wants a password: put it in the URL, redis://:PASSWORD@host:port/db "+
			"(or redis://USER:PASSWORD@host:port/db for an ACL user), with --redis-url-file or $REDIS_URL", at)
	case strings.HasPrefix(msg, "WRONGPASS"):
		return fmt.Errorf("%s refused the login of user %q: wrong user name or password, or the user is disabled", at, user(opt))
	case strings.Contains(msg, "without any password configured"):
		return fmt.Errorf("%s has no password, but the URL gives one: remove it from the URL", at)
	case isPermission(err):
		return fmt.Errorf("%s: %w", at, Explain(err, opt, "PING", "the runner needs to check the connection"))
	case isServerError(err):
		return fmt.Errorf("%s refused the connection: %v", at, err)
	case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET):
		if opt.TLSConfig == nil {
			return fmt.Errorf("%s closed the connection without answering: if it expects TLS, use rediss:// instead of redis://", at)
		}
		return fmt.Errorf("%s closed the connection during the TLS handshake (%v)", at, err)
	case isTimeout(err):
		hint := ""
		if opt.TLSConfig == nil {
			hint = " (if it expects TLS, use rediss:// instead of redis://)"
		}
		return fmt.Errorf("%s accepted the connection but did not answer within %s%s", at, loginTimeout, hint)
	}
	return fmt.Errorf("cannot reach Redis at %s: %v", opt.Addr, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// isServerError tells an answer from the server (-ERR, -NOAUTH…) from a
// failure to talk to it.
func isServerError(err error) bool {
	var re redis.Error
	return errors.As(err, &re)
}
