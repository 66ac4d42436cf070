package kernel

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/embedded"
)

// DefaultDB is the logical database used on a real server when the URL
// names none: high enough to be unlikely to hold anybody's data.
const DefaultDB = 15

// Config says which Redis to use.
type Config struct {
	URL        string // a real server; empty: an embedded miniredis
	AllowDirty bool   // run on a database that already holds keys, without touching them
	Keep       bool   // leave the keys the run created
}

// A Backend is a connected Redis and what closing it must undo.
type Backend struct {
	Name   string // "miniredis" or "redis"
	Addr   string // where redis-cli can reach it
	Client *redis.Client
	close  func() string
}

// Close disconnects; on a real server it first deletes the keys the run
// created, and returns a note saying so.
func (b *Backend) Close() string { return b.close() }

// Open connects to the Redis cfg names. On a real server it refuses a
// database that holds keys (unless AllowDirty), never sends commands that
// reach outside its database, and refuses to touch keys that were there
// before; grading and chapter runs share these rules.
func Open(cfg Config) (*Backend, error) {
	if cfg.URL == "" {
		return startMiniredis()
	}
	return connectServer(cfg)
}

// startMiniredis runs miniredis in this process, keeping Redis's time and
// paging (package embedded). The client reaches it
// through memory, which is several times faster than loopback TCP for the
// chapter's one-command-at-a-time loops; the loopback listener is there
// only so a learner can look in with redis-cli.
func startMiniredis() (*Backend, error) {
	mr, err := embedded.Start()
	if err != nil {
		return nil, err
	}
	client := redis.NewClient(&redis.Options{
		Dialer: func(context.Context, string, string) (net.Conn, error) {
			c, err := mr.Dial()
			if err != nil {
				return nil, err
			}
			return newBufferedConn(c), nil
		},
		DisableIdentity: true,
	})
	return &Backend{
		Name:   "miniredis",
		Addr:   mr.Addr(),
		Client: client,
		close: func() string {
			client.Close()
			mr.Close()
			return ""
		},
	}, nil
}

// connectServer connects to a real server and makes sure the run can only
// touch its own keys in its one database.
func connectServer(cfg Config) (*Backend, error) {
	opt, err := serverOptions(cfg.URL)
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("%s database %d", opt.Addr, opt.DB)
	// A plain dial first: it fails at once on a refused connection,
	// where the client would retry until its deadline.
	conn, err := net.DialTimeout("tcp", opt.Addr, opt.DialTimeout)
	if err != nil {
		return nil, fmt.Errorf("cannot reach Redis at %s: %v", opt.Addr, err)
	}
	conn.Close()
	client := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("cannot reach Redis at %s: %v", opt.Addr, err)
	}
	existing, err := keyNames(ctx, client)
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("listing keys in %s: %v", where, err)
	}
	if len(existing) > 0 && !cfg.AllowDirty {
		client.Close()
		return nil, fmt.Errorf("%s already holds %d keys; the runner will not work among somebody's data. "+
			"Name an empty database in the URL (redis://%s/N), or pass --allow-dirty to run beside those keys without touching them",
			where, len(existing), opt.Addr)
	}
	g := newGuard(opt.DB, existing)
	client.AddHook(g)
	return &Backend{
		Name:   "redis",
		Addr:   where,
		Client: client,
		close: func() string {
			defer client.Close()
			if cfg.Keep {
				return ""
			}
			return g.cleanup(opt)
		},
	}, nil
}

// serverOptions parses a redis:// URL, putting in DefaultDB when the URL
// names no database.
func serverOptions(raw string) (*redis.Options, error) {
	opt, err := redis.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("bad Redis URL %q: %v", raw, err)
	}
	if u, err := url.Parse(raw); err == nil && strings.Trim(u.Path, "/") == "" && u.Query().Get("db") == "" {
		opt.DB = DefaultDB
	}
	opt.DialTimeout = 2 * time.Second
	opt.DisableIdentity = true
	return opt, nil
}

// keyNames lists every key in the client's database with SCAN, which, unlike
// KEYS, never blocks the server for long.
func keyNames(ctx context.Context, c *redis.Client) (map[string]bool, error) {
	names := map[string]bool{}
	iter := c.Scan(ctx, 0, "", 1000).Iterator()
	for iter.Next(ctx) {
		names[iter.Val()] = true
	}
	return names, iter.Err()
}
