// Package grade grades the chapter's exercises: it reads the manifest and
// the package being graded (the learner's exercises, the reference
// solutions, or any student's folder), refusing files that are not the
// student's own; builds a shim around the package (package shim) and the
// checker (package checks), which links no submission code; runs the
// exercises in a checker process (one per submission in a class), which
// runs them one after another, calls the package's functions in a
// sandboxed shim process of each exercise's own (package sandbox) and
// decides the verdict; and reports, as text for the learner, as JSON, Markdown feedback
// or Gradescope results for classroom tools, or as a CSV for a whole class.
package grade

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/grade/sandbox"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// Options says how to grade.
type Options struct {
	Root string // the module root (required)
	RunConfig
	// Jobs is how many exercises run at once; 0: one per CPU. On a real
	// server they always run one at a time, since they share its
	// database.
	Jobs     int
	Progress build.Progress // hears about slow builds; may be nil
	// Isolated, when set, builds the harness under a name of its own in
	// the build cache, this prefix and the package's hash, safe from the
	// pruning of other builds running at the same time; the caller
	// removes it (RemoveIsolated) or keeps it for next time. Classes
	// ("gradeone") and tests ("gradetest") build this way.
	Isolated string
	// NoSandbox runs the shim without bubblewrap's namespaces even where
	// it works (the limits and the process-group kill still apply).
	NoSandbox bool
	// Note hears, once, that submissions run without namespaces because
	// bubblewrap does not work here, and how to fix that. May be nil.
	Note func(string)
	// checkerPerExercise runs each exercise in a checker process of its
	// own, as before a checker ran several: the tests compare both.
	checkerPerExercise bool
}

// sandboxCheck finds a working bwrap once per process.
var sandboxCheck = sync.OnceValues(sandbox.Detect)

// bwrap returns bubblewrap's path, or "" after noting (once) why the
// submissions run without it.
func (o Options) bwrap() string {
	if o.NoSandbox {
		return ""
	}
	path, err := sandboxCheck()
	if err != nil && o.Note != nil {
		unsandboxedNote.Do(func() {
			o.Note(fmt.Sprintf("graded code runs without a sandbox (%v): it is limited in memory, processes and time, "+
				"and killed at the end, but can read and write what you can. To run it sandboxed, %s", err, sandbox.InstallHint))
		})
	}
	return path
}

var unsandboxedNote sync.Once

func (o Options) jobs() int {
	if o.RedisURL != "" {
		return 1
	}
	if o.Jobs > 0 {
		return o.Jobs
	}
	return runtime.NumCPU()
}

// timings add up where grading's time goes (wall time, summed over what
// runs at once), for the benchmarks.
var timings struct {
	builds atomic.Int64 // nanoseconds building shims (compile and link), checkers included
	runs   atomic.Int64 // nanoseconds running exercises
	// batched counts the submissions whose shim was a batch's (see
	// buildBatches).
	batched atomic.Int64
}

// A Result is one exercise's grade.
type Result struct {
	verdict.Result
	Name   string // from the manifest
	Points int    // earned
	Max    int    // possible
}

// A Report is one package's grades.
type Report struct {
	Package string // the graded folder, as messages name it
	Backend string // "miniredis" or "redis"
	// Compile is set when the package does not compile: then there are
	// no Results, and every exercise scores 0.
	Compile *build.CompileError
	// LeftOut are files, not an exercise's own, that were refused or did
	// not compile, and were left out of the build.
	LeftOut   []build.Diagnostic
	Exercises []Exercise // those graded
	Results   []Result   // in the same order
	Elapsed   time.Duration
	Seed      uint64 // of the generated cases: the same seed, the same cases
}

// Passed counts the exercises that passed.
func (r *Report) Passed() int {
	n := 0
	for _, res := range r.Results {
		if res.Status == verdict.Passed {
			n++
		}
	}
	return n
}

// Points adds up the points earned.
func (r *Report) Points() int {
	n := 0
	for _, res := range r.Results {
		n += res.Points
	}
	return n
}

// MaxPoints adds up the points the graded exercises are worth.
func (r *Report) MaxPoints() int {
	n := 0
	for _, e := range r.Exercises {
		n += e.Points
	}
	return n
}

// OK says whether every graded exercise passed.
func (r *Report) OK() bool { return r.Compile == nil && r.Passed() == len(r.Exercises) }

// Check grades the package in dir on the exercises given, which are all of
// one package of the manifest (see Manifest.ByPackage). A package that
// does not compile is a Report with Compile set; an error means grading
// itself failed (no such folder, no Go toolchain). The harness it built is
// returned too (nil if none), for a caller that removes it when it is
// superseded.
func Check(ctx context.Context, dir string, exercises []Exercise, opt Options) (*Report, *Harness, error) {
	pkg, err := ReadPackage(dir, displayPath(dir), "")
	if err != nil {
		return nil, nil, err
	}
	return checkPackage(ctx, pkg, exercises, opt, limits{})
}

// brokenResult is the grade of an exercise whose file was refused or
// did not compile: the others were graded with its stub in its place.
func brokenResult(e Exercise, diags []build.Diagnostic) Result {
	status, what := verdict.Status(CompileStatus), "does not compile"
	if slices.ContainsFunc(diags, refused) {
		status, what = RefusedStatus, "not graded"
	}
	lines := make([]string, len(diags))
	for i, d := range diags {
		lines[i] = d.String()
	}
	return Result{Name: e.Name, Max: e.Points, Result: verdict.Result{
		Exercise: e.ID, Status: status,
		Message: what + ": " + diags[0].String(),
		Got:     strings.Join(lines, "\n"),
		Where:   fmt.Sprintf("%s:%d", diags[0].File, diags[0].Line),
		Hint:    "fix " + filepath.Base(diags[0].File) + "; meanwhile the other exercises were graded with its stub in its place",
	}}
}

