package kernel

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/embedded"
	"github.com/redis-notebook/tutorial/runner/redisconn"
	"github.com/redis-notebook/tutorial/runner/redisproxy"
)

// Config says which Redis to use.
type Config struct {
	URL        string // a real server; empty: an embedded miniredis
	AllowDirty bool   // run on a database that already holds keys, without touching them
	Keep       bool   // leave the keys the run created
	// Guarded says the runner guards this run (redisproxy): every
	// connection checks its commands and records the keys it creates in
	// the runner's Record file, and the runner cleans up after the program,
	// however it ends. Existing names the keys there before the run;
	// Scripts lets scripts run unchecked.
	Guarded          bool
	Record, Existing string
	Scripts          bool
}

// A Backend is a connected Redis and what closing it must undo.
type Backend struct {
	Name   string // "miniredis" or "redis"
	Addr   string // where redis-cli can reach it
	Client *redis.Client
	// Embedded is the embedded server, whose clock a check may move; nil
	// on a real server.
	Embedded *embedded.Server
	close    func() string
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
	if cfg.Guarded {
		return connectGuarded(cfg)
	}
	return connectServer(cfg)
}

// startMiniredis runs miniredis in this process, keeping Redis's time and
// paging (package embedded). The client reaches it through memory, where
// a round trip is a function call (embedded.Server.Dial): many times
// faster than loopback TCP for the chapter's one-command-at-a-time loops.
// The loopback listener is there only so a learner can look in with
// redis-cli.
func startMiniredis() (*Backend, error) {
	mr, err := embedded.Start()
	if err != nil {
		return nil, err
	}
	client := redis.NewClient(embeddedOptions(mr))
	return &Backend{
		Name:     "miniredis",
		Addr:     mr.Addr(),
		Client:   client,
		Embedded: mr,
		close: func() string {
			client.Close()
			mr.Close()
			return ""
		},
	}, nil
}

// embeddedOptions are the chapter client's options on the embedded server.
func embeddedOptions(srv *embedded.Server) *redis.Options {
	return &redis.Options{
		Dialer:          func(context.Context, string, string) (net.Conn, error) { return srv.Dial() },
		DisableIdentity: true,
		MaxRetries:      noRetries,
		// No deadline on each read and write: in memory a reply is there
		// as soon as the command is written, and each deadline costs
		// reading the clock. Blocking commands (BLPOP) still get
		// go-redis's deadline from their own timeout.
		ReadTimeout:  -2,
		WriteTimeout: -2,
	}
}

// noRetries turns off go-redis's retries (3 by default), with which a
// command that met a broken connection is sent again: an INCR, or a whole
// pipeline of them, would then count twice. Sending again is the
// learner's decision, and a lesson of its own.
const noRetries = -1

// connectServer connects to a real server and makes sure the run can only
// touch its own keys in its one database.
func connectServer(cfg Config) (*Backend, error) {
	srv, err := redisconn.Connect(context.Background(), redisconn.Config{URL: cfg.URL, AllowDirty: cfg.AllowDirty})
	if err != nil {
		return nil, err
	}
	opt, where := srv.Options, srv.Where
	opt.MaxRetries = noRetries
	lister := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	existing, err := keyNames(ctx, lister)
	lister.Close()
	if err != nil {
		return nil, fmt.Errorf("listing keys in %s: %v", where,
			redisconn.Explain(err, opt, "SCAN", "the runner needs it to leave the keys already there alone"))
	}
	if len(existing) > 0 && !cfg.AllowDirty {
		return nil, fmt.Errorf("%s already holds %d keys; the runner will not work among somebody's data. "+
			"Name an empty database in the URL (redis://%s/N), or pass --allow-dirty to run beside those keys without touching them",
			where, len(existing), opt.Addr)
	}
	rec := redisproxy.NewRecord(existing)
	plain := *opt
	guardConnections(opt, redisproxy.Policy{DB: opt.DB}, rec)
	client := redis.NewClient(opt)
	client.AddHook(redisconn.PermissionHook(opt))
	if srv.Chosen != "" {
		where += "; " + srv.Chosen
	}
	return &Backend{
		Name:   "redis",
		Addr:   where,
		Client: client,
		close: func() string {
			defer client.Close()
			if cfg.Keep {
				return ""
			}
			return cleanup(&plain, rec)
		},
	}, nil
}

// connectGuarded connects to the real server with every connection
// guarded in this process (redisproxy.NewConn): no second process on the
// round trip. What the guard learns goes to the runner's record file as it
// happens, and the runner, which outlives this program however it ends,
// deletes the keys the record shows the run created.
func connectGuarded(cfg Config) (*Backend, error) {
	opt, _, err := redisconn.Parse(cfg.URL)
	if err != nil {
		return nil, err
	}
	opt.DisableIdentity = true
	opt.MaxRetries = noRetries
	existing, err := redisproxy.ReadExisting(cfg.Existing)
	if err != nil {
		return nil, fmt.Errorf("reading the keys that were there before the run: %v", err)
	}
	rec, err := redisproxy.OpenRecord(cfg.Record, existing)
	if err != nil {
		return nil, fmt.Errorf("opening the record of the run's keys: %v", err)
	}
	policy := redisproxy.Policy{DB: opt.DB, AllowScripts: cfg.Scripts}
	guardConnections(opt, policy, rec)
	client := redis.NewClient(opt)
	client.AddHook(redisconn.PermissionHook(opt))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		rec.Close()
		return nil, fmt.Errorf("cannot reach Redis: %v", err)
	}
	return &Backend{Name: "redis", Addr: fmt.Sprintf("database %d", opt.DB), Client: client,
		close: func() string {
			// Stopped (the time limit, Ctrl-C): let the commands in flight
			// be answered, so that the record knows whose their keys are.
			rec.Stop(2 * time.Second)
			client.Close()
			rec.Close()
			return ""
		}}, nil
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
