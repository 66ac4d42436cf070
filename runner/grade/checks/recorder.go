package checks

import (
	"context"
	"fmt"
	"reflect"
	"slices"
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
	// interference, when armed, is another client's change made just
	// before some of the learner's round trips (see arm).
	interference *interference
	// notServed are the commands of the call the grader's server does
	// not serve, each with why.
	notServed []string
	// notHere says one of them would be served elsewhere (a script, on the
	// embedded server): the exercise cannot be graded here, rather than
	// failed.
	notHere bool
	// afterTrip, when set, runs after each of the learner's round trips,
	// to look at what the server holds between them.
	afterTrip func()
	// betweenCmds: afterTrip also runs between the commands of a round
	// trip outside MULTI/EXEC, which Redis may interleave with other
	// clients' commands (see watchSteps).
	betweenCmds bool
	// replied are the strings the replies to the call carried, every
	// element of every array (up to maxLog of them): what the call
	// fetched, whatever the commands that fetched it.
	replied []string
	// each are the same strings, reply by reply: what one command's
	// reply carried at once.
	each [][]string
}

// An interference is another client's change, made just before the
// learner's round trips that when matches, up to times of them.
type interference struct {
	when  func(cmds []sent) bool
	do    func()
	times int
}

// writes are the commands that change a counter or a balance: before one,
// another client's change lands between the learner's read and its write.
var writes = map[string]bool{
	"set": true, "mset": true, "getset": true, "setex": true, "psetex": true, "setnx": true,
	"incr": true, "decr": true, "incrby": true, "decrby": true, "incrbyfloat": true, "del": true,
}

// scripts run on the server, reading and writing keys the recorder does
// not see.
var scripts = map[string]bool{
	"eval": true, "evalsha": true, "eval_ro": true, "evalsha_ro": true, "fcall": true, "fcall_ro": true,
}

// beforeWrite matches a round trip that may write one of keys: a write of
// one, an EXEC, or a script.
func beforeWrite(keys ...string) func([]sent) bool {
	return func(cmds []sent) bool {
		for _, c := range cmds {
			if c.name == "exec" || scripts[c.name] || (writes[c.name] && slices.Contains(keys, c.key())) {
				return true
			}
		}
		return false
	}
}

// beforeAny matches a round trip that sends one of names.
func beforeAny(names ...string) func([]sent) bool {
	return func(cmds []sent) bool {
		return slices.ContainsFunc(cmds, func(c sent) bool { return slices.Contains(names, c.name) })
	}
}

// arm sets do to run just before each of the learner's next round trips
// that when matches, up to times of them; arm(nil, nil, 0) disarms. It
// returns nothing: do reports what it did itself.
func (r *recorder) arm(when func([]sent) bool, do func(), times int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.interference = nil
	if do != nil && times > 0 {
		r.interference = &interference{when: when, do: do, times: times}
	}
}

// interfering returns the armed interference's change if cmds are a round
// trip it waits for, counting it.
func (r *recorder) interfering(cmds []redis.Cmder) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	in := r.interference
	if !r.on || in == nil || in.times == 0 {
		return nil
	}
	trip := make([]sent, len(cmds))
	for i, c := range cmds {
		trip[i] = sent{name: strings.ToLower(c.Name()), args: c.Args()}
	}
	if !in.when(trip) {
		return nil
	}
	in.times--
	return in.do
}

// watchTrips sets f to run after each of the learner's round trips; nil
// stops.
func (r *recorder) watchTrips(f func()) {
	r.mu.Lock()
	r.afterTrip, r.betweenCmds = f, false
	r.mu.Unlock()
}

// watchSteps is watchTrips, and f also runs between the commands of a
// round trip that are not one MULTI/EXEC transaction: a pipeline is one
// round trip but not one step, since Redis may serve another client
// between its commands, and the grader does so. A transaction's commands
// are sent on together, as Redis runs them.
func (r *recorder) watchSteps(f func()) {
	r.mu.Lock()
	r.afterTrip, r.betweenCmds = f, f != nil
	r.mu.Unlock()
}

