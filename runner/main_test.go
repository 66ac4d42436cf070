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
	"github.com/redis-notebook/tutorial/runner/internal/needs"
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
// standard input.
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

// TestChaptersOnMiniredis is `runner test` on every chapter: each cell's
// output must match the chapter's expected output.
func TestChaptersOnMiniredis(t *testing.T) {
	runner(t, "", "test").expect(t, exitOK, "chapters: 2 passed, 0 failed", "")
}

// TestChaptersOnServer runs the same chapters on miniredis and against a
// real Redis (test --both), where every cell must print the same output.
func TestChaptersOnServer(t *testing.T) {
	url := needs.Redis(t, 3) // database 3 is this test's
	r := runner(t, "", "test", "--both", "--redis", url)
	r.expect(t, exitOK, "chapters: 2 passed, 0 failed", "")
	if strings.Count(r.stdout, "on redis, same outputs") != 2 {
		t.Errorf("the chapters did not run on both backends:\n%s", r.stdout)
	}
}

func TestBadInput(t *testing.T) {
	runner(t, "", "walk", "nosuch").expect(t, exitBadArgs, "", `runner: unknown chapter "nosuch" (chapters: redis, pipelines)`)
	runner(t, "", "walk", "runner/testdata/unclosed.md").expect(t, exitBadArgs, "",
		"runner: runner/testdata/unclosed.md:5: fence ```go opened here is never closed")
	runner(t, "", "walk", "runner/testdata/empty.md").expect(t, exitBadArgs, "", "runner: runner/testdata/empty.md: the chapter is empty")
	runner(t, "", "walk", "missing.md").expect(t, exitBadArgs, "", "runner: chapter missing.md: no such file")
	runner(t, "", "walk", "redis", "--redis", "redis://127.0.0.1:1").expect(t, exitBadArgs, "", "runner: cannot reach Redis at 127.0.0.1:1")
	runner(t, "", "nosuch").expect(t, exitBadArgs, "", `unknown command "nosuch"`)
	runner(t, "", "walk").expect(t, exitBadArgs, "", "usage: go run ./runner walk CHAPTER")
}

// TestWalkStep answers the prompt twice, then quits: the walk must have
// run exactly the first two cells.
func TestWalkStep(t *testing.T) {
	r := runner(t, "\n\nq\n", "walk", "runner/notebook/testdata/basics.md", "--step")
	r.expect(t, exitFailed, "Stopped.", "")
	if n := strings.Count(r.stdout, "▶ Enter runs cell"); n != 3 {
		t.Errorf("prompted %d times, want 3:\n%s", n, r.stdout)
	}
	if !strings.Contains(r.stdout, "tick 3") || strings.Contains(r.stdout, "[]byte(") {
		t.Errorf("wrong cells ran:\n%s", r.stdout)
	}
}

