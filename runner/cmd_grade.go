package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/settings"
)

func init() {
	register(command{
		name: "grade",
		args: "SUBMISSIONS_DIR",
		summary: "grade a class: each folder in SUBMISSIONS_DIR is one student's submission; " +
			"writes a CSV and prints a summary",
		setup: setupGrade,
	})
}

func setupGrade(fs *flag.FlagSet) func([]string) int {
	csvPath := fs.String("csv", "", "write the grades here: a row per submission and exercise "+
		"(submission, exercise, name, status, points, max_points, seconds, message); "+
		"default SUBMISSIONS_DIR/grades.csv; - for standard output")
	gradebook := fs.String("gradebook", "", "write a gradebook here: a row per submission, with its total and a column per exercise "+
		"(what Canvas, Moodle and Google Classroom import); default SUBMISSIONS_DIR/gradebook.csv; - for standard output")
	pkg := fs.String("package", "redisbasics", "the package the class hands in: a chapter's, as exercises/exercises.json lists them (redisbasics, pipelines)")
	jobs := fs.Int("jobs", runtime.NumCPU(), "how many submissions build at once (four times as many exercises run at once: they mostly wait)")
	run := settings.Defaults // a class is graded on embedded miniredis, whatever $REDIS_URL says
	fs.DurationVar(&run.Timeout, "timeout", settings.DefaultTimeout, "stop an exercise that runs longer than this; it fails, the others go on")
	feedback := fs.String("feedback", "", "write each submission's feedback (Markdown) here, as NAME.md; "+
		"default SUBMISSIONS_DIR, as NAME.feedback.md")
	format := fs.String("format", "", "also write, per submission, gradescope: Gradescope's results.json (NAME.results.json, beside the feedback)")
	visibility := fs.String("visibility", "", visibilityUsage)
	stdoutVisibility := fs.String("stdout-visibility", "", stdoutVisibilityUsage)
	seed := fs.Uint64("seed", 0, "make the generated cases from this seed, which grade prints: the same seed, the same cases (default: a new one, the same for every submission)")
	return func(args []string) int {
		if len(args) != 1 {
			fs.Usage()
			return exitBadArgs
		}
		if *format != "" && *format != "gradescope" {
			return fail(os.Stderr, exitBadArgs, "--format %s: the only other format is gradescope", *format)
		}
		return runGrade(os.Stdout, os.Stderr, args[0], *pkg, gradeOutputs{
			csv: *csvPath, gradebook: *gradebook, feedback: *feedback, gradescope: *format == "gradescope", visibility: *visibility, stdoutVisibility: *stdoutVisibility}, *jobs, run, *seed)
	}
}

// gradeOutputs say what grade writes besides its summary.
type gradeOutputs struct {
	csv        string // "" for SUBMISSIONS_DIR/grades.csv, "-" for standard output
	gradebook  string // "" for SUBMISSIONS_DIR/gradebook.csv, "-" for standard output
	feedback   string // the folder for feedback files; "" for the submissions folder
	gradescope bool   // a results.json per submission
	// Gradescope's visibilities: --visibility and --stdout-visibility.
	visibility, stdoutVisibility string
}

