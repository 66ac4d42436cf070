package embedded

import (
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// clock moves miniredis's TTLs along with real (or virtual) time.
//
// miniredis counts a TTL down only when told to (FastForward), and telling
// it walks every key of every database. So the clock stays off until a
// command sets a TTL (a chapter that sets none pays nothing), and then
// ticks before a command at most once per interval, an interval that grows
// with what a tick costs: about a millisecond on a small database, so that
// a key is gone as soon as its time is up, and never more than a twentieth
// of the time spent in commands on a large one.
type clock struct {
	mr *miniredis.Miniredis

	mu      sync.Mutex
	armed   bool
	virtual time.Time // set by SetTime: the clock stands there
	last    time.Time // when TTLs were last counted down
	every   time.Duration
}

const (
	minTick = time.Millisecond
	maxTick = 250 * time.Millisecond
)

func (c *clock) now() time.Time {
	if !c.virtual.IsZero() {
		return c.virtual
	}
	return time.Now()
}

// before runs before every command: it arms the clock on the first command
// that may set a TTL, and counts TTLs down by the time elapsed since the
// last tick.
func (c *clock) before(cmd string, args []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.armed {
		if !setsTTL(cmd, args) {
			return
		}
		c.armed, c.last, c.every = true, c.now(), minTick
		return
	}
	c.tick(false)
}

// tick counts TTLs down; force ignores the interval. Called with c.mu held.
func (c *clock) tick(force bool) {
	now := c.now()
	elapsed := now.Sub(c.last)
	if elapsed <= 0 || (!force && elapsed < c.every) {
		return
	}
	if !force {
		// A script's own commands (redis.call) come here too, while the
		// script holds miniredis's lock: counting down then, which takes
		// that lock, would wait for ever. Any command holding it is
		// running; the next one ticks instead.
		if !c.mr.TryLock() {
			return
		}
		c.mr.Unlock()
	}
	start := time.Now()
	c.mr.FastForward(elapsed)
	c.last = now
	c.every = min(max(20*time.Since(start), minTick), maxTick)
}

// set stops the clock at t (a test's virtual time) and expires what a
// server whose clock reached t would have expired.
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mr.SetTime(t) // TIME, EXPIREAT and stream IDs follow it too
	if !c.armed {
		c.armed, c.last, c.every = true, t, minTick
	}
	c.virtual = t
	c.tick(true)
}

// setsTTL says whether a command may give a key a time to live.
func setsTTL(cmd string, args []string) bool {
	switch cmd {
	case "SETEX", "PSETEX", "GETEX", "HSETEX", "HGETEX", "RESTORE",
		"EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
		return true
	case "SET":
		for _, a := range args {
			switch strings.ToUpper(a) {
			case "EX", "PX", "EXAT", "PXAT":
				return true
			}
		}
		return false
	}
	return strings.Contains(cmd, "EXPIRE") // EXPIRE, PEXPIREAT, HEXPIRE, ...
}
