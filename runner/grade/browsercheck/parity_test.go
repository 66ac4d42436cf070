package browsercheck_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck/checkbuild"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

var (
	root   string
	course *grade.Manifest
	seed   uint64 // of the generated cases, the same for the whole run
)

func TestMain(m *testing.M) {
	var err error
	if root, err = filepath.Abs("../../.."); err == nil {
		course, err = grade.LoadManifest(root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	seed = 1 + rand.Uint64N(999_999_999)
	if s, err := strconv.ParseUint(os.Getenv("BROWSERCHECK_SEED"), 10, 64); err == nil {
		seed = s
	}
	fmt.Printf("browsercheck tests: BROWSERCHECK_SEED=%d\n", seed)
	os.Exit(m.Run())
}

// A parityCase is a package to check, and the exercises of it to compare.
type parityCase struct {
	name      string
	files     map[string][]byte // by path under the case's folder: redisbasics/02_lists.go
	pkg       string
	exercises []grade.Exercise
}

// parityCases are the grader's own cases (checkbuild.GraderCases),
// grouped in rounds: cases of one package whose exercises and files
// differ share a build.
func parityCases(t *testing.T, short bool) []*parityCase {
	all, err := checkbuild.GraderCases(root, course)
	if err != nil {
		t.Fatal(err)
	}
	var rounds []*parityCase
	for _, c := range all {
		if short && !strings.HasSuffix(c.Name, "-redisbasics") && !slices.Contains(shortCases, c.Name) {
			continue
		}
		i := slices.IndexFunc(rounds, func(r *parityCase) bool {
			if r.pkg != c.Package || len(c.Exercises) != 1 || len(r.exercises) == len(course.Package(c.Package).Exercises) {
				return false
			}
			for f := range c.Files {
				if _, ok := r.files[f]; ok {
					return false
				}
			}
			return !slices.ContainsFunc(r.exercises, func(e grade.Exercise) bool { return e.ID == c.Exercises[0].ID })
		})
		if i < 0 || len(c.Exercises) != 1 {
			rounds = append(rounds, &parityCase{name: c.Name, pkg: c.Package, files: map[string][]byte{}})
			i = len(rounds) - 1
		} else {
			rounds[i].name += "+" + c.Name
		}
		for f, b := range c.Files {
			rounds[i].files[f] = b
		}
		rounds[i].exercises = append(rounds[i].exercises, c.Exercises...)
	}
	return rounds
}

// shortCases are the wrong and right answers -short compares: a wrong
// result, a goroutine left at work (refused by the in-process shim's
// hook), a rule broken (the recorder behind the gate), another client's
// interference, and a right answer.
var shortCases = []string{"lists-pop-then-goroutine", "anagram-lists-keys", "leaderboard-read-add-write", "rate-limit-pipeline"}

// TestParity checks every case (with BROWSERCHECK_PARITY=full; a short
// set otherwise) natively, as `runner check` does, and with
// the in-page check program built for js/wasm and run under Node, on the
// same seed, and requires the same verdict and the same report, word for
// word, for every exercise.
func TestParity(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("the parity test runs the js/wasm check program under Node: ", err)
	}
	// The full set builds some 35 programs and grades them twice: about
	// 15 minutes on a 2-core machine, too long beside every other test.
	full := os.Getenv("BROWSERCHECK_PARITY") == "full" && !testing.Short()
	if !full {
		t.Log("comparing a short set of cases; BROWSERCHECK_PARITY=full compares every case")
	}
	cases := parityCases(t, !full)
	var mu sync.Mutex
	var differ []string
	t.Cleanup(func() {
		if len(differ) > 0 {
			t.Logf("cases whose in-page check differs from the grader's:\n%s", strings.Join(differ, "\n"))
		}
	})
	sem := make(chan struct{}, max(1, runtime.NumCPU()/2))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sem <- struct{}{}
			defer func() { <-sem }()
			dir := t.TempDir()
			for name, b := range c.files {
				p := filepath.Join(dir, "exercises", filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			pkgDir := filepath.Join(dir, "exercises", c.pkg)
			slices.SortFunc(c.exercises, func(a, b grade.Exercise) int { return a.ID - b.ID })
			native := nativeReports(t, pkgDir, c.exercises, dir)
			bin := buildCheck(t, pkgDir, c.pkg, c.exercises, "js", "wasm")
			var again [][]nativeReport // the grader's other opinions, when needed
			for i, e := range c.exercises {
				want := native[i]
				got, status := runWasm(t, node, bin, e.ID)
				if status == want.status && got == want.text {
					continue
				}
				if status == want.status {
					// The same verdict, other words: the learner's code may
					// send its commands in a Go map's order, or race a
					// goroutine against its return, and a check may name
					// the first of several keys it finds wrong; then the
					// grader's own runs differ from each other too. The
					// words must be the grader's where the grader is
					// consistent: asked again up to three times, does it
					// ever say something else?
					varies := false
					for try := 0; try < 3 && !varies; try++ {
						if len(again) <= try {
							again = append(again, nativeReports(t, pkgDir, c.exercises, dir))
						}
						varies = again[try][i].text != want.text
					}
					if varies {
						t.Logf("exercise %d %s: the same verdict; the report differs, as it does between two of the grader's own "+
							"runs:\n--- grader:\n%s\n--- in-page check:\n%s", e.ID, e.Name, want.text, got)
						continue
					}
				}
				mu.Lock()
				differ = append(differ, fmt.Sprintf("%s, exercise %d: %s, in the page %s", c.name, e.ID, want.status, status))
				mu.Unlock()
				t.Errorf("exercise %d %s: the grader says %s, the in-page check %s\n--- grader:\n%s\n--- in-page check:\n%s",
					e.ID, e.Name, want.status, status, want.text, got)
			}
		})
	}
}