// steps splits a round trip's commands into what Redis runs as one step:
// a MULTI … EXEC block (or a MULTI left open to the trip's end), or one
// command.
func steps(cmds []redis.Cmder) [][]redis.Cmder {
	var out [][]redis.Cmder
	for i := 0; i < len(cmds); {
		j := i + 1
		if strings.EqualFold(cmds[i].Name(), "multi") {
			for j < len(cmds) && !strings.EqualFold(cmds[j-1].Name(), "exec") {
				j++
			}
		}
		out = append(out, cmds[i:j])
		i = j
	}
	return out
}

// splitting says whether the learner's round trips are run a step at a
// time, with afterTrip between the steps.
func (r *recorder) splitting() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.on && r.afterTrip != nil && r.betweenCmds
}

func (r *recorder) tripDone() {
	r.mu.Lock()
	f := r.afterTrip
	on := r.on
	r.mu.Unlock()
	if f != nil && on {
		f()
	}
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
	r.replied, r.each, r.notServed, r.notHere = nil, nil, nil, false
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

// unserved notes a command of the call that the grader does not serve;
// elsewhere says the grader would serve it on another backend.
func (r *recorder) unserved(why string, elsewhere bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notHere = r.notHere || elsewhere
	if len(r.notServed) < 5 {
		r.notServed = append(r.notServed, why)
	}
}

// takeUnserved returns why the last call's commands were not served, and
// whether one would be on another backend.
func (r *recorder) takeUnserved() ([]string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out, elsewhere := r.notServed, r.notHere
	r.notServed, r.notHere = nil, false
	return out, elsewhere
}

// refusedElsewhere notes commands that the shim refused in the learner's
// process, because no call was running, as the gate notes its own. They
// come from that process: a few, shortened, and shown escaped like all
// it says.
func (r *recorder) refusedElsewhere(cmds []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cmds {
		if len(r.refused) >= 5 {
			break
		}
		if rs := []rune(c); len(rs) > 80 {
			c = string(rs[:77]) + "..."
		}
		r.refused = append(r.refused, c)
	}
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
		r.noteReplies(cmd)
		r.tripDone()
		return err
	}
}

func (r *recorder) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !r.record(cmds...) {
			return next(ctx, cmds)
		}
		if f := r.interfering(cmds); f != nil {
			f()
		}
		var err error
		if parts := steps(cmds); len(parts) > 1 && r.splitting() {
			for i, part := range parts {
				if i > 0 {
					r.tripDone()
				}
				if e := next(ctx, part); e != nil && err == nil {
					err = e
				}
			}
		} else {
			err = next(ctx, cmds)
		}
		r.noteReplies(cmds...)
		r.tripDone()
		return err
	}
}

// noteReplies keeps the strings the replies to cmds carried.
func (r *recorder) noteReplies(cmds ...redis.Cmder) {
	var each [][]string
	for _, c := range cmds {
		if c.Err() != nil {
			continue
		}
		// Every command type has a Val method, of its own result type:
		// the checks look at what any command fetched.
		m := reflect.ValueOf(c).MethodByName("Val")
		if !m.IsValid() || m.Type().NumIn() != 0 {
			continue
		}
		var got []string
		for _, v := range m.Call(nil) {
			got = appendStrings(got, v, 0)
		}
		each = append(each, got)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.on {
		return
	}
	for _, got := range each {
		got = got[:min(len(got), maxLog-len(r.replied))]
		if len(got) == 0 {
			continue
		}
		r.replied = append(r.replied, got...)
		r.each = append(r.each, got)
	}
}

// appendStrings appends the strings in v: itself, or the elements of
// arrays, maps and structs (a redis.Z's member), however deep.
func appendStrings(out []string, v reflect.Value, depth int) []string {
	if depth > 8 || !v.IsValid() {
		return out
	}
	switch v.Kind() {
	case reflect.String:
		return append(out, v.String())
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return out
		}
		return appendStrings(out, v.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return append(out, string(v.Bytes()))
		}
		for i := range v.Len() {
			out = appendStrings(out, v.Index(i), depth+1)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			out = appendStrings(out, it.Key(), depth+1)
			out = appendStrings(out, it.Value(), depth+1)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = appendStrings(out, v.Field(i), depth+1)
			}
		}
	}
	return out
}

// replies returns the strings the replies to the last call carried.
func (r *recorder) replies() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.replied)
}

// eachReply returns, reply by reply, the strings the replies to the last
// call carried.
func (r *recorder) eachReply() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.each)
}
