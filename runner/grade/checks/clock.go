package checks

import (
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/embedded"
	"github.com/redis-notebook/tutorial/runner/kernel"
)

// A backend is the Redis one exercise runs against.
type backend struct {
	Name   string // "miniredis" or "redis"
	Client *redis.Client
	server *embedded.Server // the embedded server, when the exercise moves its clock
	close  func()
}

func (b *backend) Close() { b.close() }

// openBackend opens the exercise's Redis as kernel.Open does (a real
// server, with its safety rules, or an embedded miniredis); an exercise
// that moves the clock gets an embedded server of its own, whose clock the
// checks reach, over loopback TCP.
func openBackend(cfg Config, clock bool) (*backend, error) {
	if cfg.RedisURL != "" || !clock {
		b, err := kernel.Open(kernel.Config{URL: cfg.RedisURL, AllowDirty: cfg.AllowDirty})
		if err != nil {
			return nil, err
		}
		return &backend{Name: b.Name, Client: b.Client, close: func() { b.Close() }}, nil
	}
	srv, err := embedded.Start()
	if err != nil {
		return nil, err
	}
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), DisableIdentity: true})
	return &backend{Name: "miniredis", Client: client, server: srv, close: func() {
		client.Close()
		srv.Close()
	}}, nil
}

// advance lets d pass on the server: on the embedded one its clock moves
// at once, and keys whose time to live ends meanwhile expire; a real
// server's clock cannot be moved, so the check waits (which is why the
// checks keep such times short there).
func (t *T) advance(d time.Duration) {
	if t.clock == nil {
		time.Sleep(d)
		return
	}
	if t.now.IsZero() {
		t.now = time.Now()
	}
	t.now = t.now.Add(d)
	t.clock.SetTime(t.now)
}

// realServer says whether the exercise runs on a real server, where
// advance sleeps.
func (t *T) realServer() bool { return t.ns != "" }
