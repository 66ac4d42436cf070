package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/grade/redisgate"
	"github.com/redis-notebook/tutorial/runner/grade/sandbox"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/grade/wire"
	"github.com/redis-notebook/tutorial/runner/resp"
)

// A shimProc is the graded package's process: the shim the grader built
// around it, running in a sandbox, its Redis served through a gate of
// this process, its functions called over two pipes.
type shimProc struct {
	box   *sandbox.Box
	gate  *redisgate.Gate
	cmd   *exec.Cmd
	conn  *wire.Conn
	funcs map[string]string // name -> type, from the shim's Hello
	out   *capped           // what it printed, standard output and error
	seq   int
	rec   *recorder
	// unfinished is what the last answer said: commands the call had
	// started and not seen answered when it returned.
	unfinished int

	exited  chan struct{}
	waitErr error
	// local, for a package served in this process (see Local), ends
	// it; box and cmd are then nil.
	local func()
}

// shimGone is what a call meets when the shim's process has ended.
type shimGone struct{ err error }

func (g *shimGone) Error() string { return "the shim ended: " + g.err.Error() }

// remotePanic is a panic in the learner's function, in the shim.
type remotePanic struct{ value, stack string }

// startShim starts the shim and reads its Hello.
func startShim(cfg Config, client *redis.Client, rec *recorder) (*shimProc, error) {
	box, err := sandbox.New(cfg.Bwrap)
	if err != nil {
		return nil, err
	}
	s := &shimProc{box: box, out: &capped{max: 16 << 10}, rec: rec, exited: make(chan struct{})}
	bin, err := box.Install(cfg.Shim, "shim")
	if err != nil {
		box.Remove()
		return nil, fmt.Errorf("installing the shim: %v", err)
	}
	sock := filepath.Join(box.Grader, "redis.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		box.Remove()
		return nil, err
	}
	box.Socket(sock)
	s.gate = redisgate.Serve(l, func() redisgate.Session {
		return &learnerSession{conn: client.Conn(), rec: rec, real: cfg.RedisURL != ""}
	})
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	respR, respW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	args := []string{"-redis", sock}
	if cfg.ShimSub != "" {
		args = append(args, "-sub", cfg.ShimSub)
	}
	s.cmd = box.Command(sandbox.DefaultLimits(cfg.Timeout), bin, args...)
	s.cmd.ExtraFiles = []*os.File{reqR, respW} // 3 and 4, as package shim expects
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.WaitDelay = 500 * time.Millisecond // a process it left behind may hold its output open
	err = s.cmd.Start()
	reqR.Close()
	respW.Close()
	if err != nil {
		s.gate.Close()
		box.Remove()
		return nil, fmt.Errorf("starting the shim: %v", err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	s.conn = wire.NewConn(respR, reqW)
	return s, nil
}

// greet reads the shim's Hello, which it sends once the package's
// initialization is done.
func (s *shimProc) greet() *shimGone {
	var hello wire.Hello
	if err := s.conn.Receive(&hello); err != nil {
		return &shimGone{err}
	}
	if hello.Funcs == nil {
		return &shimGone{errors.New("a first message without functions")}
	}
	s.funcs = hello.Funcs
	return nil
}

// stop kills the shim and everything it started, and removes its folders.
func (s *shimProc) stop() {
	if s.local != nil {
		s.local()
		return
	}
	s.box.Kill()
	select {
	case <-s.exited:
	case <-time.After(3 * time.Second):
	}
	s.gate.Close()
	s.box.Remove()
}

// roundTrip sends req and returns the shim's answer. A shim that has
// gone, or answers something else, ends the exercise.
func (s *shimProc) roundTrip(req wire.Request) wire.Response {
	s.seq++
	req.Seq = s.seq
	if err := s.conn.Send(req); err != nil {
		panic(&shimGone{err})
	}
	var resp wire.Response
	if err := s.conn.Receive(&resp); err != nil {
		panic(&shimGone{err})
	}
	if resp.Seq != req.Seq {
		panic(&shimGone{fmt.Errorf("an answer to request %d, not %d: the program wrote to the grader's pipe", resp.Seq, req.Seq)})
	}
	s.unfinished = resp.Unfinished
	s.rec.refusedElsewhere(resp.Late)
	return resp
}

// takeUnfinished says how many commands the last call left unanswered
// when it returned, and forgets it.
func (s *shimProc) takeUnfinished() int {
	if s == nil {
		return 0
	}
	n := s.unfinished
	s.unfinished = 0
	return n
}

// collectRefused asks the shim for the commands it refused since its last
// answer (sent after the last call returned).
func (s *shimProc) collectRefused() {
	if s != nil {
		s.roundTrip(wire.Request{})
	}
}

// remoteError is an error the learner's function returned, rebuilt: its
// text, and whether it said redis.Nil.
type remoteError struct {
	text     string
	redisNil bool
}

func (e *remoteError) Error() string { return e.text }

func (e *remoteError) Is(target error) bool { return e.redisNil && target == redis.Nil }

// remoteFunc is a function of type ft that calls name in the shim: the
// checks call it as they would call the learner's function.
func (s *shimProc) remoteFunc(name string, ft reflect.Type) any {
	return reflect.MakeFunc(ft, func(in []reflect.Value) []reflect.Value {
		rest := in[2:] // ctx and rdb are the shim's own
		args := make([]wire.Value, len(rest))
		for i, a := range rest {
			v, err := wire.Encode(a.Interface())
			if err != nil {
				panic(err) // a check passing a type wire does not know: the grader's bug
			}
			args[i] = v
		}
		resp := s.roundTrip(wire.Request{Func: name, Args: args})
		if resp.Problem != "" {
			panic(&remotePanic{value: "the grader could not call it: " + resp.Problem})
		}
		if resp.Panic != "" {
			panic(&remotePanic{value: resp.Panic, stack: resp.Stack})
		}
		for i, o := range resp.Outs {
			if i < len(args) && strings.HasPrefix(args[i].Type, "*") && len(o) > 0 {
				json.Unmarshal(o, rest[i].Interface())
			}
		}
		out := make([]reflect.Value, ft.NumOut())
		j := 0
		for k := range out {
			ot := ft.Out(k)
			if k == len(out)-1 && ot == errorType {
				out[k] = reflect.Zero(ot)
				if resp.Err != nil {
					out[k] = reflect.ValueOf(error(&remoteError{resp.Err.Text, resp.Err.RedisNil}))
				}
				continue
			}
			p := reflect.New(ot)
			if j < len(resp.Results) {
				json.Unmarshal(resp.Results[j], p.Interface())
			}
			j++
			out[k] = p.Elem()
		}
		return out
	}).Interface()
}

// crashed explains a shim that ended without answering: the learner's
// code ended the process (a panic in a goroutine of its own, os.Exit,
// log.Fatal), or broke the pipe.
func (t *T) crashed(gone *shimGone) Result {
	s := t.shim
	select {
	case <-s.exited:
	case <-time.After(2 * time.Second):
	}
	stderr := s.out.String()
	if s.box != nil && sandbox.CPULimitKilled(s.waitErr, sandbox.DefaultLimits(t.limit).CPU) {
		// The sandbox's CPU limit, a little above the exercise's,
		// stopped it before the checker's count did.
		return t.timedOut(t.limit, timeUp{how: overCPU})
	}
	t.mu.Lock()
	called, fn := t.called, t.fn
	t.mu.Unlock()
	r := Result{Status: verdict.Failed, Message: "the program stopped before the exercise was graded", Called: called}
	if s.funcs == nil {
		r.Message = "the program stopped while it started, before any of its functions could be called"
		r.Called = ""
	}
	if m := panicLine.FindStringSubmatch(stderr); m != nil {
		r.Message = "the program crashed: " + m[1]
		r.Got = m[1]
		r.Hint = "a panic in a goroutine your code starts ends the whole program: recover it there, or return an error"
	} else {
		r.Got = exitStatus(s.waitErr, gone.err)
		r.Hint = "os.Exit and log.Fatal end the whole program: return an error instead"
		if s.funcs == nil {
			r.Hint = "look for os.Exit, log.Fatal or a panic in an init function or a package-level variable's initializer"
		} else if fn != "" {
			r.Hint = "os.Exit and log.Fatal end the whole program: " + fn + " must return an error instead"
		}
	}
	r.Where = t.where(stderr)
	return r
}

// exitStatus says how the shim ended.
func exitStatus(waitErr, pipeErr error) string {
	var ee *exec.ExitError
	switch {
	case errors.As(waitErr, &ee):
		return ee.String()
	case waitErr != nil:
		return waitErr.Error()
	case pipeErr != nil && !errors.Is(pipeErr, os.ErrClosed):
		return "exit status 0 (" + pipeErr.Error() + ")"
	}
	return "exit status 0"
}

var (
	panicLine = regexp.MustCompile(`(?m)^(?:panic|fatal error): (.*)$`)
	traceHead = regexp.MustCompile(`(?m)^(?:panic|fatal error): `)
)

// stripTrace drops a crash's stack trace from what the program printed:
// the Result says where it happened.
func stripTrace(s string) string {
	if loc := traceHead.FindStringIndex(s); loc != nil {
		return s[:loc[0]]
	}
	return s
}

// capped keeps the first max bytes written to it, and counts the rest: a
// learner's loop that prints forever must not fill the grader's memory.
type capped struct {
	mu      sync.Mutex
	max     int
	buf     bytes.Buffer
	dropped int
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	room := c.max - c.buf.Len()
	if room >= len(p) {
		return c.buf.Write(p)
	}
	c.buf.Write(p[:max(room, 0)])
	c.dropped += len(p) - max(room, 0)
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// printed is what the program printed, its crash's stack trace left out.
func (c *capped) printed() string {
	s := strings.TrimRight(stripTrace(c.String()), "\n")
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dropped > 0 {
		s += fmt.Sprintf("\n… (%d more bytes)", c.dropped)
	}
	return s
}

// learnerSession serves one of the shim's Redis connections: commands
// sent while one of the learner's calls runs go to the backend through
// the grader's client (its safety rules on a real server, and the
// recorder, which watches them and pages SCAN on miniredis); others are
// refused and noted.
type learnerSession struct {
	conn *redis.Conn
	rec  *recorder
	real bool // a real server, where scripts are not run
}

// refusedCommands reach beyond an exercise: the server's configuration,
// replication, persistence, other clients, or a connection mode the gate
// does not serve.
var refusedCommands = map[string]bool{
	"subscribe": true, "psubscribe": true, "ssubscribe": true, "monitor": true, "sync": true, "psync": true,
	"replicaof": true, "slaveof": true, "shutdown": true, "debug": true, "config": true, "acl": true,
	"module": true, "save": true, "bgsave": true, "bgrewriteaof": true, "failover": true, "cluster": true,
	"function": true, "reset": true, "auth": true,
}

func (s *learnerSession) Close() { s.conn.Close() }

func (s *learnerSession) Trip(cmds []redisgate.Command) [][]byte {
	replies := make([][]byte, len(cmds))
	if !s.rec.refuseUnlessCalling(cmds) {
		for i := range replies {
			replies[i] = resp.ErrorReply("ERR grader: no function of yours is being graded now: commands sent " +
				"from init or after your function returned are refused")
		}
		return replies
	}
	var fwd []int
	for i, c := range cmds {
		name := strings.ToLower(c[0])
		sub := ""
		if len(c) > 1 {
			sub = strings.ToLower(c[1])
		}
		switch {
		case name == "hello":
			replies[i] = resp.ErrorReply("ERR unknown command 'HELLO': the grader serves RESP2")
		case name == "client" && (sub == "setname" || sub == "setinfo"):
			replies[i] = []byte("+OK\r\n")
		case name == "select" && sub == "0":
			replies[i] = []byte("+OK\r\n")
		case name == "select" || name == "client" || refusedCommands[name]:
			why := fmt.Sprintf("%s is not for an exercise", strings.ToUpper(name))
			replies[i] = resp.ErrorReply("ERR grader: " + why)
			s.rec.unserved(why, false)
		case s.real && scripts[name]:
			// What a script touches on a real server cannot be seen from
			// outside it: refused at once, saying so, never left to hang.
			why := fmt.Sprintf("%s is not run when grading on a real server (--redis): the grader cannot see what a script "+
				"touches there; the embedded server runs scripts and judges them by what they do (grade without --redis)",
				strings.ToUpper(name))
			replies[i] = resp.ErrorReply("ERR grader: " + why)
			s.rec.unserved(why, true)
		default:
			fwd = append(fwd, i)
		}
	}
	ctx := context.Background()
	args := func(c redisgate.Command) []any {
		a := make([]any, len(c))
		for i, s := range c {
			a[i] = s
		}
		return a
	}
	switch len(fwd) {
	case 0:
	case 1:
		i := fwd[0]
		name := strings.ToLower(cmds[i][0])
		if name == "scan" || name == "hscan" {
			sc := redis.NewScanCmd(ctx, s.conn.Process, args(cmds[i])...)
			s.conn.Process(ctx, sc)
			replies[i] = scanReply(sc)
		} else {
			replies[i] = cmdReply(s.conn.Do(ctx, args(cmds[i])...))
		}
	default:
		done := make([]*redis.Cmd, len(fwd))
		s.conn.Pipelined(ctx, func(p redis.Pipeliner) error {
			for j, i := range fwd {
				done[j] = p.Do(ctx, args(cmds[i])...)
			}
			return nil
		})
		for j, i := range fwd {
			replies[i] = cmdReply(done[j])
		}
	}
	for _, i := range fwd {
		if bytes.HasPrefix(replies[i], []byte("-ERR unknown command")) {
			name := strings.ToUpper(cmds[i][0])
			s.rec.unserved(fmt.Sprintf("%s is not a command the grader's Redis knows (%s)", name,
				strings.TrimSpace(string(replies[i][1:]))), false)
		}
	}
	return replies
}

func errReply(err error) []byte {
	if errors.Is(err, redis.Nil) {
		return resp.Null
	}
	var re redis.Error
	if errors.As(err, &re) {
		return resp.ErrorReply(err.Error())
	}
	return resp.ErrorReply("ERR " + err.Error())
}

func cmdReply(c *redis.Cmd) []byte {
	v, err := c.Result()
	if err != nil {
		return errReply(err)
	}
	return resp.Encode(v)
}

func scanReply(c *redis.ScanCmd) []byte {
	keys, cursor, err := c.Result()
	if err != nil {
		return errReply(err)
	}
	b := []byte("*2\r\n")
	b = append(b, resp.Bulk(strconv.FormatUint(cursor, 10))...)
	return append(b, resp.Encode(keys)...)
}
