package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/term"
)

func init() {
	register(command{
		name:    "reset",
		args:    "EXERCISE",
		summary: "put an exercise's stub back in exercises/redisbasics (reset 3, reset letters), keeping a copy of your work",
		setup:   setupReset,
	})
}

func setupReset(fs *flag.FlagSet) func([]string) int {
	yes := fs.Bool("yes", false, "replace your work without asking (a copy is still kept)")
	return func(args []string) int {
		if len(args) != 1 {
			fs.Usage()
			return exitBadArgs
		}
		root, err := moduleRoot()
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		return runReset(os.Stdin, os.Stdout, os.Stderr, root, args[0], *yes)
	}
}

// runReset puts the committed stub of an exercise's file back. A file that
// differs from the stub is the learner's work: it asks first (on a
// terminal; elsewhere it needs --yes, and never waits for an answer), and
// keeps a copy beside it, which the grader ignores.
func runReset(in *os.File, out, errOut io.Writer, root, arg string, yes bool) int {
	m, err := grade.LoadManifest(root)
	if err != nil {
		return fail(errOut, exitBadArgs, "%v", err)
	}
	ex, err := m.Select(arg)
	if err != nil {
		return fail(errOut, exitBadArgs, "%v", err)
	}
	e := ex[0]
	rel := filepath.ToSlash(filepath.Join("exercises", e.Package, e.File))
	stub, err := exec.Command("git", "-C", root, "show", "HEAD:"+rel).Output()
	if err != nil {
		return fail(errOut, exitFailed, "cannot find the stub of %s in git (%v): reset needs the tutorial's git checkout", rel, err)
	}
	path := filepath.Join(root, filepath.FromSlash(rel))
	shown := displayDir(path)
	current, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(current, stub):
		fmt.Fprintf(out, "%s is already the stub: nothing to reset\n", shown)
		return exitOK
	case err == nil && !yes:
		if os.Getenv("CI") == "true" || !term.IsTerminal(in) { // no terminal to ask on
			return fail(errOut, exitFailed, "%s holds your work; to replace it with the stub, run: go run ./runner reset --yes %d (a copy is kept)", shown, e.ID)
		}
		fmt.Fprintf(out, "%s holds your work. Replace it with the stub? A copy is kept. [y/N] ", shown)
		answer, _ := bufio.NewReader(in).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(out, "left as it is")
			return exitFailed
		}
	}
	if err == nil {
		backup := path + ".bak-" + time.Now().Format("20060102-150405")
		if err := os.WriteFile(backup, current, 0o644); err != nil {
			return fail(errOut, exitFailed, "keeping a copy: %v", err)
		}
		fmt.Fprintf(out, "your work is in %s\n", displayDir(backup))
	}
	if err := os.WriteFile(path, stub, 0o644); err != nil {
		return fail(errOut, exitFailed, "%v", err)
	}
	fmt.Fprintf(out, "%s is the stub again: write %s, then run: go run ./runner check %d\n", shown, strings.Join(e.Funcs, " and "), e.ID)
	return exitOK
}
