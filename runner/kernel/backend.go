package kernel

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// DefaultDB is the logical database used on a real server when the URL
// names none: high enough to be unlikely to hold anybody's data.
const DefaultDB = 15

type backendConfig struct {
	url        string // empty: embedded miniredis
	allowDirty bool   // run on a database that already holds keys
	keep       bool   // leave the keys the run created
}

// backend is a connected Redis and what closing it must undo.
type backend struct {
	name   string // "miniredis" or "redis"
	addr   string // where redis-cli can reach it
	client *redis.Client
	close  func() string // returns a note on what it cleaned, if anything
}

func connect(cfg backendConfig) (*backend, error) {
	if cfg.url == "" {
		return startMiniredis()
	}
	return connectServer(cfg)
}

// startMiniredis runs miniredis in this process. The client reaches it
// through memory, which is several times faster than loopback TCP for the
// chapter's one-command-at-a-time loops; the loopback listener is there
// only so a learner can look in with redis-cli.
func startMiniredis() (*backend, error) {
	mr := miniredis.NewMiniRedis()
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("starting the embedded miniredis: %w", err)
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
	return &backend{
		name:   "miniredis",
		addr:   mr.Addr(),
		client: client,
		close: func() string {
			client.Close()
			mr.Close()
			return ""
		},
	}, nil
}

// connectServer connects to a real server and makes sure the run can only
// touch its own keys in its one database.
func connectServer(cfg backendConfig) (*backend, error) {
	opt, err := serverOptions(cfg.url)
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("%s database %d", opt.Addr, opt.DB)
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
	if len(existing) > 0 && !cfg.allowDirty {
		client.Close()
		return nil, fmt.Errorf("%s already holds %d keys; the runner will not work among somebody's data. "+
			"Name an empty database in the URL (redis://%s/N), or pass --allow-dirty to run beside those keys without touching them",
			where, len(existing), opt.Addr)
	}
	g := newGuard(existing)
	client.AddHook(g)
	return &backend{
		name:   "redis",
		addr:   where,
		client: client,
		close: func() string {
			defer client.Close()
			if cfg.keep {
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
