package grade

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
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
