package checks

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/embedded"
	"github.com/redis-notebook/tutorial/runner/grade/sandbox"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/grade/wire"
	"github.com/redis-notebook/tutorial/runner/redisbackend"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// Config says how to run one exercise.
type Config struct {
	// Exercise is the exercise to run, as the manifest has it; its
	// check is the one registered by its name.
	Exercise   Exercise
	RedisURL   string // a real server; empty: a fresh embedded miniredis
	AllowDirty bool
	Timeout    time.Duration // the whole exercise, stub calls and checks; 0: settings.DefaultTimeout
	// SourceDir is the folder of the graded package as compiled, from
	// the module root, so that a panic can be traced to the learner's
	// line in the stack.
	SourceDir string
	Seed      uint64 // for the generated cases; 0: a random one
	// Shim is the program the grader built around the graded package:
	// its functions are called there, in a process of their own (see
	// package shim), never in this one.
	Shim string
	// ShimSub, when set, names the package the shim serves among those
	// it links (a class's shims are built several packages to a program;
	// see package shim's MainBatch).
	ShimSub string
	// Local, instead, serves the graded package in this process, for
	// the in-page check, in the learner's own tab (see Local).
	Local *Local
	// Bwrap is bubblewrap's path: the shim runs in its namespaces. Empty:
	// without them, with the sandbox's limits still.
	Bwrap string
}

// ResultFD is the descriptor on which the checker writes its Result: a
// pipe of the grader's own, which the graded code is never given.
const ResultFD = 3

// Main is the body of the checker program: it reads the grader's flags,
// then runs the exercises named on its standard input, one JSON line each
// (a Request), one after another, each against the shim its flags name,
// each on a fresh backend and in a sandbox of its own, and writes each
// Result as one line of JSON on ResultFD as soon as it has it. It ends at
// the end of its input, or when it is stopped (SIGINT, SIGTERM: the
// exercise running then is reported stopped, and cleaned up). It links no
// submission's code: the verdict is decided here, and nothing the graded
// code writes anywhere can be taken for it.
func Main() {
	sandbox.Init()
	var cfg Config
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	fs.StringVar(&cfg.RedisURL, "redis", "", "a real Redis server's URL (default: an embedded miniredis)")
	fs.BoolVar(&cfg.AllowDirty, "allow-dirty", false, "run in a database that holds keys")
	fs.DurationVar(&cfg.Timeout, "timeout", settings.DefaultTimeout, "stop each exercise after this long")
	fs.StringVar(&cfg.SourceDir, "src", "", "the graded package's folder as compiled, from the module root")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "seed of the generated cases (0: random)")
	fs.StringVar(&cfg.Shim, "shim", "", "the shim program around the graded package")
	fs.StringVar(&cfg.ShimSub, "shim-sub", "", "the package the shim serves, when it links several")
	fs.StringVar(&cfg.Bwrap, "bwrap", "", "bubblewrap's path, to run the shim in namespaces of its own")
	fs.Func("uids", "user ids, comma-separated, for the sandboxes' runs as root, which the grader checked no process runs as",
		func(s string) error {
			var ids []int
			for _, f := range strings.Split(s, ",") {
				n, err := strconv.Atoi(f)
				if err != nil || n <= 0 {
					return fmt.Errorf("not a user id: %q", f)
				}
				ids = append(ids, n)
			}
			sandbox.GiveUIDs(ids)
			return nil
		})
	fs.Func("launcher", "the program that launches the sandboxes' runs (default: this one)", func(s string) error {
		sandbox.UseLauncher(s)
		return nil
	})
	try := fs.Bool("try-backend", false, "only open the backend and close it again, to check it can be used")
	fs.Parse(os.Args[1:])
	results := os.NewFile(ResultFD, "results")
	if *try {
		results.Write(TryBackend(cfg).Encode())
		os.Exit(0)
	}
	Serve(cfg, os.Stdin, results)
	os.Exit(0)
}

// A Request names one exercise for the checker to run: its id, and its
// name and functions in the manifest (its check is the one registered by
// its name; the checker does not read the manifest).
type Request struct {
	ID    int      `json:"id"`
	Name  string   `json:"name"`
	Funcs []string `json:"funcs"`
}

