//go:build linux

package checks

import (
	"os/exec"
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/grade/sandbox"
)

// TestLimitTellsComputingFromWaiting: a learner's process that computes
// reaches the limit in CPU time; one that waits reaches it on the clock
// of time it could have run, and is said to have hardly run.
func TestLimitTellsComputingFromWaiting(t *testing.T) {
	for _, c := range []struct {
		name, script string
		computing    bool
	}{
		{"computing", "while :; do :; done", true},
		{"waiting", "sleep 30", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command("sh", "-c", c.script)
			if err := cmd.Start(); err != nil {
				t.Skip(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			m := sandbox.NewMeter(cmd.Process.Pid)
			const d = 400 * time.Millisecond
			l := newLimit(d, false, func() *sandbox.Meter { return m })
			var up timeUp
			for up.how == 0 {
				time.Sleep(pollEvery)
				up = l.check()
			}
			if up.how == overMachine {
				t.Skip("the machine is too busy for this test's short limit")
			}
			if up.computing(d) != c.computing || up.waiting(d) == c.computing {
				t.Errorf("%s: %+v: computing %v, waiting %v", c.name, up, up.computing(d), up.waiting(d))
			}
		})
	}
}
