package checks

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/grade/redisgate"
)

// A sent is one command the learner's code sent.
type sent struct {
	name string // lower case: "hset"
	args []any
	trip int // which round trip carried it; a pipeline is one
}

// key is the command's first argument after its name, which for the
// commands the checks look at is the key.
func (s sent) key() string {
	if len(s.args) < 2 {
		return ""
	}
	return fmt.Sprint(s.args[1])
}

// String writes the command as redis-cli shows it, shortened.
func (s sent) String() string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(s.name))
	for i, a := range s.args[1:] {
		if i == 6 {
			fmt.Fprintf(&b, " … (%d more arguments)", len(s.args)-1-i)
			break
		}
		b.WriteByte(' ')
		b.WriteString(cliArg(a))
	}
	return b.String()
}

func cliArg(a any) string {
	var s string
	switch a := a.(type) {
	case string:
		s = a
	case []byte:
		s = string(a)
	default:
		return fmt.Sprint(a)
	}
	if len(s) > 40 {
		s = s[:37] + "…"
	}
	if s == "" || strings.ContainsAny(s, " \"'\\\n\t") {
		return strconv.Quote(s)
	}
	return s
}

// recorder is a go-redis hook that watches the commands the learner's
// functions send, so that the checks can tell KEYS from SCAN and count
// round trips.
//
// Paging is the server's: a real one pages SCAN and HSCAN, and so does the
// embedded miniredis (package embedded), so code that calls SCAN once,
// without following the cursor, loses keys on both.
type recorder struct {
	mu      sync.Mutex
	on      bool // a learner's call is in progress
	trips   int
	log     []sent            // up to maxLog commands
	recent  []sent            // the last few, even past maxLog
	scanEnd map[string]uint64 // the cursor the last SCAN/HSCAN of each kind answered
	// refused are commands the learner's process sent while none of its
	// calls ran (from init, or a goroutine left running), which the gate
	// refused; the exercise fails for them.
	refused []string
	// interfere, when set, runs once, just before the first round trip
	// of a call that writes one of interfereOn: another client's change
	// between the learner's read and its write (exercise 11).
	interfere   func()
	interfereOn map[string]bool
}

// writes are the commands that change a counter, for interference.
var writes = map[string]bool{
	"set": true, "mset": true, "getset": true, "incr": true, "decr": true, "incrby": true, "decrby": true,
	"incrbyfloat": true, "del": true, "exec": true,
}

// arm sets f to run once, before the first round trip of a learner's
// call that writes one of keys (or runs EXEC); nil disarms.
func (r *recorder) arm(f func(), keys ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.interfere, r.interfereOn = f, map[string]bool{}
	for _, k := range keys {
		r.interfereOn[k] = true
	}
}

// interfering returns the armed interference, disarmed, if cmds are the
// round trip it waits for.
func (r *recorder) interfering(cmds []redis.Cmder) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.on || r.interfere == nil {
		return nil
	}
	for _, c := range cmds {
		name := strings.ToLower(c.Name())
		args := c.Args()
		if name == "exec" || (writes[name] && len(args) > 1 && r.interfereOn[fmt.Sprint(args[1])]) {
			f := r.interfere
			r.interfere = nil
			return f
		}
	}
	return nil
}

// Code in an endless loop sends commands as fast as it can until its time
// is up: what the recorder keeps of them is bounded.
const maxLog = 100_000

func newRecorder() *recorder {
	return &recorder{scanEnd: map[string]uint64{}}
}

// start begins recording a learner's call, forgetting the one before.
func (r *recorder) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on, r.trips, r.log, r.recent = true, 0, nil, nil
	clear(r.scanEnd)
}

// refuseUnlessCalling says whether a learner's call is in progress; if
// not, it notes cmds as refused.
func (r *recorder) refuseUnlessCalling(cmds []redisgate.Command) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		return true
	}
	for _, c := range cmds {
		if len(r.refused) < 5 {
			args := make([]any, len(c))
			for i, a := range c {
				args[i] = a
			}
			r.refused = append(r.refused, sent{name: strings.ToLower(c[0]), args: args}.String())
		}
	}
	return false
}

// takeRefused returns the commands refused since the last call, and
// forgets them.
func (r *recorder) takeRefused() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.refused
	r.refused = nil
	return out
}

func (r *recorder) stop() {
	r.mu.Lock()
	r.on = false
	r.mu.Unlock()
}

// sent returns the commands of the last call, and how many round trips
// carried them.
func (r *recorder) sent() ([]sent, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent(nil), r.log...), r.trips
}

// last returns the last n commands recorded, for a call that hangs.
func (r *recorder) last(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.recent[max(0, len(r.recent)-n):] {
		out = append(out, s.String())
	}
	return out
}

// unfinishedScan says whether the call's last SCAN (or HSCAN) answered a
// cursor other than 0 that the call then did not follow.
func (r *recorder) unfinishedScan(name string) (uint64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.scanEnd[name]
	return c, ok && c != 0
}

func (r *recorder) record(cmds ...redis.Cmder) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.on {
		return false
	}
	r.trips++
	for _, c := range cmds {
		name := strings.ToLower(c.Name())
		if name == "multi" || name == "exec" {
			continue
		}
		if connSetup[name] {
			if len(cmds) == 1 {
				r.trips-- // go-redis's, not the learner's
			}
			continue
		}
		s := sent{name: name, args: c.Args(), trip: r.trips}
		if len(r.log) < maxLog {
			r.log = append(r.log, s)
		}
		if len(r.recent) == 8 {
			r.recent = append(r.recent[:0], r.recent[1:]...)
		}
		r.recent = append(r.recent, s)
	}
	return true
}

// connSetup are the commands go-redis itself sends when it opens a
// connection (through the hooks, like any other): they are not the
// learner's, and count neither as commands nor as round trips.
var connSetup = map[string]bool{"hello": true, "auth": true, "select": true, "client": true}

func (r *recorder) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *recorder) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !r.record(cmd) {
			return next(ctx, cmd)
		}
		if f := r.interfering([]redis.Cmder{cmd}); f != nil {
			f()
		}
		err := next(ctx, cmd)
		if sc, ok := cmd.(*redis.ScanCmd); ok && err == nil {
			_, cursor := sc.Val()
			r.mu.Lock()
			r.scanEnd[strings.ToLower(sc.Name())] = cursor
			r.mu.Unlock()
		}
		return err
	}
}

func (r *recorder) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if r.record(cmds...) {
			if f := r.interfering(cmds); f != nil {
				f()
			}
		}
		return next(ctx, cmds)
	}
}