// Serve runs the exercises requests names, one JSON Request a line, one
// after another, each with cfg but for its Exercise, and writes each
// one's Result on results, one line of JSON, before it reads the next. A
// SIGINT or SIGTERM stops it: the exercise it is running ends as Run
// says ("stopped by …"), and no other starts.
//
// One exercise at a time, so that each one's time is counted as when it
// had the process to itself: the checker's CPU time is one of the
// clocks of its limit (see limit). Each still has its own backend, shim
// process, sandbox and user: one exercise's panic, hang or exit ends
// that exercise's shim, not this process.
func Serve(cfg Config, requests io.Reader, results io.Writer) {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stop)
	next := make(chan Request)
	go func() {
		defer close(next)
		sc := bufio.NewScanner(requests)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var req Request
			if json.Unmarshal(sc.Bytes(), &req) != nil {
				return
			}
			next <- req
		}
	}()
	for {
		select {
		case <-stop:
			return
		default:
		}
		var req Request
		var ok bool
		select {
		case <-stop:
			return
		case req, ok = <-next:
			if !ok {
				return
			}
		}
		c := cfg
		c.Exercise = Exercise{ID: req.ID, Name: req.Name, Funcs: req.Funcs}
		if _, err := results.Write(Run(c, nil).Encode()); err != nil {
			return
		}
	}
}

// TryBackend opens the backend cfg names and closes it: Passed if it can be
// used, else Error with the reason (unreachable, a database with keys).
func TryBackend(cfg Config) Result {
	b, err := redisbackend.Open(redisbackend.Config{URL: cfg.RedisURL, AllowDirty: cfg.AllowDirty})
	if err != nil {
		return Result{Status: verdict.Error, Message: err.Error()}
	}
	b.Close()
	return Result{Status: verdict.Passed}
}

// Run runs one exercise's checks on a fresh backend, against funcs, in
// this process (the checks' own tests), or, when funcs is nil, against
// the package cfg.Shim serves, in its sandboxed process. A panic in the
// learner's code fails the exercise; so does running longer than
// cfg.Timeout, which Run reports without waiting for the code to stop.
func Run(cfg Config, funcs Funcs) Result {
	start := time.Now()
	ex := cfg.Exercise
	c, ok := checks[ex.Name]
	if !ok {
		return Result{Exercise: ex.ID, Status: verdict.Error, Message: fmt.Sprintf("there is no exercise %d", ex.ID)}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = settings.DefaultTimeout
	}
	if cfg.Seed == 0 {
		cfg.Seed = rand.Uint64()
	}
	b, err := openBackend(cfg, c.clock)
	if err != nil {
		return Result{Exercise: ex.ID, Status: verdict.Error, Message: err.Error()}
	}
	rec := newRecorder()
	b.Client.AddHook(rec)
	t := &T{
		ctx:   context.Background(),
		rdb:   b.Client,
		rec:   rec,
		funcs: funcs,
		rnd:   rand.New(rand.NewPCG(cfg.Seed, uint64(ex.ID))),
		src:   cfg.SourceDir,
		clock: b.server,
		limit: cfg.Timeout,
	}
	if b.Name != "miniredis" {
		// Keys of their own on a shared server, so that no check ever
		// meets a key that was there before the run.
		t.ns = fmt.Sprintf("grade%04d:", t.rnd.IntN(10000))
	}
	// Stopped (Ctrl-C, or the grader giving up), the run still closes
	// the backend, which on a real server deletes the keys it created.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stop)
	done := make(chan Result, 1)
	started := make(chan *shimProc, 1)
	// The time limit counts the learner's CPU time, and time not spent
	// waiting for a busy machine (see limit).
	var meter struct {
		sync.Mutex
		m *sandbox.Meter
	}
	lim := newLimit(cfg.Timeout, funcs != nil || cfg.Local != nil, func() *sandbox.Meter { meter.Lock(); defer meter.Unlock(); return meter.m })
	stopLimit := make(chan struct{})
	defer close(stopLimit)
	go func() {
		if funcs == nil {
			var s *shimProc
			var err error
			if cfg.Local != nil {
				s = startLocal(cfg, b.Client, rec)
			} else {
				s, err = startShim(cfg, b.Client, rec)
			}
			if s != nil && s.box != nil {
				meter.Lock()
				meter.m = s.box.MeterFor()
				meter.Unlock()
			}
			started <- s
			if err != nil {
				done <- Result{Status: verdict.Error, Message: err.Error()}
				return
			}
			t.mu.Lock()
			t.shim = s
			t.mu.Unlock()
			if gone := s.greet(); gone != nil {
				done <- t.crashed(gone)
				return
			}
		}
		done <- t.run(ex, c)
	}()
	var r Result
	select {
	case r = <-done:
	case up := <-lim.watch(stopLimit):
		if up.how == overMachine {
			r = lim.machineBusy()
		} else {
			r = t.timedOut(cfg.Timeout, up)
		}
	case s := <-stop:
		r = Result{Status: verdict.Error, Message: "stopped by " + s.String()}
	}
	if funcs == nil {
		// The shim and all it started end here, whatever they are doing.
		select {
		case s := <-started:
			if s != nil {
				s.stop()
				r.Output = s.out.printed()
			}
		case <-time.After(5 * time.Second):
		}
	}
	// Close deletes the keys the run created on a real server. Code that
	// hangs may hold the connection; do not hang with it.
	closed := make(chan struct{})
	go func() { b.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
	}
	r.Exercise = ex.ID
	r.Duration = time.Since(start)
	return r
}