// firstLine is a report's first line: the exercise, its verdict and its
// message.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

type nativeReport struct {
	status verdict.Status
	text   string
}

// nativeReports grades the package in pkgDir as `runner check` does, and
// returns each exercise's report as check prints it alone (check N), the
// folder named as from the course's root (exercises/<package>), which
// stands at dir.
func nativeReports(t *testing.T, pkgDir string, exercises []grade.Exercise, dir string) []nativeReport {
	t.Helper()
	opt := grade.Options{Root: root, Isolated: "browserchecktest", RunConfig: grade.RunConfig{Seed: seed}}
	rep, _, err := grade.Check(context.Background(), pkgDir, exercises, opt)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := grade.ReadPackage(pkgDir, pkgDir, "")
	if err == nil {
		t.Cleanup(func() { grade.RemoveIsolated("browserchecktest", pkg) })
	}
	if rep.Compile != nil {
		t.Fatalf("does not compile:\n%s", rep.Compile)
	}
	out := make([]nativeReport, len(exercises))
	for i := range exercises {
		one := &grade.Report{Package: rep.Package, Backend: rep.Backend, Exercises: rep.Exercises[i : i+1],
			Results: rep.Results[i : i+1], Seed: rep.Seed}
		var b bytes.Buffer
		one.WriteText(&b, browsercheck.TextOptions)
		text := strings.ReplaceAll(b.String(), dir+string(filepath.Separator), "")
		out[i] = nativeReport{status: one.Results[0].Status, text: text}
	}
	return out
}

// buildCheck builds the in-page check program for exercises of the
// package in pkgDir, as the page compiles it, with go build for
// goos/goarch.
func buildCheck(t *testing.T, pkgDir, pkgName string, exercises []grade.Exercise, goos, goarch string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "check.wasm")
	if _, err := checkbuild.Build(context.Background(), root, pkgDir, course.Package(pkgName), exercises, goos, goarch, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// runWasm runs the check program for exercise id under Node, as
// go_js_wasm_exec does, and returns its report and verdict.
func runWasm(t *testing.T, node, bin string, id int) (string, verdict.Status) {
	t.Helper()
	execJS := filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec_node.js")
	cmd := exec.Command(node, execJS, bin, "-seed", fmt.Sprint(seed), "-exercise", fmt.Sprint(id))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	status := map[int]verdict.Status{browsercheck.ExitPassed: verdict.Passed, browsercheck.ExitFailed: verdict.Failed,
		browsercheck.ExitNotDone: verdict.NotDone, browsercheck.ExitError: verdict.Error}[code]
	if status == "" {
		status = verdict.Status(fmt.Sprintf("exit status %d", code))
	}
	if stderr.Len() > 0 {
		t.Logf("exercise %d: the check program's standard error:\n%s", id, stderr.String())
	}
	return stdout.String(), status
}
