package main

// What several commands share, and is the command line's own: finding a
// chapter by what the user typed, paths as messages show them, the
// options chapters run with, and how a run's error and a build's progress
// are reported.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/paths"
	"github.com/redis-notebook/tutorial/runner/settings"
	"github.com/redis-notebook/tutorial/runner/term"
)

// runOptions are what every command runs chapters with: the module at
// root, the run settings, and the build's progress on standard error.
func runOptions(root string, run settings.Run) notebook.Options {
	return notebook.Options{Root: root, Run: run, Progress: progressPrinter(os.Stderr)}
}

// reportRunError prints an error from notebook.Run the way each kind reads
// best, and returns the exit status: 2 for bad input, 1 for a failing cell.
func reportRunError(stderr io.Writer, style term.Style, err error) int {
	var ce *build.CompileError
	var cellErr *notebook.CellError
	var chErr *chapter.Error
	var be *notebook.BackendError
	switch {
	case errors.As(err, &ce):
		fmt.Fprintln(stderr, style.Red("The chapter does not compile:"))
		fmt.Fprintln(stderr, term.Visible(ce.Error()))
		return exitFailed
	case errors.As(err, &cellErr):
		// A panic's value is the cell's text: shown, not obeyed.
		fmt.Fprintln(stderr, style.Red(term.Visible(cellErr.Error())))
		if cellErr.Stack != "" {
			fmt.Fprintln(stderr, style.Dim(term.Visible(strings.TrimSpace(cellErr.Stack))))
		}
		return exitFailed
	case errors.As(err, &chErr):
		return fail(stderr, exitBadArgs, "%v", chErr)
	case errors.As(err, &be):
		return fail(stderr, exitBadArgs, "%v", be)
	default:
		return fail(stderr, exitFailed, "%v", err)
	}
}

// progressPrinter shows a build's progress on f: one rewritten line on a
// terminal, occasional lines elsewhere (CI logs).
func progressPrinter(f *os.File) build.Progress {
	line := term.NewStatusLine(f)
	return func(s build.Status) { line.Show(s.String(), s.Done) }
}

// depsProgress passes on the build's progress only while it compiles the
// dependencies, on a cold cache: rebuilding a harness after a save
// compiles two packages and links, which needs no commentary. Builds
// running at once (a class's submissions) may share it.
func depsProgress(p build.Progress) build.Progress {
	var mu sync.Mutex
	shown := false
	return func(s build.Status) {
		mu.Lock()
		defer mu.Unlock()
		if s.Packages > 4 || shown && s.Done {
			shown = true
			p(s)
		}
	}
}

// findChapter finds a chapter by name, path, or number in course order
// ("walk 2" is the second chapter, as "check 2" is the second exercise).
func findChapter(root, name string) (string, error) {
	if n, err := strconv.Atoi(name); err == nil {
		all, err := chapter.List(root)
		if err != nil {
			return "", err
		}
		if n < 1 || n > len(all) {
			return "", fmt.Errorf("there is no chapter %d: the course has %s", n, term.Plural(len(all), "chapter"))
		}
		return all[n-1], nil
	}
	return chapter.Find(root, name)
}

// relToCwd shortens a path for messages, when it is under the current
// folder. Both are resolved first: a clone reached through a symbolic
// link is still "under" it.
func relToCwd(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if rel, ok := paths.Within(resolved(wd), resolved(abs)); ok {
		return rel
	}
	return path
}

func resolved(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

func displayDir(dir string) string {
	if rel := relToCwd(dir); rel != "" {
		return rel
	}
	return dir
}
