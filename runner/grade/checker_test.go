package grade

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// countedChecker returns a stand-in for the checker bin that counts its
// starts in a file, then becomes bin, and a function that reads the count.
func countedChecker(t *testing.T, bin string) (string, func() int) {
	t.Helper()
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "checker")
	script := fmt.Sprintf("#!/bin/sh\necho start >> %q\nexec %q \"$@\"\n", wrapper+".starts", bin)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return wrapper, func() int {
		b, _ := os.ReadFile(wrapper + ".starts")
		return strings.Count(string(b), "start")
	}
}

// untimed is results without their times, which no two runs share.
func untimed(rs []Result) []Result {
	out := slices.Clone(rs)
	for i := range out {
		out[i].Duration = 0
	}
	return out
}

// TestOneCheckerRunsAll: a submission's exercises run in one checker
// process, one after another; one that panics, prints, crashes its whole
// program, hangs or exits fails alone, and the checker goes on with the
// next (testdata/crash.txtar). Each result is the one a checker of its
// own gives that exercise.
func TestOneCheckerRunsAll(t *testing.T) {
	t.Parallel()
	a, err := txtar.ParseFile("testdata/crash.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, a.Files)
	pkg, err := ReadPackage(filepath.Join(dir, "redisbasics"), "crash", "")
	if err != nil {
		t.Fatal(err)
	}
	h, err := CompileHarness(context.Background(), root, manifest, pkg, testBuilds, nil)
	if err != nil {
		t.Fatal(err)
	}
	var starts func() int
	h.Bin, starts = countedChecker(t, h.Bin)
	var ids []int
	for _, e := range manifest.Exercises {
		ids = append(ids, e.ID)
	}
	cfg := RunConfig{Run: settings.Run{Timeout: 2 * time.Second}, Seed: seed, Bwrap: options().bwrap()}
	one := h.runAll(context.Background(), ids, cfg, 1, nil, false)
	if n := starts(); n != 1 {
		t.Errorf("%d checkers started for %d exercises, want 1", n, len(ids))
	}
	want := []struct {
		status  verdict.Status
		message string
	}{
		{verdict.Failed, "SaveJSON panicked: runtime error: index out of range [3] with length 0"},
		{verdict.Failed, "PushFront left the list"},
		{verdict.Failed, "the program crashed: assignment to entry in nil map"},
		{verdict.Failed, "BigAnagramLists did not finish within 2s"},
		{verdict.Failed, "the program stopped before the exercise was graded"},
		{verdict.NotDone, "not done yet"},
	}
	for i, r := range one {
		if r.Exercise != ids[i] || r.Status != want[i].status || !strings.HasPrefix(r.Message, want[i].message) {
			t.Errorf("exercise %d: %d %s %q, want %s %q", ids[i], r.Exercise, r.Status, r.Message, want[i].status, want[i].message)
		}
	}
	if !strings.Contains(one[1].Output, "pushing [a b c]") {
		t.Errorf("exercise 2's output %q, want what it printed", one[1].Output)
	}
	each := h.runAll(context.Background(), ids, cfg, 1, nil, true)
	if n := starts(); n != 1+len(ids) {
		t.Errorf("%d checkers started, a checker per exercise: want %d", n-1, len(ids))
	}
	show := func(rs []Result) string {
		return logTime.ReplaceAllString(fmt.Sprintf("%+v", untimed(rs)), "YYYY/MM/DD hh:mm:ss")
	}
	if a, b := show(one), show(each); a != b {
		t.Errorf("one checker:\n%s\na checker per exercise:\n%s", a, b)
	}
}

// standIn writes a stand-in for the checker that serves requests as the
// checker does, answering each exercise "passed", but for exercise bad,
// where it does what do says (shell), and counts its starts.
func standIn(t *testing.T, bad int, do string) (string, func() int) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "checker")
	script := `#!/bin/sh
echo start >> "$0.starts"
while read -r line; do
	id=$(echo "$line" | sed 's/.*"id":\([0-9]*\).*/\1/')
	if [ "$id" = "BAD" ]; then
		DO
	fi
	echo "{\"exercise\":$id,\"status\":\"passed\"}" >&3
done
`
	script = strings.NewReplacer("BAD", fmt.Sprint(bad), "DO", do).Replace(script)
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, func() int {
		b, _ := os.ReadFile(bin + ".starts")
		return strings.Count(string(b), "start")
	}
}

// TestCheckerEndsOrHangs: a checker that ends without answering (its own
// crash) gives the exercise it was running the grader's error, with what
// it wrote; one that does not answer is stopped after its time, and the
// exercise run once more (then reported busy). Either way the exercises
// after it are run, by a new checker, and pass.
func TestCheckerEndsOrHangs(t *testing.T) {
	t.Parallel()
	ids := []int{1, 2, 3, 4}
	for _, c := range []struct {
		name, do string
		status   verdict.Status
		message  string
		starts   int
	}{
		{"crash", "echo 'panic: the grader broke' >&2; exit 2", verdict.Error,
			"the grader's checker gave no result (exit status 2)", 2},
		{"hang", "exec sleep 60", verdict.Error, "the grader was too slow: its checker did not finish within 1s", 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			bin, starts := standIn(t, 2, c.do)
			h := &Harness{Bin: bin, Shim: "unused", pkg: &Package{Display: "hal"}, src: t.TempDir(), killAfter: time.Second}
			rs := h.runAll(context.Background(), ids, RunConfig{Run: settings.Run{Timeout: time.Second}}, 1, nil, false)
			for i, r := range rs {
				want, msg := verdict.Passed, ""
				if ids[i] == 2 {
					want, msg = c.status, c.message
				}
				if r.Exercise != ids[i] || r.Status != want || !strings.HasPrefix(r.Message, msg) {
					t.Errorf("exercise %d: %d %s %q, want %s %q", ids[i], r.Exercise, r.Status, r.Message, want, msg)
				}
			}
			if c.name == "crash" && !strings.Contains(rs[1].Got, "the grader broke") {
				t.Errorf("the crash's result shows %q, not what the checker wrote", rs[1].Got)
			}
			if c.name == "hang" && (!rs[1].Busy || !strings.HasSuffix(rs[1].Message, "(twice)")) {
				t.Errorf("the hang's result: %+v, want busy twice", rs[1].Result)
			}
			if n := starts(); n != c.starts {
				t.Errorf("%d checkers started, want %d", n, c.starts)
			}
		})
	}
}

// TestOneCheckerSameResults grades a class with a checker per
// submission and with a checker per exercise, as before: the same
// grades, feedback and Gradescope results, byte for byte.
func TestOneCheckerSameResults(t *testing.T) {
	if testing.Short() {
		t.Skip("grades a class twice")
	}
	t.Parallel()
	dir := t.TempDir()
	sameResultsClass(t, dir)
	grade := func(perExercise bool) *Class {
		t.Helper()
		opt := ClassOptions{Options: Options{Root: root, RunConfig: RunConfig{Seed: 2026}, checkerPerExercise: perExercise},
			Regrade: true}
		opt.Timeout = 3 * time.Second
		c, err := GradeClass(context.Background(), dir, manifest.Exercises, opt)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := untimedOutputs(t, grade(true)), untimedOutputs(t, grade(false))
	if a != b {
		al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
		for i := range min(len(al), len(bl)) {
			if al[i] != bl[i] {
				t.Fatalf("one checker per submission, line %d differs:\nper exercise:   %s\nper submission: %s", i+1, al[i], bl[i])
			}
		}
		t.Fatalf("one checker per submission: %d lines, per exercise %d", len(bl), len(al))
	}
}