// T is one exercise's run: the learner's functions, the client they are
// given, and the commands they send. Checks stop at the first failure by
// calling fail, which panics, as testing.T's FailNow stops a test.
type T struct {
	ctx   context.Context
	rdb   *redis.Client
	rec   *recorder
	funcs Funcs     // the learner's functions, in this process; nil: in shim
	shim  *shimProc // the learner's process
	rnd   *rand.Rand
	ns    string // prefix of every key, on a real server
	src   string

	mu     sync.Mutex
	called string // the learner's call in progress, or the last one
	fn     string // its function
	inCall bool
	text   string // exercise 3: the text of the last StoreLetterCounts, for hints

	clock *embedded.Server // the embedded server, for exercises that move its clock; nil on a real one
	limit time.Duration    // the exercise's time limit
	now   time.Time        // the clock's time, once moved
}

// failure carries a failed check's Result up to run.
type failure struct{ r Result }

// fail stops the exercise with r, filling in the call that went wrong.
func (t *T) fail(r Result) {
	switch r.Called {
	case "":
		t.mu.Lock()
		r.Called = t.called
		t.mu.Unlock()
	case "-": // nothing was called
		r.Called = ""
	}
	r.Status = verdict.Failed
	panic(&failure{r})
}

// key names a key for a check: the same name on miniredis, and one with a
// prefix of the run's own on a real server.
func (t *T) key(name string) string { return t.ns + name }

func (t *T) run(ex Exercise, c check) (r Result) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		switch p := p.(type) {
		case *failure:
			r = p.r
		case *shimGone:
			r = t.crashed(p)
		case *remotePanic:
			r = t.panicked(p.value, p.stack)
		default:
			r = t.panicked(p, string(debug.Stack()))
		}
	}()
	if t.allNotDone(ex) {
		return Result{Status: verdict.NotDone, Message: "not done yet"}
	}
	c.run(t)
	t.shim.collectRefused()
	t.noneRefused()
	return Result{Status: verdict.Passed}
}

// noneRefused fails the exercise if the learner's process sent commands
// while none of its calls ran: a goroutine still at work after its
// function returned, or code in init.
func (t *T) noneRefused() {
	if refused := t.rec.takeRefused(); len(refused) > 0 {
		t.fail(Result{
			Message:  "sent commands to Redis while none of its functions was running",
			Called:   "-",
			Expected: "every command sent by the function, before it returns",
			Got:      "commands the grader refused",
			Sent:     refused,
			Hint: "a function's work must be done when it returns: wait for the goroutines it starts " +
				"(sync.WaitGroup), and send nothing from init",
		})
	}
}

// call runs the learner's function fn, described by args for messages,
// recording the commands it sends. A not-done error stops the exercise:
// the rest of it cannot be checked.
func (t *T) call(fn string, args []any, body func() error) error {
	t.noneRefused()
	t.mu.Lock()
	t.called, t.fn, t.inCall = showCall(fn, args...), fn, true
	t.mu.Unlock()
	t.rec.start()
	err := body()
	t.rec.stop()
	t.mu.Lock()
	t.inCall = false
	t.mu.Unlock()
	if n := t.shim.takeUnfinished(); n > 0 {
		t.fail(Result{
			Message: fmt.Sprintf("%s returned while %d of the commands it sent had no answer yet: "+
				"a goroutine of its was still at work", fn, n),
			Expected: "every command answered before " + fn + " returns",
			Got:      fmt.Sprintf("%d still on their way", n),
			Sent:     t.sentLines(),
			Hint: "a function's work must be done when it returns: wait for the goroutines it starts " +
				"(sync.WaitGroup), or send from the function itself",
		})
	}
	if why, elsewhere := t.rec.takeUnserved(); len(why) > 0 {
		r := Result{
			Message: fn + " sent a command the grader's server does not serve: " + why[0],
			Hint:    "use the commands the chapter teaches; they are all served",
		}
		if elsewhere {
			// Not a wrong answer: one this backend cannot judge.
			t.mu.Lock()
			r.Called = t.called
			t.mu.Unlock()
			r.Status = verdict.Error
			r.Hint = "grade this exercise without --redis: the embedded server runs scripts, and judges them by what they do"
			panic(&failure{r})
		}
		t.fail(r)
	}
	if err != nil && strings.HasPrefix(err.Error(), verdict.NotDonePrefix) {
		t.fail(Result{
			Message: fn + " is not done yet",
			Got:     show(err),
			Hint:    "write " + fn + " too: the exercise checks its functions together",
		})
	}
	return err
}

