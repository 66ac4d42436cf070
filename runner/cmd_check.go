package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/settings"
	"github.com/redis-notebook/tutorial/runner/term"
	"github.com/redis-notebook/tutorial/runner/watch"
)

func init() {
	register(command{
		name:    "check",
		args:    "[EXERCISE...]",
		summary: "grade your exercises in exercises/ (a package per chapter), or some of them (check 3, check letters, check 7 8)",
		setup:   setupCheck,
	})
}

func setupCheck(fs *flag.FlagSet) func([]string) int {
	run := defineRunFlags(fs, backendOnly)
	solutions := fs.Bool("solutions", false, "grade the reference solutions in solutions/ instead")
	dir := fs.String("dir", "", "grade the package in this folder instead (a student's submission: the folder, "+
		"or one holding redisbasics/ or exercises/redisbasics/, and so for each chapter's package)")
	asJSON := fs.Bool("json", false, "print one JSON document: per exercise, passed, points, message, duration (seconds)")
	format := fs.String("format", "text", "text; json (as --json); or gradescope: Gradescope's results.json")
	hint := fs.Bool("hint", false, "show the exercise's hint (check --hint 3) instead of grading")
	watchMode := fs.Bool("watch", false, "grade again on every save, and show the next exercise to do")
	seed := fs.Uint64("seed", 0, "make the generated cases from this seed, which check prints: the same seed, the same cases (default: a new one)")
	visibility := fs.String("visibility", "", visibilityUsage)
	stdoutVisibility := fs.String("stdout-visibility", "", stdoutVisibilityUsage)
	return func(args []string) int {
		if len(args) > 1 && *hint {
			fs.Usage()
			return exitBadArgs
		}
		if *solutions && *dir != "" {
			return fail(os.Stderr, exitBadArgs, "--solutions and --dir both name what to grade: give one")
		}
		switch *format {
		case "text":
		case "json":
			*asJSON = true
		case "gradescope":
		default:
			return fail(os.Stderr, exitBadArgs, "--format %s: the formats are text, json and gradescope", *format)
		}
		if *watchMode && (*asJSON || *format == "gradescope") {
			return fail(os.Stderr, exitBadArgs, "--watch shows results for a person; --json and --format are for tools: give one")
		}
		c := checker{out: os.Stdout, errOut: os.Stderr, settings: *run, json: *asJSON, gradescope: *format == "gradescope", seed: *seed,
			visibility: *visibility, stdoutVisibility: *stdoutVisibility}
		c.exercises = args
		if *hint {
			return c.showHint()
		}
		return c.run(*solutions, *dir, *watchMode)
	}
}

// A checkJob is one package to grade: its folder and its exercises.
type checkJob struct {
	dir       string
	exercises []grade.Exercise
}

// checker runs the check command.
type checker struct {
	out, errOut io.Writer
	settings    settings.Run
	json        bool
	gradescope  bool
	exercises   []string // as named on the command line; none: all
	seed        uint64   // of the generated cases; 0: a new one
	// Gradescope's visibilities: --visibility and --stdout-visibility.
	visibility, stdoutVisibility string
}

// showHint prints an exercise's hint, before any failure: rustlings's
// hint command.
func (c *checker) showHint() int {
	if len(c.exercises) == 0 {
		return fail(c.errOut, exitBadArgs, "--hint needs an exercise: check --hint 3, or check --hint letters")
	}
	_, _, ex, err := c.selected()
	if err != nil {
		return fail(c.errOut, exitBadArgs, "%v", err)
	}
	e := ex[0]
	width := term.TextWidth(os.Stdout)
	fmt.Fprintf(c.out, "hint for exercise %d, %s (%s):\n\n%s\n", e.ID, e.Title,
		filepath.Join("exercises", e.Package, e.File), term.Wrap(e.Hint, width))
	return exitOK
}

// selected finds the module, its manifest, and the exercises the command
// names (all of them when it names none).
func (c *checker) selected() (root string, m *grade.Manifest, exercises []grade.Exercise, err error) {
	if root, err = moduleRoot(); err != nil {
		return "", nil, nil, err
	}
	if m, err = grade.LoadManifest(root); err != nil {
		return "", nil, nil, err
	}
	if len(c.exercises) == 0 {
		exercises, err = m.Select("")
		return root, m, exercises, err
	}
	// Several named (an assignment's): each once, in the manifest's order.
	named := map[int]bool{}
	for _, arg := range c.exercises {
		ex, err := m.Select(arg)
		if err != nil {
			return "", nil, nil, err
		}
		named[ex[0].ID] = true
	}
	for _, e := range m.Exercises() {
		if named[e.ID] {
			exercises = append(exercises, e)
		}
	}
	return root, m, exercises, nil
}

