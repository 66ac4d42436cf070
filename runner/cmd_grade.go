package main

import (
	"bytes"
	"cmp"
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
			"writes a CSV and prints a summary (grade merge PARTS...: one class of grade --shard's parts)",
		setup: setupGrade,
	})
}

func setupGrade(fs *flag.FlagSet) func([]string) int {
	var outputs gradeOutputs
	fs.StringVar(&outputs.csv, "csv", "", "write the grades here: a row per submission and exercise "+
		"(submission, exercise, name, status, points, max_points, seconds, message); "+
		"default SUBMISSIONS_DIR/grades.csv (merge: grades.csv); - for standard output")
	fs.StringVar(&outputs.gradebook, "gradebook", "", "write a gradebook here: a row per submission, with its total and a column per exercise "+
		"(what Canvas, Moodle and Google Classroom import); default SUBMISSIONS_DIR/gradebook.csv (merge: gradebook.csv); - for standard output")
	pkg := fs.String("package", "redisbasics", "the package the class hands in: a chapter's, as exercises/exercises.json lists them (redisbasics, pipelines, searchindex)")
	jobs := fs.Int("jobs", runtime.NumCPU(), "how many submissions build at once (four times as many exercises run at once: they mostly wait)")
	run := settings.Defaults // a class is graded on embedded miniredis, whatever $REDIS_URL says
	fs.DurationVar(&run.Timeout, "timeout", settings.DefaultTimeout, "stop an exercise that runs longer than this; it fails, the others go on")
	fs.Var(redisURLValue{&run.RedisURL}, "redis", "grade on the real Redis server at this `URL`, every exercise of the class one after "+
		"another in its database, as check --redis does (default: an embedded miniredis per exercise, whatever $REDIS_URL says); "+
		"with no /N in the URL, database 15, or the highest empty one on a server with fewer")
	fs.Func("redis-url-file", "read the Redis URL from the first line of this `FILE`, "+
		"so that its password stays out of the command line and shell history", func(path string) error {
		url, err := readURLFile(path)
		run.RedisURL = url
		return err
	})
	fs.BoolVar(&run.AllowDirty, "allow-dirty", false, "with --redis, grade even if the server's database already holds keys (they are never touched)")
	fs.StringVar(&outputs.feedback, "feedback", "", "write each submission's feedback (Markdown) here, as NAME.md; "+
		"default SUBMISSIONS_DIR, as NAME.feedback.md (merge: feedback/NAME.md)")
	format := fs.String("format", "", "also write, per submission, gradescope: Gradescope's results.json (NAME.results.json, beside the feedback)")
	fs.StringVar(&outputs.visibility, "visibility", "", visibilityUsage)
	fs.StringVar(&outputs.stdoutVisibility, "stdout-visibility", "", stdoutVisibilityUsage)
	seed := fs.Uint64("seed", 0, "make the generated cases from this seed, which grade prints: the same seed, the same cases (default: a new one, the same for every submission)")
	shard := fs.String("shard", "", "grade only shard K/N of the class (2/5: the second of five), the same submissions on any machine, "+
		"into the --part folder; grade merge makes the class of the parts (needs --seed, the same for every shard)")
	part := fs.String("part", "", "keep each submission's results in this folder as it finishes, so that the same command, "+
		"run again after Ctrl-C, goes on where it stopped (default with --shard K/N: grade-part-K-of-N)")
	regrade := fs.Bool("regrade", false, "grade every submission again, even one graded before with the same files, grader, seed and settings "+
		"(by default its verdicts, kept in the runner's cache, are reused)")
	return func(args []string) int {
		if *format != "" && *format != "gradescope" {
			return fail(os.Stderr, exitBadArgs, "--format %s: the only other format is gradescope", *format)
		}
		outputs.gradescope = *format == "gradescope"
		if len(args) > 0 && args[0] == "merge" {
			var wrong []string
			fs.Visit(func(f *flag.Flag) {
				if !slices.Contains([]string{"csv", "gradebook", "feedback", "format", "visibility", "stdout-visibility"}, f.Name) {
					wrong = append(wrong, "--"+f.Name)
				}
			})
			if len(wrong) > 0 {
				return fail(os.Stderr, exitBadArgs, "grade merge writes the parts' grades: %s is for grading", strings.Join(wrong, ", "))
			}
			if len(args) == 1 {
				return fail(os.Stderr, exitBadArgs, "grade merge needs the part folders to merge: grade merge PARTS...")
			}
			return runMerge(os.Stdout, os.Stderr, args[1:], outputs)
		}
		if len(args) != 1 {
			fs.Usage()
			return exitBadArgs
		}
		var sh grade.Shard
		if *shard != "" {
			var err error
			if sh, err = grade.ParseShard(*shard); err != nil {
				return fail(os.Stderr, exitBadArgs, "--shard %v", err)
			}
			if sh.N > 1 {
				if *seed == 0 {
					return fail(os.Stderr, exitBadArgs, "--shard %s needs --seed: every shard grades on the same cases (any number: --seed 1)", sh)
				}
				if outputs != (gradeOutputs{}) { // any of --csv, --gradebook, --feedback, --format, --visibility…
					return fail(os.Stderr, exitBadArgs, "--shard %s grades a part of the class into --part: grade merge PARTS... writes the grades, gradebook and feedback", sh)
				}
				if *part == "" {
					*part = fmt.Sprintf("grade-part-%d-of-%d", sh.K, sh.N)
				}
			}
		}
		return runGrade(os.Stdout, os.Stderr, args[0], *pkg, outputs, *jobs, run, *seed, sh, *part, *regrade)
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

func runGrade(out, errOut io.Writer, dir, pkg string, outputs gradeOutputs, jobs int, run settings.Run, seed uint64, shard grade.Shard, part string, regrade bool) int {
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
	if outputs.csv == "" {
		outputs.csv = filepath.Join(dir, "grades.csv")
	}
	if outputs.gradebook == "" {
		outputs.gradebook = filepath.Join(dir, "gradebook.csv")
	}
	if outputs.csv == "-" && outputs.gradebook == "-" {
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
		Shard:   shard,
		Part:    part,
		Regrade: regrade,
	})
	if err != nil {
		if ctx.Err() != nil {
			if part != "" {
				fmt.Fprintf(errOut, "interrupted: the submissions graded are kept in %s; the same command goes on from there\n", part)
			}
			return exitFailed
		}
		return fail(errOut, exitBadArgs, "%v", err)
	}
	if shard.N > 1 {
		class.WriteSummary(out)
		fmt.Fprintf(out, "part: %s (grade merge PARTS... makes the class's grades of every shard's part)\n", part)
		return exitOK
	}
	feedbackSuffix := ".md"
	if outputs.feedback == "" {
		outputs.feedback, feedbackSuffix = dir, ".feedback.md"
	}
	return writeClass(out, errOut, class, outputs, feedbackSuffix, gsOpt)
}

// runMerge makes one class of the part folders of grade --shard, and
// writes its grades, gradebook, feedback and summary.
func runMerge(out, errOut io.Writer, parts []string, outputs gradeOutputs) int {
	root, err := moduleRoot()
	if err != nil {
		return fail(errOut, exitBadArgs, "%v", err)
	}
	m, err := grade.LoadManifest(root)
	if err != nil {
		return fail(errOut, exitBadArgs, "%v", err)
	}
	class, err := grade.MergeParts(parts, m)
	if err != nil {
		return fail(errOut, exitBadArgs, "%v", err)
	}
	gsOpt, err := gradescopeOptions(outputs.visibility, outputs.stdoutVisibility, class.Exercises)
	if err != nil {
		return fail(errOut, exitBadArgs, "%v", err)
	}
	outputs.csv = cmp.Or(outputs.csv, "grades.csv")
	outputs.gradebook = cmp.Or(outputs.gradebook, "gradebook.csv")
	outputs.feedback = cmp.Or(outputs.feedback, "feedback")
	if outputs.csv == "-" && outputs.gradebook == "-" {
		return fail(errOut, exitBadArgs, "--csv - and --gradebook -: only one can go to standard output")
	}
	return writeClass(out, errOut, class, outputs, ".md", gsOpt)
}

// writeClass writes a graded class's CSV, gradebook, feedback files (and
// Gradescope's results) and summary, where outputs says.
func writeClass(out, errOut io.Writer, class *grade.Class, outputs gradeOutputs, feedbackSuffix string, gsOpt grade.GradescopeOptions) int {
	for _, f := range []struct {
		path, what string
		write      func(io.Writer) error
	}{
		{outputs.csv, "the grades", class.WriteCSV},
		{outputs.gradebook, "the gradebook", class.WriteGradebook},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return fail(errOut, exitFailed, "%v", err)
		}
		if f.path == "-" {
			out.Write(b.Bytes())
			fmt.Fprintln(out)
		} else if err := os.WriteFile(f.path, b.Bytes(), 0o644); err != nil {
			return fail(errOut, exitFailed, "writing %s: %v", f.what, err)
		}
	}
	feedbackDir := outputs.feedback
	if err := os.MkdirAll(feedbackDir, 0o755); err != nil {
		return fail(errOut, exitFailed, "writing the feedback: %v", err)
	}
	for _, s := range class.Submissions {
		var md, gs bytes.Buffer
		s.WriteMarkdown(&md, class.Exercises)
		if err := os.WriteFile(filepath.Join(feedbackDir, s.Name+feedbackSuffix), md.Bytes(), 0o644); err != nil {
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
	if outputs.csv != "-" {
		fmt.Fprintf(out, "grades: %s\n", outputs.csv)
	}
	if outputs.gradebook != "-" {
		fmt.Fprintf(out, "gradebook: %s\n", outputs.gradebook)
	}
	fmt.Fprintf(out, "feedback: %s\n", filepath.Join(feedbackDir, "NAME"+feedbackSuffix))
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
