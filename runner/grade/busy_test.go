package grade

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// busyEnv asks for TestBusyMachine.
const busyEnv = "GRADE_BUSY_MACHINE"

// burnEnv makes the test binary a CPU burner for TestBusyMachine: it
// spins for the duration the variable holds, then exits.
const burnEnv = "GRADE_TEST_BURN"

// TestBurner is the burner's body; run as a test, it does nothing.
func TestBurner(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv(burnEnv))
	if err != nil {
		t.Skip("a CPU burner for TestBusyMachine, started by it")
	}
	runtime.GOMAXPROCS(1)
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 1e6; i++ {
		}
	}
}

// burners is how many CPU burners per core TestBusyMachine starts: enough
// that the grader's processes get a small share of each core.
const burners = 6

// TestBusyMachine grades a small class twice, on a quiet machine and
// while CPU burners keep every core busy: the verdicts must be
// the same. The reference solutions must pass, the stubs stay "not done"
// (a time limit counted on the wall clock turned them "failed"), and the
// wrong answer, the broken file and the code that panics, crashes or
// hangs must fail the same exercises. It asserts no timing: the busy run
// only takes longer.
//
// Its burners would slow every test that runs beside it, in this package
// and in the others go test runs at the same time, so it runs only when
// asked, alone: bash .ci/run does, after the other tests.
func TestBusyMachine(t *testing.T) {
	if os.Getenv(busyEnv) != "1" {
		t.Skipf("%s=1 runs it, alone: %s=1 go test -run '^TestBusyMachine$' ./runner/grade (its CPU burners slow every test beside it)",
			busyEnv, busyEnv)
	}
	dir := t.TempDir()
	broken, _ := txtar.ParseFile("testdata/compile-error.txtar")
	wrong, _ := txtar.ParseFile("testdata/wrong/lists-lpush-order.txtar")
	crash, _ := txtar.ParseFile("testdata/crash.txtar")
	submission(t, dir, "alice", "solutions", nil)
	submission(t, dir, "bob", "exercises", nil)
	submission(t, dir, "carol", "", crash.Files)
	submission(t, dir, "dave", "exercises", broken.Files)
	submission(t, dir, "erin", "solutions", wrong.Files)

	// Graded again each time: with the same seed and nothing changed,
	// the busy run would read the quiet run's verdicts back.
	opt := ClassOptions{Options: options(), Regrade: true}
	// A short limit, so that a limit counted on the wall clock would be
	// at risk on the busy machine (an exercise takes under 0.1 s on a
	// quiet one); carol's hang takes all of it.
	opt.Timeout = time.Second
	grade := func() map[string]string {
		class, err := GradeClass(context.Background(), dir, manifest.Exercises, opt)
		if err != nil {
			t.Fatal(err)
		}
		verdicts := map[string]string{}
		for _, s := range class.Submissions {
			for _, r := range s.rows(manifest.Exercises) {
				key := fmt.Sprintf("%s %d", s.Name, r.Exercise)
				verdicts[key] = string(r.Status)
				if r.Status == verdict.Error {
					verdicts[key] += ": " + r.Message
				}
			}
		}
		return verdicts
	}
	quiet := grade()
	for key, want := range map[string]verdict.Status{
		"alice 1": verdict.Passed, "alice 6": verdict.Passed, "bob 1": verdict.NotDone, "bob 6": verdict.NotDone,
		"carol 4": verdict.Failed, "dave 1": CompileStatus, "erin 2": verdict.Failed, "erin 3": verdict.Passed,
	} {
		if quiet[key] != string(want) {
			t.Errorf("quiet: %s is %q, want %q", key, quiet[key], want)
		}
	}

	// The burners stop by themselves after a while, and are killed when
	// the test ends, whichever comes first.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for range burners * runtime.NumCPU() {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestBurner$")
		cmd.Env = append(os.Environ(), burnEnv+"=4m")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
	time.Sleep(200 * time.Millisecond) // the burners at work
	busy := grade()

	var differ []string
	for key, q := range quiet {
		if busy[key] != q {
			differ = append(differ, fmt.Sprintf("%s: %q quiet, %q busy", key, q, busy[key]))
		}
	}
	if len(differ) > 0 {
		t.Errorf("%d of %d verdicts differ on a busy machine:\n%s", len(differ), len(quiet), strings.Join(differ, "\n"))
	}
}
