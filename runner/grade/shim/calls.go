package shim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// errNoCall answers a command sent while none of the package's functions
// runs; the checker's gate refuses such commands with the same words.
var errNoCall = errors.New("ERR grader: no function of yours is being graded now: " +
	"commands sent from init or after your function returned are refused")

// callWatch is the shim's own hook on the client, added before the graded
// code can see it. The checker cannot tell, from the commands reaching its
// gate, whether one was sent before the function returned or just after:
// the answer and the command travel on different pipes. Here, in the
// process, the order is known: a command in flight when the function
// returns, or started after, is a goroutine still at work, whichever way
// the machine happens to schedule it. Like everything the shim says, this
// can only cost the submission: a program that tampers with it is judged
// on the commands and the data, as before.
type callWatch struct {
	inCall   atomic.Bool
	inFlight atomic.Int64

	mu   sync.Mutex
	late []string // refused since the last answer, a few of them
}

// begin marks a call as running.
func (w *callWatch) begin() { w.inCall.Store(true) }

// end marks the call as returned and says how many of its commands were
// still unanswered. A command counts itself in flight before it looks
// whether a call runs: so every command either is counted here or sees
// that the call is over and is refused.
func (w *callWatch) end() int {
	w.inCall.Store(false)
	return int(w.inFlight.Load())
}

// takeLate returns the commands refused since the last call, and forgets
// them.
func (w *callWatch) takeLate() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	late := w.late
	w.late = nil
	return late
}

func (w *callWatch) refuse(cmds []redis.Cmder) error {
	w.mu.Lock()
	for _, c := range cmds {
		if len(w.late) < 5 {
			w.late = append(w.late, show(c))
		}
		c.SetErr(errNoCall)
	}
	w.mu.Unlock()
	return errNoCall
}

func (w *callWatch) DialHook(next redis.DialHook) redis.DialHook { return next }

func (w *callWatch) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		w.inFlight.Add(1)
		defer w.inFlight.Add(-1)
		if !w.inCall.Load() {
			return w.refuse([]redis.Cmder{cmd})
		}
		return next(ctx, cmd)
	}
}

func (w *callWatch) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		w.inFlight.Add(1)
		defer w.inFlight.Add(-1)
		if !w.inCall.Load() {
			return w.refuse(cmds)
		}
		return next(ctx, cmds)
	}
}

// show writes a command for a message, shortened.
func show(c redis.Cmder) string {
	parts := make([]string, len(c.Args()))
	for i, a := range c.Args() {
		parts[i] = fmt.Sprint(a)
	}
	s := strings.Join(parts, " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return s
}