func TestUpdateRewritesOutputs(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/stale.md")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "stale.md")
	os.WriteFile(path, src, 0o644)

	runner(t, "", "test", path).expect(t, exitFailed, "- old text\n+ new text", "")
	runner(t, "", "test", "--update", path).expect(t, exitOK, "2 outputs rewritten", "")
	runner(t, "", "test", path).expect(t, exitOK, "chapters: 1 passed, 0 failed", "")
	got, _ := os.ReadFile(path)
	want := strings.Replace(string(src), "old text", "new text", 1) + "\n```output\nset k v: OK\n```\n"
	if string(got) != want {
		t.Errorf("updated chapter:\n%s\nwant:\n%s", got, want)
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

// TestCheck grades as a learner and a teacher would: the reference
// solutions of every chapter's package pass, an exercise is picked by
// number or name across packages, an unknown one is bad input.
func TestCheck(t *testing.T) {
	all := runner(t, "", "check", "--solutions")
	all.expect(t, exitOK, "progress: 6/6", "")
	all.expect(t, exitOK, "progress: 5/5", "")
	all.expect(t, exitOK, "course: 11/11 exercises passed", "")
	runner(t, "", "check").expect(t, exitFailed, "course: 0/11 exercises passed", "")
	if one := runner(t, "", "check", "--solutions", "leaderboard"); strings.Contains(one.stdout, "course:") {
		t.Errorf("one exercise graded, yet a course total:\n%s", one.stdout)
	}
	runner(t, "", "check", "--solutions", "leaderboard").expect(t, exitOK, "✓ 7 leaderboard  passed", "")
	runner(t, "", "check", "--hint", "11").expect(t, exitOK, "hint for exercise 11, An atomic transfer with WATCH (exercises/pipelines/11_transfer.go)", "")
	runner(t, "", "check", "99").expect(t, exitBadArgs, "", `runner: no exercise "99"; the exercises are: 1 json, 2 lists`)
	// A student's folder holding one chapter's package: that one is graded.
	runner(t, "", "check", "--json", "--dir", "solutions/pipelines").expect(t, exitOK, `"package": "solutions/pipelines"`, "")
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

// TestBothCatchesADifference plants two cells that print differently on
// miniredis and on Redis: one in another order, one not at all alike.
// test --both names each with the fence that would fit, and --update
// refuses to record either.
func TestBothCatchesADifference(t *testing.T) {
	url := needs.Redis(t, 3)
	const path = "runner/testdata/diverges.md"
	before, err := os.ReadFile("testdata/diverges.md")
	if err != nil {
		t.Fatal(err)
	}
	r := runner(t, "", "test", "--both", "--redis", url, path)
	r.expect(t, exitFailed, "FAIL\t"+path+" (miniredis and redis differ)", "")
	for _, want := range []string{
		path + ":6: cell 1 prints differently on miniredis (-) and on redis (+)",
		"the same lines in another order: mark its output ```output unordered",
		path + ":20: cell 2 prints differently", "+ OBJECT ENCODING k: embstr", "only=redis",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("test --both output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runner(t, "", "test", "--update", "--redis", url, path)
	r.expect(t, exitFailed, "nothing written to "+path, "")
	if after, _ := os.ReadFile("testdata/diverges.md"); !bytes.Equal(before, after) {
		t.Errorf("test --update rewrote a chapter whose outputs differ between the backends")
	}
	runner(t, "", "test", "--both", path).expect(t, exitBadArgs, "", "--both compares the embedded miniredis with a real server")
}

// TestTestCountsCellEnds: `runner test` fails a chapter whose cell forged
// the chapter's end, even with the run's real token (read from the
// kernel's memory), naming the first cell that did not report its end;
// a cell that looks for the token in its environment finds none.
func TestTestCountsCellEnds(t *testing.T) {
	r := runner(t, "", "test", "runner/notebook/testdata/forge-token.md")
	r.expect(t, exitFailed, "forge-token.md:7: cell 1 did not report its end", "")
	if strings.Contains(r.stdout, "chapters: 1 passed") {
		t.Errorf("the forged chapter passed:\n%s", r.stdout)
	}
	runner(t, "", "test", "runner/notebook/testdata/forge-environ.md").
		expect(t, exitFailed, "forge-environ.md:4: cell 1 ended the program", "")
}

// TestTestLineDirective: a cell's own //line or /*line*/ directive does
// not move a compile error out of the chapter's file.
func TestTestLineDirective(t *testing.T) {
	r := runner(t, "", "test", "runner/testdata/line-directive.md")
	r.expect(t, exitFailed, "runner/testdata/line-directive.md:13:6: undefined: undefinedName", "")
	r.expect(t, exitFailed, "runner/testdata/line-directive.md:14:31: undefined: alsoUndefined", "")
	if strings.Contains(r.stdout+r.stderr, "passwd") {
		t.Errorf("a position names another file:\n%s%s", r.stdout, r.stderr)
	}
}

// TestCellEscapesShownEscaped: a cell's escape sequences reach neither the
// walk's terminal nor `runner test`'s diff raw: both show them as text.
func TestCellEscapesShownEscaped(t *testing.T) {
	walk := runner(t, "", "walk", "runner/testdata/escapes.md")
	test := runner(t, "", "test", "runner/testdata/escapes.md")
	test.expect(t, exitFailed, `+ \x1b[2J\x1b[H\x1b]52;c;eA==\x07\r✓ passed`, "")
	if !strings.Contains(walk.stdout, `│ \x1b[2J\x1b[H\x1b]52;c;eA==\x07\r✓ passed`) {
		t.Errorf("the walk does not show the escapes as text:\n%s", walk.stdout)
	}
	for name, r := range map[string]result{"walk": walk, "test": test} {
		if i := strings.IndexAny(r.stdout+r.stderr, "\x1b\x07\r"); i >= 0 {
			t.Errorf("%s printed a raw control character at %d:\n%q", name, i, r.stdout+r.stderr)
		}
	}
}
