package grade

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// TestTimeLimits grades code that computes forever and code that waits
// forever (on a channel, on a BLPOP), in the sandbox and without it: each
// fails its own exercise within the time limit, counted in CPU time for
// the first and in time it could have run for the others, and the
// message says which. The other exercises pass beside them.
func TestTimeLimits(t *testing.T) {
	t.Parallel()
	a, err := txtar.ParseFile("testdata/limits.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"sandboxed", "unsandboxed"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			opt := options()
			if mode == "sandboxed" {
				needsBwrap(t)
			} else {
				opt.NoSandbox = true
			}
			dir := t.TempDir()
			submission(t, dir, "hal", "solutions", a.Files)
			opt.Timeout = time.Second
			rep := check(t, filepath.Join(dir, "hal", "redisbasics"), manifest.Exercises, opt)
			want := map[int]string{
				1: "SaveJSON did not finish within 1s of CPU time",
				2: "PushFront did not finish within 1s",
				3: "StoreLetterCounts did not finish within 1s",
			}
			for _, r := range rep.Results {
				w, limited := want[r.Exercise]
				switch {
				case limited && (r.Status != verdict.Failed || r.Message != w):
					t.Errorf("exercise %d: %s %q, want failed %q", r.Exercise, r.Status, r.Message, w)
				case !limited && r.Status != verdict.Passed:
					t.Errorf("exercise %d: %s %q, want passed", r.Exercise, r.Status, r.Message)
				}
				if limited && !strings.Contains(text(rep), "look for a loop that never ends") {
					t.Errorf("no hint for exercise %d", r.Exercise)
				}
			}
		})
	}
}

// TestBusyIsRetriedOnce: an exercise that the checker could not grade
// because the machine was too busy is run once more; busy again, it is
// the grader's error, never the learner's failure.
func TestBusyIsRetriedOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A stand-in for the checker: busy the first n times, then passed.
	// It reads the exercise asked for first, as the checker does: had it
	// answered before, and ended, the grader's request could meet a
	// closed pipe, and the answer go unread (as it did on a busy CI
	// machine).
	checker := filepath.Join(dir, "checker")
	script := `#!/bin/sh
read -r request
n=$(cat "$0.count" 2>/dev/null || echo 0)
echo $((n+1)) > "$0.count"
if [ "$n" -lt "$BUSY_RUNS" ]; then
	echo '{"exercise":1,"status":"error","busy":true,"message":"the grader was too slow"}' >&3
else
	echo '{"exercise":1,"status":"passed"}' >&3
fi
`
	for _, c := range []struct {
		busyRuns string
		status   verdict.Status
		runs     string
	}{
		{"1", verdict.Passed, "2"},
		{"5", verdict.Error, "2"},
		{"0", verdict.Passed, "1"},
	} {
		os.WriteFile(checker, []byte(strings.Replace(script, "$BUSY_RUNS", c.busyRuns, 1)), 0o755)
		os.Remove(checker + ".count")
		h := &Harness{Bin: checker, Shim: "unused", pkg: &Package{Display: "hal"}, src: dir}
		r := h.Run(context.Background(), 1, RunConfig{Run: settings.Run{Timeout: time.Second}})
		runs, _ := os.ReadFile(checker + ".count")
		if r.Status != c.status || strings.TrimSpace(string(runs)) != c.runs {
			t.Errorf("busy %s times: %s %q after %s runs, want %s after %s", c.busyRuns, r.Status, r.Message,
				strings.TrimSpace(string(runs)), c.status, c.runs)
		}
		if c.status == verdict.Error && (!r.Busy || !strings.Contains(r.Message, "too slow")) {
			t.Errorf("busy twice: %+v, want the grader's error saying it was too slow", r.Result)
		}
	}
}