func (c *checker) run(solutions bool, dir string, watching bool) int {
	root, m, exercises, err := c.selected()
	if err != nil {
		return fail(c.errOut, exitBadArgs, "%v", err)
	}
	gsOpt, err := gradescopeOptions(c.visibility, c.stdoutVisibility, exercises)
	if err != nil {
		return fail(c.errOut, exitBadArgs, "%v", err)
	}
	command := "go run ./runner check"
	switch {
	case solutions:
		command += " --solutions"
	case dir != "":
		command += " --dir " + dir
	}
	// A package per chapter: each is built and graded on its own.
	var jobs []checkJob
	for _, set := range m.ByPackage(exercises) {
		j := checkJob{exercises: set.Exercises}
		switch {
		case solutions:
			j.dir = filepath.Join(root, "solutions", set.Package)
		case dir != "":
			j.dir, err = grade.FindPackage(dir, set.Package)
			if err != nil && len(c.exercises) != 1 {
				continue // a submission of some chapters' packages: those are graded
			}
			if err != nil {
				return fail(c.errOut, exitBadArgs, "%v", err)
			}
		default:
			j.dir = filepath.Join(root, "exercises", set.Package)
		}
		jobs = append(jobs, j)
	}
	if len(jobs) == 0 {
		_, err := grade.FindPackage(dir, m.Packages[0].Package)
		return fail(c.errOut, exitBadArgs, "%v", err)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	if c.seed == 0 {
		// One seed for every package, and every grading of a watch: the
		// cases stay the same while the learner fixes what they found.
		c.seed = grade.NewSeed()
	}
	opt := grade.Options{
		Root:      root,
		RunConfig: grade.RunConfig{Run: c.settings, Seed: c.seed},
		Progress:  depsProgress(progressPrinter(os.Stderr)),
		Note:      func(s string) { fmt.Fprintf(c.errOut, "note: %s\n", term.Wrap(s, term.TextWidth(os.Stderr)-6)) },
	}
	text := grade.TextOptions{Color: term.Detect(os.Stdout).Color, CheckCommand: command, Width: term.TextWidth(os.Stdout)}
	if watching {
		return c.watch(ctx, jobs, opt, text)
	}
	var reps []*grade.Report
	for _, j := range jobs {
		rep, _, err := grade.Check(ctx, j.dir, j.exercises, opt)
		if err != nil {
			if ctx.Err() != nil {
				return exitFailed
			}
			return fail(c.errOut, exitBadArgs, "%v", err)
		}
		reps = append(reps, rep)
	}
	if !c.gradescope && !c.json {
		ok := true
		for i, rep := range reps {
			if i > 0 {
				fmt.Fprintln(c.out)
			}
			rep.WriteText(c.out, text)
			ok = ok && rep.OK()
		}
		if len(reps) > 1 {
			all := grade.Combine(reps)
			fmt.Fprintf(c.out, "\ncourse: %d/%d exercises passed\n", all.Passed(), len(all.Results))
		}
		if !ok {
			return exitFailed
		}
		return exitOK
	}
	rep := grade.Combine(reps)
	if c.gradescope {
		if err := rep.WriteGradescopeWith(c.out, gsOpt); err != nil {
			return fail(c.errOut, exitFailed, "%v", err)
		}
		return exitOK // the score says how it went; Gradescope wants the run itself to succeed
	}
	if err := rep.WriteJSON(c.out); err != nil {
		return fail(c.errOut, exitFailed, "%v", err)
	}
	if !rep.OK() {
		return exitFailed
	}
	return exitOK
}

// watch grades on every save until interrupted, as rustlings does: the
// screen shows the latest grades, the first failure explained, and the
// exercise to do next.
func (c *checker) watch(ctx context.Context, jobs []checkJob, opt grade.Options, text grade.TextOptions) int {
	var dirs, shown []string
	for _, j := range jobs {
		dirs = append(dirs, j.dir)
		shown = append(shown, displayDir(j.dir))
	}
	changes, err := watch.Changes(ctx, dirs, 150*time.Millisecond)
	if err != nil {
		return fail(c.errOut, exitBadArgs, "watching %s: %v", strings.Join(shown, ", "), err)
	}
	text.Details, text.Watching = 1, true
	tty := term.Detect(os.Stdout).Color
	for {
		if tty {
			fmt.Fprint(c.out, term.ClearScreen) // a fresh screen per save, as rustlings does
		} else {
			fmt.Fprintf(c.out, "\n=== %s\n", time.Now().Format("15:04:05"))
		}
		for i, j := range jobs {
			if i > 0 {
				fmt.Fprintln(c.out)
			}
			rep, _, err := grade.Check(ctx, j.dir, j.exercises, opt)
			switch {
			case ctx.Err() != nil:
				return exitOK
			case err != nil:
				fmt.Fprintf(c.out, "runner: %s\n", term.Visible(err.Error()))
			default:
				rep.WriteText(c.out, text)
			}
		}
		fmt.Fprintf(c.out, "\nwatching %s: save a file to grade again, Ctrl-C to stop\n", strings.Join(shown, ", "))
		select {
		case <-ctx.Done():
			fmt.Fprintln(c.out)
			return exitOK
		case _, ok := <-changes:
			if !ok {
				return exitOK
			}
		}
	}
}
