package checks

import (
	"fmt"
	"os"
	"time"

	"github.com/redis-notebook/tutorial/runner/grade/sandbox"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// An overrun says how an exercise ran out of time.
type overrun int

const (
	// overCPU: the learner's process used the limit in CPU time.
	overCPU overrun = iota + 1
	// overTime: the exercise took the limit on either of limit's clocks,
	// which do not run while the machine keeps the learner's process or
	// the checker waiting for a CPU. A call that hangs (blocked on a
	// channel, a BLPOP, a lock) uses no CPU, and must still end.
	overTime
	// overMachine: the wall-clock backstop, reached before either: the
	// machine was too busy to grade, which is the grader's failure, not
	// the learner's.
	overMachine
)

// A timeUp says how an exercise's time ran out, and how much of it the
// learner's process spent computing.
type timeUp struct {
	how        overrun
	learnerCPU time.Duration
	measured   bool // learnerCPU is known
}

// computing says the learner's code was computing most of the time:
// a loop; waiting says it hardly ever ran: a call blocked on something
// that never comes.
func (u timeUp) computing(limit time.Duration) bool {
	return u.how == overCPU || (u.measured && u.learnerCPU >= limit/2)
}

func (u timeUp) waiting(limit time.Duration) bool { return u.measured && u.learnerCPU < limit/10 }

// pollEvery is how often the limit is checked.
const pollEvery = 100 * time.Millisecond

// A limit counts an exercise's time so that the verdict does not depend
// on the machine's load. Two clocks count, and the limit is reached when
// either reaches it:
//
//   - the CPU time of the learner's process and of the checker serving
//     it (its commands to Redis, the checks): a loop, busy or sending
//     commands, takes the same CPU time on any machine;
//   - the wall clock less the time the learner's process or the checker
//     was held back, runnable but waiting for a CPU that others held: a
//     call that hangs (blocked on a channel, a BLPOP, a lock) waits for
//     nothing runnable, so its time counts in full, on any machine.
//
// The learner's CPU time alone reaching the limit says the code computes
// too long. On a quiet machine the second clock is the wall clock; on a
// busy one it runs slower, and may stop: the wall-clock backstop then
// ends the exercise as the grader's failure.
//
// The checks' own tests, which call the functions in this process
// (inProcess), count the wall clock: there the checker's threads are the
// tests' too.
type limit struct {
	limit, backstop time.Duration
	start, last     time.Time
	heldBack        time.Duration // the wall-clock time the processes waited for a CPU
	self            *sandbox.Meter
	selfCPU0        time.Duration         // the checker's CPU time before the exercise
	learner         func() *sandbox.Meter // nil until the shim has started
	inProcess       bool
}

func newLimit(d time.Duration, inProcess bool, learner func() *sandbox.Meter) *limit {
	now := time.Now()
	self := sandbox.NewMeter(os.Getpid())
	return &limit{limit: d, backstop: sandbox.Backstop(d), start: now, last: now,
		self: self, selfCPU0: self.Sample().CPU, learner: learner, inProcess: inProcess}
}

// watch returns a channel that says, once, how the time ran out.
func (l *limit) watch(stop <-chan struct{}) <-chan timeUp {
	out := make(chan timeUp, 1)
	go func() {
		tick := time.NewTicker(pollEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if u := l.check(); u.how != 0 {
				out <- u
				return
			}
		}
	}()
	return out
}

// check says whether the time has run out, and how.
func (l *limit) check() timeUp {
	now := time.Now()
	wall, interval := now.Sub(l.start), now.Sub(l.last)
	l.last = now
	self := l.self.Sample()
	if l.inProcess || !self.Known {
		if wall >= l.limit {
			return timeUp{how: overTime} // nothing to count with but the wall clock
		}
		return timeUp{}
	}
	var learner sandbox.Sample
	if m := l.learner(); m != nil {
		learner = m.Sample()
	}
	up := timeUp{learnerCPU: learner.CPU, measured: true}
	// The checker and the learner take turns (a call, its commands, the
	// replies): the time either was held back delays the exercise.
	l.heldBack += min(interval, self.Waited+learner.Waited)
	switch cpu := learner.CPU + self.CPU - l.selfCPU0; {
	case learner.CPU >= l.limit:
		up.how = overCPU
	case cpu >= l.limit || wall-l.heldBack >= l.limit:
		up.how = overTime
	case wall >= l.backstop:
		up.how = overMachine
	}
	return up
}

// machineBusy is the grader's error when the backstop is reached.
func (l *limit) machineBusy() Result {
	return Result{
		Status: verdict.Error,
		Busy:   true,
		Message: fmt.Sprintf("the grader was too slow: after %s the exercise had had less than its %s limit "+
			"of the machine's time (the machine is busy); grade it again", l.backstop.Round(time.Second), l.limit),
	}
}
