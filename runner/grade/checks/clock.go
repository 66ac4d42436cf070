package checks

import (
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/embedded"
	"github.com/redis-notebook/tutorial/runner/redisbackend"
)

// A backend is the Redis one exercise runs against.
type backend struct {
	Name   string // "miniredis" or "redis"
	Client *redis.Client
	server *embedded.Server // the embedded server, when the exercise moves its clock
	close  func()
}

func (b *backend) Close() { b.close() }

// openBackend opens the exercise's Redis with redisbackend.Open: a real server,
// with its safety rules, or the embedded miniredis, whose clock the checks
// of an exercise that moves time reach.
func openBackend(cfg Config, clock bool) (*backend, error) {
	b, err := redisbackend.Open(redisbackend.Config{URL: cfg.RedisURL, AllowDirty: cfg.AllowDirty})
	if err != nil {
		return nil, err
	}
	be := &backend{Name: b.Name, Client: b.Client, close: func() { b.Close() }}
	if clock {
		be.server = b.Embedded
	}
	return be, nil
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