func runGrade(out, errOut io.Writer, dir, pkg string, outputs gradeOutputs, jobs int, run settings.Run, seed uint64) int {
	csvPath := outputs.csv
	root, err := moduleRoot()
	if err != nil {
		return fail(errOut, exitBadArgs, "%v", err)
	}
	m, err := grade.LoadManifest(root)
	if err != nil {
		return fail(errOut, exitBadArgs, "%v", err)
	}
	set := m.Package(pkg)
	if set == nil {
		var names []string
		for _, p := range m.Packages {
			names = append(names, p.Package)
		}
		return fail(errOut, exitBadArgs, "--package %s: the packages are %s", pkg, strings.Join(names, ", "))
	}
	gsOpt, err := gradescopeOptions(outputs.visibility, outputs.stdoutVisibility, set.Exercises)
	if err != nil {
		return fail(errOut, exitBadArgs, "%v", err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fail(errOut, exitBadArgs, "%s: not a folder of submissions", dir)
	}
	if csvPath == "" {
		csvPath = filepath.Join(dir, "grades.csv")
	}
	gradebookPath := outputs.gradebook
	if gradebookPath == "" {
		gradebookPath = filepath.Join(dir, "gradebook.csv")
	}
	if csvPath == "-" && gradebookPath == "-" {
		return fail(errOut, exitBadArgs, "--csv - and --gradebook -: only one can go to standard output")
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	fmt.Fprintf(errOut, "grading the submissions in %s…\n", dir)
	class, err := grade.GradeClass(ctx, dir, set.Exercises, grade.ClassOptions{
		Options: grade.Options{
			Root:      root,
			RunConfig: grade.RunConfig{Run: run, Seed: seed},
			Jobs:      jobs,
			Progress:  depsProgress(progressPrinter(os.Stderr)),
			Note:      func(s string) { fmt.Fprintf(errOut, "note: %s\n", s) },
		},
	})
	if err != nil {
		if ctx.Err() != nil {
			return exitFailed
		}
		return fail(errOut, exitBadArgs, "%v", err)
	}
	var csv bytes.Buffer
	if err := class.WriteCSV(&csv); err != nil {
		return fail(errOut, exitFailed, "%v", err)
	}
	if csvPath == "-" {
		out.Write(csv.Bytes())
		fmt.Fprintln(out)
	} else if err := os.WriteFile(csvPath, csv.Bytes(), 0o644); err != nil {
		return fail(errOut, exitFailed, "writing the grades: %v", err)
	}
	var book bytes.Buffer
	if err := class.WriteGradebook(&book); err != nil {
		return fail(errOut, exitFailed, "%v", err)
	}
	if gradebookPath == "-" {
		out.Write(book.Bytes())
		fmt.Fprintln(out)
	} else if err := os.WriteFile(gradebookPath, book.Bytes(), 0o644); err != nil {
		return fail(errOut, exitFailed, "writing the gradebook: %v", err)
	}
	feedbackDir, suffix := outputs.feedback, ".md"
	if feedbackDir == "" {
		feedbackDir, suffix = dir, ".feedback.md"
	}
	if err := os.MkdirAll(feedbackDir, 0o755); err != nil {
		return fail(errOut, exitFailed, "writing the feedback: %v", err)
	}
	for _, s := range class.Submissions {
		var md, gs bytes.Buffer
		s.WriteMarkdown(&md, class.Exercises)
		if err := os.WriteFile(filepath.Join(feedbackDir, s.Name+suffix), md.Bytes(), 0o644); err != nil {
			return fail(errOut, exitFailed, "writing the feedback: %v", err)
		}
		if outputs.gradescope {
			if err := s.WriteGradescope(&gs, class.Exercises, gsOpt); err != nil {
				return fail(errOut, exitFailed, "%v", err)
			}
			if err := os.WriteFile(filepath.Join(feedbackDir, s.Name+".results.json"), gs.Bytes(), 0o644); err != nil {
				return fail(errOut, exitFailed, "writing the results: %v", err)
			}
		}
	}
	class.WriteSummary(out)
	if csvPath != "-" {
		fmt.Fprintf(out, "grades: %s\n", csvPath)
	}
	if gradebookPath != "-" {
		fmt.Fprintf(out, "gradebook: %s\n", gradebookPath)
	}
	fmt.Fprintf(out, "feedback: %s\n", filepath.Join(feedbackDir, "NAME"+suffix))
	if outputs.gradescope {
		fmt.Fprintf(out, "Gradescope results: %s\n", filepath.Join(feedbackDir, "NAME.results.json"))
	}
	return exitOK
}

const (
	visibilityUsage = "with --format gradescope, when students see each exercise's test: a comma-separated list of " +
		"VISIBILITY (every exercise's) and EXERCISE=VISIBILITY (an id or a name), the visibilities being hidden, " +
		"after_due_date, after_published and visible (default visible, as Gradescope's)"
	stdoutVisibilityUsage = "with --format gradescope, when students see the autograder's standard output: " +
		"hidden, after_due_date, after_published or visible (default hidden, as Gradescope's)"
)

// gradescopeOptions reads --visibility and --stdout-visibility.
func gradescopeOptions(visibility, stdout string, exercises []grade.Exercise) (grade.GradescopeOptions, error) {
	opt, err := grade.ParseGradescopeVisibility(visibility, exercises)
	if err != nil {
		return opt, fmt.Errorf("--visibility %w", err)
	}
	if stdout != "" && !slices.Contains(grade.GradescopeVisibilities, stdout) {
		return opt, fmt.Errorf("--stdout-visibility %s: the visibilities are %s", stdout, strings.Join(grade.GradescopeVisibilities, ", "))
	}
	opt.Stdout = stdout
	return opt, nil
}
