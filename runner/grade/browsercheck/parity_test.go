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

// parityCases are the grader's own cases (checkbuild.GraderCases),
// grouped in rounds: cases of one package whose exercises and files
// differ share a build.
func parityCases(t *testing.T, short bool) []*checkbuild.Case {
	all, err := checkbuild.GraderCases(root, course)
	if err != nil {
		t.Fatal(err)
	}
	var rounds []*checkbuild.Case
	for _, c := range all {
		if short && !strings.HasSuffix(c.Name, "-redisbasics") && !slices.Contains(shortCases, c.Name) {
			continue
		}
		i := slices.IndexFunc(rounds, func(r *checkbuild.Case) bool {
			if r.Package != c.Package || len(c.Exercises) != 1 || len(r.Exercises) == len(course.Package(c.Package).Exercises) {
				return false
			}
			for f := range c.Files {
				if _, ok := r.Files[f]; ok {
					return false
				}
			}
			return !slices.ContainsFunc(r.Exercises, func(e grade.Exercise) bool { return e.ID == c.Exercises[0].ID })
		})
		if i < 0 || len(c.Exercises) != 1 {
			rounds = append(rounds, &checkbuild.Case{Name: c.Name, Package: c.Package, Files: map[string][]byte{}})
			i = len(rounds) - 1
		} else {
			rounds[i].Name += "+" + c.Name
		}
		for f, b := range c.Files {
			rounds[i].Files[f] = b
		}
		rounds[i].Exercises = append(rounds[i].Exercises, c.Exercises...)
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
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			sem <- struct{}{}
			defer func() { <-sem }()
			slices.SortFunc(c.Exercises, func(a, b grade.Exercise) int { return a.ID - b.ID })
			pkgDir, err := c.Write(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			native := nativeReports(t, c)
			bin := buildCheck(t, pkgDir, c.Package, c.Exercises, "js", "wasm")
			var again [][]checkbuild.Report // the grader's other opinions, when needed
			for i, e := range c.Exercises {
				want := native[i]
				got, status := runWasm(t, node, bin, e.ID)
				if status == want.Status && got == want.Text {
					continue
				}
				if status == want.Status {
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
							again = append(again, nativeReports(t, c))
						}
						varies = again[try][i].Text != want.Text
					}
					if varies {
						t.Logf("exercise %d %s: the same verdict; the report differs, as it does between two of the grader's own "+
							"runs:\n--- grader:\n%s\n--- in-page check:\n%s", e.ID, e.Name, want.Text, got)
						continue
					}
				}
				mu.Lock()
				differ = append(differ, fmt.Sprintf("%s, exercise %d: %s, in the page %s", c.Name, e.ID, want.Status, status))
				mu.Unlock()
				t.Errorf("exercise %d %s: the grader says %s, the in-page check %s\n--- grader:\n%s\n--- in-page check:\n%s",
					e.ID, e.Name, want.Status, status, want.Text, got)
			}
		})
	}
}

// nativeReports grades c as `runner check` does, on the test's seed.
func nativeReports(t *testing.T, c *checkbuild.Case) []checkbuild.Report {
	t.Helper()
	reps, err := checkbuild.CheckCase(context.Background(), root, *c, seed)
	if err != nil {
		t.Fatal(err)
	}
	return reps
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