// noError fails the exercise when the learner's call returned an error.
func (t *T) noError(fn string, err error, hint string) {
	if err != nil {
		t.fail(Result{Message: fn + " returned an error", Expected: "no error", Got: show(err), Hint: hint})
	}
}

// lookup returns the learner's function name as the type the exercise
// needs.
func lookup[F any](t *T, name string) F {
	if t.shim != nil {
		return lookupRemote[F](t, name)
	}
	v, ok := t.funcs[name]
	if !ok || v == nil {
		t.fail(Result{
			Message: name + " is missing",
			Called:  "-",
			Hint:    "the package must declare func " + name + "; its stub's signature is the one to keep",
		})
	}
	if u, ok := v.(Unusable); ok {
		t.fail(Result{Message: string(u), Called: "-",
			Hint: "keep the stub's signature: the grader, and the chapter, call " + name + " that way"})
	}
	f, ok := v.(F)
	if !ok {
		t.fail(Result{
			Message:  name + " has the wrong signature",
			Called:   "-",
			Expected: typeName(reflect.TypeFor[F]()),
			Got:      typeName(reflect.TypeOf(v)),
			Hint:     "keep the stub's signature: the grader, and the chapter, call " + name + " that way",
		})
	}
	return f
}

// lookupRemote is lookup for a learner's function in the shim: the shim
// says which functions the package has, with their types, and the
// function returned calls it there.
func lookupRemote[F any](t *T, name string) F {
	typ, ok := t.shim.funcs[name]
	hint := "keep the stub's signature: the grader, and the chapter, call " + name + " that way"
	switch want := reflect.TypeFor[F](); {
	case !ok:
		t.fail(Result{
			Message: name + " is missing",
			Called:  "-",
			Hint:    "the package must declare func " + name + "; its stub's signature is the one to keep",
		})
	case strings.HasPrefix(typ, "unusable: "):
		t.fail(Result{Message: strings.TrimPrefix(typ, "unusable: "), Called: "-", Hint: hint})
	case typ != want.String():
		t.fail(Result{
			Message:  name + " has the wrong signature",
			Called:   "-",
			Expected: typeName(want),
			Got:      strings.ReplaceAll(typ, "interface {}", "any"),
			Hint:     hint,
		})
	}
	return t.shim.remoteFunc(name, reflect.TypeFor[F]()).(F)
}

var (
	errorType = reflect.TypeFor[error]()
	// stubKeyFmt names the key a function is given when it is called to
	// see whether it is still its stub. A submission sees it, and a
	// message may show the commands it sent with it: it stays as it was.
	stubKeyFmt = "grade:probe:%s"
)

// allNotDone calls each of the exercise's functions once with harmless
// arguments, and says whether every one of them is missing or returns
// its stub's not-done error: then the exercise is not done, rather than
// failed.
func (t *T) allNotDone(ex Exercise) bool {
	all := true
	var keys []string
	for _, fn := range ex.Funcs {
		key := t.key(fmt.Sprintf(stubKeyFmt, fn))
		keys = append(keys, key)
		if !t.isStub(fn, key) {
			all = false
		}
	}
	t.rdb.Del(t.ctx, keys...)
	return all
}

