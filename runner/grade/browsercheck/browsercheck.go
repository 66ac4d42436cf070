// Package browsercheck checks an exercise in the learner's own browser
// tab, with no Go toolchain and no server: a program made of the
// learner's package and of this package, compiled in the page for js/wasm
// (see MainSource), runs the grader's own checks (package checks) against
// an embedded miniredis, calling the learner's functions in the same
// program, and prints the report `go run ./runner check N` prints.
//
// The learner's code and the checks share one program here, which the
// grader never allows (package grade runs a submission in a sandboxed
// process of its own): in the learner's own tab there is no one to cheat
// but the learner. The teacher's grade still comes from `grade`. The
// learner's package is served exactly as the shim serves it (package
// shim's Serve) and reaches Redis through the same gate (see
// checks.Local), so the checks see what they see when grading, and give
// the same verdicts and messages.
package browsercheck

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck/checkprog"
	"github.com/redis-notebook/tutorial/runner/grade/checks"
	"github.com/redis-notebook/tutorial/runner/grade/shim"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// Unusable stands for a function the package declares but the program
// cannot pass as a value (it has type parameters), as in the shim.
type Unusable = shim.Unusable

// CheckCommand is the command the report names (see checkprog).
const CheckCommand = checkprog.CheckCommand

// Options says how to check.
type Options struct {
	Seed    uint64        // of the generated cases; 0: a new one, as check picks
	Timeout time.Duration // the exercise's time limit; 0: settings.DefaultTimeout
	// Graft is the folder the learner's package was compiled as, from the
	// module's root, when it is not grade.GraftImportPath's: one of a
	// program holding several (see MainCases).
	Graft string
}

// Check runs exercise e's checks against funcs, the learner's package's
// functions by name, in this process, and returns the report `runner
// check` makes of that one exercise of the package in folder display
// (exercises/<package>).
func Check(e grade.Exercise, display string, funcs map[string]any, opt Options) *grade.Report {
	start := time.Now()
	if opt.Seed == 0 {
		opt.Seed = grade.NewSeed()
	}
	if opt.Timeout <= 0 {
		opt.Timeout = settings.DefaultTimeout
	}
	if opt.Graft == "" {
		opt.Graft = strings.TrimPrefix(grade.GraftImportPath, grade.ModulePath+"/")
	}
	cfg := checks.Config{
		Exercise:  checks.Exercise{ID: e.ID, Name: e.Name, Funcs: e.Funcs},
		Timeout:   opt.Timeout,
		SourceDir: opt.Graft,
		Seed:      opt.Seed,
		Local: &checks.Local{
			Serve: func(requests io.Reader, responses io.Writer, ro redis.Options) error {
				return shim.Serve(funcs, requests, responses, ro)
			},
			Capture: capture,
		},
	}
	res := grade.Result{Result: checks.Run(cfg, nil)}
	grade.ShowGraftPaths(&res.Result, opt.Graft, display)
	return &grade.Report{
		Package:   display,
		Backend:   "miniredis",
		Exercises: []grade.Exercise{e},
		Results:   []grade.Result{grade.Scored(e, res)},
		Elapsed:   time.Since(start),
		Seed:      opt.Seed,
	}
}

// TextOptions are the report's, as `runner check` writes it where
// standard output is no terminal.
var TextOptions = grade.TextOptions{CheckCommand: CheckCommand}

// Exit statuses of the check program: see checkprog.
const (
	ExitPassed  = checkprog.ExitPassed
	ExitFailed  = checkprog.ExitFailed
	ExitNotDone = checkprog.ExitNotDone
	ExitError   = checkprog.ExitError
)

// ExitCode is the check program's exit status for status.
func ExitCode(status verdict.Status) int {
	switch status {
	case verdict.Passed:
		return ExitPassed
	case verdict.NotDone:
		return ExitNotDone
	case verdict.Error:
		return ExitError
	}
	return ExitFailed
}

// Main is the body of the generated check program (see MainSource):
// exercises are manifest entries of one package, as JSON (see
// MainSource), and funcs the learner's package's functions. It reads
// -seed, -timeout and -exercise (which of them; needed only when there
// are several), prints the report on standard output and exits with the
// verdict's status.
func Main(exercises string, funcs map[string]any) {
	run(exercises, []Case{{Funcs: funcs}})
}

// A Case is one learner's package in a program that holds several (see
// checkprog.CasesSource): its functions, and the folder it was compiled
// as, from the module's root.
type Case struct {
	Graft string
	Funcs map[string]any
}

// MainCases is Main for a program holding several learners' packages,
// as the tests build the grader's cases, many to a program: -case picks
// one, by its index in cases.
func MainCases(exercises string, cases []Case) {
	run(exercises, cases)
}

func run(exercises string, cases []Case) {
	var set grade.PackageExercises
	if err := json.Unmarshal([]byte(exercises), &set); err != nil || len(set.Exercises) == 0 {
		fmt.Fprintf(os.Stderr, "check: the exercises: %v\n", err)
		os.Exit(ExitError)
	}
	var opt Options
	id, k := 0, 0
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.Uint64Var(&opt.Seed, "seed", 0, "seed of the generated cases (0: a new one)")
	fs.DurationVar(&opt.Timeout, "timeout", settings.DefaultTimeout, "the exercise's time limit")
	fs.IntVar(&id, "exercise", 0, "the exercise to check (needed when the program has several)")
	if len(cases) > 1 {
		fs.IntVar(&k, "case", -1, "the learner's package to check, of the program's several")
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(ExitError)
	}
	if k < 0 || k >= len(cases) {
		fmt.Fprintf(os.Stderr, "check: -case %d: this program holds cases 0 to %d\n", k, len(cases)-1)
		os.Exit(ExitError)
	}
	i := slices.IndexFunc(set.Exercises, func(e grade.Exercise) bool { return e.ID == id })
	switch {
	case id == 0 && len(set.Exercises) == 1:
		i = 0
	case i < 0:
		fmt.Fprintf(os.Stderr, "check: -exercise %d: this program checks %s\n", id, ids(set.Exercises))
		os.Exit(ExitError)
	}
	e := set.Exercises[i]
	e.Package = set.Package
	opt.Graft = cases[k].Graft
	rep := Check(e, "exercises/"+set.Package, cases[k].Funcs, opt)
	rep.WriteText(os.Stdout, TextOptions)
	os.Exit(ExitCode(rep.Results[0].Status))
}

func ids(exercises []grade.Exercise) string {
	var s []string
	for _, e := range exercises {
		s = append(s, fmt.Sprint(e.ID))
	}
	return "exercises " + strings.Join(s, ", ")
}
