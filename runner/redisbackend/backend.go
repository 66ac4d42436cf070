// Package redisbackend opens the Redis a chapter's program or the grader's
// checker runs against: the embedded miniredis, or a real server, where it
// refuses a database that holds somebody's keys, puts the guard on every
// connection (package guard), and on closing deletes exactly the keys the
// run created.
package redisbackend

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/embedded"
	"github.com/redis-notebook/tutorial/runner/guard"
	"github.com/redis-notebook/tutorial/runner/redisconn"
	"github.com/redis-notebook/tutorial/runner/redisproxy"
	"github.com/redis-notebook/tutorial/runner/term"
)

// Config says which Redis to use.
type Config struct {
	URL        string // a real server; empty: an embedded miniredis
	AllowDirty bool   // run on a database that already holds keys, without touching them
	Keep       bool   // leave the keys the run created
	// Guarded says the runner guards this run: every connection checks
	// its commands and records the keys it creates in the runner's Record
	// file, and the runner (its proxy, package redisproxy) cleans up after
	// the program, however it ends. Existing names the keys there before
	// the run; Scripts lets scripts run unchecked.
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

	close func() (note string, err error)
	note  string
}

// Close disconnects; on a real server it first deletes the keys the run
// created (Note then says so). Its error is a cleanup that failed.
func (b *Backend) Close() error {
	note, err := b.close()
	b.note = note
	return err
}

// Note says, once Close has returned, what it did that the user should
// hear: "removed the 3 keys this run created". It is empty when there is
// nothing to say.
func (b *Backend) Note() string { return b.note }

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
	client := redis.NewClient(mr.ClientOptions())
	return &Backend{
		Name:     "miniredis",
		Addr:     mr.Addr(),
		Client:   client,
		Embedded: mr,
		close: func() (string, error) {
			client.Close()
			mr.Close()
			return "", nil
		},
	}, nil
}

// connectServer connects to a real server and makes sure the run can only
// touch its own keys in its one database.
func connectServer(cfg Config) (*Backend, error) {
	srv, err := redisconn.Connect(context.Background(), redisconn.Config{URL: cfg.URL, AllowDirty: cfg.AllowDirty})
	if err != nil {
		return nil, err
	}
	opt, where := srv.Options, srv.Where
	opt.MaxRetries = embedded.NoRetries
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
		return nil, fmt.Errorf("%s already holds %s; the runner will not work among somebody's data. "+
			"Name an empty database in the URL (redis://%s/N), or pass --allow-dirty to run beside those keys without touching them",
			where, term.Plural(len(existing), "key"), opt.Addr)
	}
	rec := redisproxy.NewRecord(existing)
	client := guard.NewClient(opt, redisproxy.Policy{DB: opt.DB}, rec)
	client.AddHook(redisconn.PermissionHook(opt))
	if srv.Chosen != "" {
		where += "; " + srv.Chosen
	}
	return &Backend{
		Name:   "redis",
		Addr:   where,
		Client: client,
		close: func() (string, error) {
			defer client.Close()
			if cfg.Keep {
				return "", nil
			}
			return cleanup(opt, rec)
		},
	}, nil
}

// connectGuarded connects to the real server with every connection
// guarded in this process (package guard): no second process on the
// round trip. What the guard learns goes to the runner's record file as it
// happens, and the runner, which outlives this program however it ends,
// deletes the keys the record shows the run created.
func connectGuarded(cfg Config) (*Backend, error) {
	opt, _, err := redisconn.Parse(cfg.URL)
	if err != nil {
		return nil, err
	}
	opt.DisableIdentity = true
	opt.MaxRetries = embedded.NoRetries
	existing, err := redisproxy.ReadExisting(cfg.Existing)
	if err != nil {
		return nil, fmt.Errorf("reading the keys that were there before the run: %v", err)
	}
	rec, err := redisproxy.OpenRecord(cfg.Record, existing)
	if err != nil {
		return nil, fmt.Errorf("opening the record of the run's keys: %v", err)
	}
	client := guard.NewClient(opt, redisproxy.Policy{DB: opt.DB, AllowScripts: cfg.Scripts}, rec)
	client.AddHook(redisconn.PermissionHook(opt))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		rec.Close()
		return nil, fmt.Errorf("cannot reach Redis: %v", err)
	}
	return &Backend{Name: "redis", Addr: fmt.Sprintf("database %d", opt.DB), Client: client,
		close: func() (string, error) {
			// Stopped (the time limit, Ctrl-C): let the commands in flight
			// be answered, so that the record knows whose their keys are.
			rec.Stop(2 * time.Second)
			client.Close()
			rec.Close()
			return "", nil
		}}, nil
}

// cleanup deletes the keys the record shows the run created, and says how
// many it removed. It uses a fresh, unguarded connection, since it may run
// while a cell is stopped mid-command.
func cleanup(opt *redis.Options, rec *redisproxy.Record) (string, error) {
	client := redis.NewClient(opt)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	created := rec.Owned()
	removed := int64(0)
	for start := 0; start < len(created); start += 1000 {
		batch := created[start:min(start+1000, len(created))]
		n, err := client.Unlink(ctx, batch...).Result()
		if err != nil {
			return "", fmt.Errorf("cleaning up: %v", err)
		}
		removed += n
	}
	if removed == 0 {
		return "", nil
	}
	return fmt.Sprintf("removed the %s this run created", term.Plural(int(removed), "key")), nil
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