func (t *T) isStub(name, key string) bool {
	if t.shim != nil {
		typ, ok := t.shim.funcs[name]
		if !ok {
			return true
		}
		if strings.HasPrefix(typ, "unusable: ") {
			return false
		}
		t.mu.Lock()
		t.called, t.fn = name+"(ctx, rdb, …)", name
		t.mu.Unlock()
		t.rec.start()
		defer t.rec.stop()
		return t.shim.roundTrip(wire.Request{Func: name, IsStub: true, Key: key}).NotDone
	}
	v, ok := t.funcs[name]
	if !ok || v == nil {
		return true
	}
	if _, ok := v.(Unusable); ok {
		return false
	}
	args := wire.StubArgs(v, t.ctx, t.rdb, key)
	if args == nil {
		return false // the check will say what is wrong with it
	}
	var shown []any
	for _, a := range args[2:] {
		shown = append(shown, a.Interface())
	}
	t.mu.Lock()
	t.called, t.fn = showCall(name, shown...), name
	t.mu.Unlock()
	t.rec.start()
	defer t.rec.stop()
	return wire.IsStub(v, args)
}

// panicked reports a panic: in the learner's call, with the line of the
// learner's code where it happened; anywhere else, as the grader's own
// bug.
func (t *T) panicked(p any, stack string) Result {
	t.mu.Lock()
	called, fn, inCall := t.called, t.fn, t.inCall
	t.mu.Unlock()
	if !inCall {
		return Result{Status: verdict.Error, Message: fmt.Sprintf("the grader's check panicked: %v", p), Got: stack}
	}
	r := Result{
		Status:  verdict.Failed,
		Message: fmt.Sprintf("%s panicked: %v", fn, p),
		Called:  called,
		Got:     fmt.Sprintf("panic: %v", p),
		Where:   t.where(stack),
		Hint:    "a panic stops the whole program; return an error instead, and check lengths before indexing",
	}
	if r.Where != "" {
		r.Got += " at " + r.Where
	}
	return r
}

var stackLine = regexp.MustCompile(`(?m)^\t(.+\.go:\d+)`)

// where finds the first line of the stack that is in the learner's code.
func (t *T) where(stack string) string {
	if t.src == "" {
		return ""
	}
	for _, m := range stackLine.FindAllStringSubmatch(stack, -1) {
		if strings.Contains(m[1], "/"+strings.Trim(t.src, "/")+"/") {
			return m[1]
		}
	}
	return ""
}

// timedOut reports an exercise that ran out of time, with the call that
// was running and the last commands it sent.
func (t *T) timedOut(limit time.Duration, up timeUp) Result {
	t.mu.Lock()
	called, fn := t.called, t.fn
	t.mu.Unlock()
	if fn == "" {
		fn = "the exercise"
	}
	r := Result{
		Status:  verdict.Failed,
		Message: fmt.Sprintf("%s did not finish within %s", fn, limit),
		Called:  called,
		Got:     "still running when the time was up",
		Sent:    t.rec.last(3),
		Hint: "look for a loop that never ends: a SCAN or HSCAN loop must stop when the cursor comes back 0, " +
			"not when a page is empty",
	}
	switch {
	case up.computing(limit):
		r.Message += " of CPU time"
	case up.waiting(limit):
		r.Got = "still waiting when the time was up, hardly running"
		r.Hint = "look for a call that waits for what never comes: a channel nobody sends on, a lock never " +
			"released, a sleep, a blocking command (BLPOP) with no timeout; " + r.Hint
	}
	return r
}

// isNil reports whether err says a key is missing, the way go-redis does.
func isNil(err error) bool { return errors.Is(err, redis.Nil) }

// forbid fails the exercise when the last call sent any of the commands
// names, which rule forbids.
func (t *T) forbid(rule Rule, hint string, names ...string) {
	cmds, _ := t.rec.sent()
	var bad []string
	for _, c := range cmds {
		if slices.Contains(names, c.name) {
			bad = append(bad, c.String())
		}
	}
	if len(bad) > 0 {
		t.breaks(rule, bad, hint)
	}
}

// breaks fails the exercise for breaking rule by sending the commands bad.
func (t *T) breaks(rule Rule, bad []string, hint string) {
	if len(bad) > 5 {
		bad = append(bad[:4], fmt.Sprintf("… and %d more", len(bad)-4))
	}
	t.fail(Result{Message: "broke a rule: " + rule.Name, Rule: rule.Name, Why: rule.Why, Sent: bad, Hint: hint})
}

// sentAny says whether the last call sent any of the commands names.
func (t *T) sentAny(names ...string) bool {
	cmds, _ := t.rec.sent()
	return slices.ContainsFunc(cmds, func(c sent) bool { return slices.Contains(names, c.name) })
}