// limits bound how many builds and exercise runs go at once, across the
// packages that share them (a class). A nil channel: builds unbounded,
// runs bounded by Options.Jobs.
type limits struct{ builds, runs chan struct{} }

// checkPackage builds pkg's harness and runs the exercises, within lim.
// It returns the harness too, for a caller that removes it when done (see
// Harness.Remove).
func checkPackage(ctx context.Context, pkg *Package, exercises []Exercise, opt Options, lim limits) (*Report, *Harness, error) {
	return checkBuilt(ctx, pkg, exercises, opt, lim, nil)
}

// checkBuilt is checkPackage with pkg's harness pre, when it is built
// already (a class's batch: see buildBatches), else built here.
func checkBuilt(ctx context.Context, pkg *Package, exercises []Exercise, opt Options, lim limits, pre *built) (*Report, *Harness, error) {
	start := time.Now()
	if opt.Seed == 0 {
		opt.Seed = NewSeed() // one for all the exercises, recorded in the report
	}
	rep := &Report{Package: pkg.Display, Backend: string(opt.Backend()), Exercises: exercises, Seed: opt.Seed}
	m, err := LoadManifest(opt.Root)
	if err != nil {
		return nil, nil, err
	}
	if len(exercises) == 0 {
		return nil, nil, errors.New("grade: no exercises to grade")
	}
	set := m.Package(exercises[0].Package)
	if set == nil || slices.ContainsFunc(exercises, func(e Exercise) bool { return e.Package != set.Package }) {
		return nil, nil, fmt.Errorf("grade: the exercises to grade are not all of one package of %s", ManifestPath)
	}
	b := pre
	if b == nil {
		if lim.builds != nil {
			lim.builds <- struct{}{}
		}
		buildStart := time.Now()
		b, err = buildGraded(ctx, pkg, set, opt)
		timings.builds.Add(int64(time.Since(buildStart)))
		if lim.builds != nil {
			<-lim.builds
		}
	}
	if ce, ok := errors.AsType[*build.CompileError](err); ok {
		rep.Compile = ce
		rep.Elapsed = time.Since(start)
		return rep, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	h := b.h
	exFiles := map[string]bool{}
	for _, e := range set.Exercises {
		exFiles[e.File] = true
	}
	for _, name := range slices.Sorted(maps.Keys(b.broken)) {
		if !exFiles[name] {
			rep.LeftOut = append(rep.LeftOut, b.broken[name]...)
		}
	}
	opt.Bwrap = opt.bwrap()
	if opt.RedisURL != "" {
		// A class's exercises are running in the same database: the
		// probe waits its turn, not to find their keys.
		if lim.runs != nil {
			lim.runs <- struct{}{}
		}
		err := h.TryBackend(ctx, opt.RunConfig)
		if lim.runs != nil {
			<-lim.runs
		}
		if err != nil {
			return nil, h, &backendError{err}
		}
	}
	// The exercises run in a checker process: in a class, one per
	// submission, holding one of the class's places while it runs them
	// one after another; alone, as many as there are jobs.
	workers, slots := opt.jobs(), lim.runs
	if slots != nil {
		workers = 1
	}
	rep.Results = make([]Result, len(exercises))
	var ids []int
	var at []int
	for i, e := range exercises {
		if diags, ok := b.broken[e.File]; ok {
			rep.Results[i] = brokenResult(e, diags)
			continue
		}
		ids = append(ids, e.ID)
		at = append(at, i)
	}
	if len(ids) > 0 {
		runStart := time.Now()
		res := h.runAll(ctx, ids, opt.RunConfig, workers, slots, opt.checkerPerExercise)
		timings.runs.Add(int64(time.Since(runStart)))
		for k, r := range res {
			rep.Results[at[k]] = Scored(exercises[at[k]], r)
		}
	}
	rep.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, h, err
	}
	return rep, h, nil
}

// Scored is res, exercise e's run, with e's name and points, and e's
// hint for a failure that gave none of its own.
func Scored(e Exercise, res Result) Result {
	res.Name, res.Max = e.Name, e.Points
	if res.Status == verdict.Passed {
		res.Points = e.Points
	}
	if res.Hint == "" && res.Status == verdict.Failed {
		res.Hint = e.Hint
	}
	return res
}

// A backendError is a real server that refused to grade: unreachable, or
// its database holding keys (without AllowDirty). A class stops at it.
type backendError struct{ err error }

func (e *backendError) Error() string { return e.err.Error() }
func (e *backendError) Unwrap() error { return e.err }

// Combine makes one report of the reports of several packages, for the
// formats that hold one (JSON, Gradescope's): their exercises and results
// in order, a package that did not compile as its exercises each failed
// with that status. One report is returned as it is.
func Combine(reps []*Report) *Report {
	if len(reps) == 1 {
		return reps[0]
	}
	c := &Report{}
	var names []string
	for _, r := range reps {
		names = append(names, r.Package)
		c.Backend, c.Seed = r.Backend, r.Seed
		c.LeftOut = append(c.LeftOut, r.LeftOut...)
		c.Exercises = append(c.Exercises, r.Exercises...)
		c.Results = append(c.Results, r.rows()...)
		c.Elapsed += r.Elapsed
	}
	c.Package = strings.Join(names, ", ")
	return c
}
