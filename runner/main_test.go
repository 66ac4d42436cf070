package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/redis-notebook/tutorial/runner/chapter"
)

// runnerBin is the runner, for the tests that run it as a learner would
// and look at its output and exit status. It is this test binary itself,
// which testscript.Main installs on $PATH as "runner" (it runs main when
// called by that name): the scripts of testdata/script and these tests
// run the same program, and nothing is built for them.
var runnerBin string

func TestMain(m *testing.M) {
	testscript.Main(findRunner{m}, map[string]func(){"runner": main})
}

// findRunner finds the runner testscript.Main installed, before the tests
// run.
type findRunner struct{ m *testing.M }

func (f findRunner) Run() int {
	bin, err := exec.LookPath("runner")
	if err != nil {
		panic("testscript.Main installed no runner on $PATH: " + err.Error())
	}
	runnerBin = bin
	return f.m.Run()
}

type result struct {
	stdout, stderr string
	code           int
}

// runner runs the runner from the module root with args and the given
// standard input. What a command prints is for the scripts of
// testdata/script to compare, exactly; these helpers are for promises a
// script cannot state (a terminal, signals, the exported program run).
func runner(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runnerIn(t, stdin, nil, args...)
}

// runnerEnv is runner with extra environment.
func runnerEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runnerIn(t, "", env, args...)
}

func runnerIn(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(runnerBin, args...)
	cmd.Dir = ".."
	cmd.Env = append(append(os.Environ(), "REDIS_URL=", "NO_COLOR=1"), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), code}
}

func (r result) expect(t *testing.T, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stdout, stdout) || !strings.Contains(r.stderr, stderr) {
		t.Errorf("exit %d, want %d; stdout should contain %q, stderr %q\nstdout:\n%s\nstderr:\n%s",
			r.code, code, stdout, stderr, r.stdout, r.stderr)
	}
}

// TestExportRunsStandalone exports every chapter and runs it with go run:
// each must compile (a cell whose last expression has no value, such as
// rdb.AddHook(h), is not displayed), and print what the runner's own run
// printed, cell after cell (compared as lines, since some cells list keys
// in no fixed order).
func TestExportRunsStandalone(t *testing.T) {
	chapters, err := chapter.List("..")
	if err != nil || len(chapters) < 2 {
		t.Fatalf("chapters: %v, %v", chapters, err)
	}
	var out string
	for _, path := range chapters {
		name := chapter.Name(path)
		out = filepath.Join(t.TempDir(), name, "main.go")
		runner(t, "", "export", name, "-o", out).expect(t, exitOK, "", "")
		src, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(src, []byte("runner/kernel")) || bytes.Contains(src, []byte("//line")) {
			t.Errorf("the exported %s depends on the runner's kernel", name)
		}
		cmd := exec.Command("go", "run", out)
		cmd.Dir = "../chapters" // where the chapter's files are
		cmd.Env = append(os.Environ(), "REDIS_URL=")
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("go run %s: %v\n%s", out, err, got)
			continue
		}
		walk := runner(t, "", "walk", name)
		var want []string
		for _, line := range strings.Split(walk.stdout, "\n") {
			if text, ok := strings.CutPrefix(line, "  │ "); ok {
				want = append(want, text)
			}
		}
		gotLines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
		// A picture's line names a file, another in each run, and the
		// walk's its size too: compared by kind.
		for _, lines := range [][]string{want, gotLines} {
			for i, l := range lines {
				if strings.HasPrefix(l, "image/") {
					lines[i], _, _ = strings.Cut(strings.Fields(l)[0], ":")
				}
			}
		}
		slices.Sort(want)
		slices.Sort(gotLines)
		if !slices.Equal(gotLines, want) {
			t.Errorf("the exported %s printed %d lines, the walk %d; they differ:\n%s", name, len(gotLines), len(want),
				strings.Join(lineDiff(want, gotLines), "\n"))
		}
	}

	// A URL that does not parse is refused without showing its password.
	cmd := exec.Command("go", "run", out)
	cmd.Dir = "../chapters"
	cmd.Env = append(os.Environ(), "REDIS_URL=redis://learner:s3cret-pass@example.com:notaport/0")
	got, err := cmd.CombinedOutput()
	if err == nil || !bytes.Contains(got, []byte("bad REDIS_URL")) || bytes.Contains(got, []byte("s3cret-pass")) {
		t.Errorf("a bad REDIS_URL with a password: %v\n%s\nwant a refusal that does not repeat the password", err, got)
	}
}

// lineDiff lists the lines of two sorted lists that only one holds.
func lineDiff(want, got []string) []string {
	var diff []string
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j == len(got) || i < len(want) && want[i] < got[j]:
			diff = append(diff, "- "+want[i])
			i++
		case i == len(want) || got[j] < want[i]:
			diff = append(diff, "+ "+got[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return diff
}

// TestRunnerLinksNoRedisClient keeps the runner quick to build for a
// newcomer: go-redis and miniredis are compiled, with progress shown, only
// for the chapter and grading programs the runner builds.
func TestRunnerLinksNoRedisClient(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "go-redis") || strings.Contains(dep, "miniredis") {
			t.Errorf("the runner depends on %s", dep)
		}
	}
}
