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
	"time"

	"github.com/redis-notebook/tutorial/runner/grade"
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
	jobs := fs.Int("jobs", runtime.NumCPU(), "how many submissions build at once (twice as many exercises run at once)")
	timeout := fs.Duration("timeout", 10*time.Second, "stop an exercise that runs longer than this; it fails, the others go on")
	keep := fs.Bool("keep", false, "keep each submission's built harness in the build cache (removed by default)")
	return func(args []string) int {
		if len(args) != 1 {
			fs.Usage()
			return exitBadArgs
		}
		return runGrade(os.Stdout, os.Stderr, args[0], *csvPath, *jobs, *timeout, *keep)
	}
}

func runGrade(out, errOut io.Writer, dir, csvPath string, jobs int, timeout time.Duration, keep bool) int {
	root, err := moduleRoot()
	if err != nil {
		return fail(errOut, exitBadArgs, "%v", err)
	}
	m, err := grade.LoadManifest(root)
	if err != nil {
		return fail(errOut, exitBadArgs, "%v", err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fail(errOut, exitBadArgs, "%s: not a folder of submissions", dir)
	}
	if csvPath == "" {
		csvPath = filepath.Join(dir, "grades.csv")
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	fmt.Fprintf(errOut, "grading the submissions in %s…\n", dir)
	class, err := grade.GradeClass(ctx, dir, m.Exercises, grade.ClassOptions{
		Options: grade.Options{
			Root:      root,
			RunConfig: grade.RunConfig{Timeout: timeout},
			Jobs:      jobs,
			Progress:  depsProgress(progressPrinter(os.Stderr)),
		},
		Keep: keep,
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
	class.WriteSummary(out)
	if csvPath != "-" {
		fmt.Fprintf(out, "grades: %s\n", csvPath)
	}
	return exitOK
}
