// Command runner walks, tests and exports the tutorial's chapters, grades
// its exercises, and builds its website.
//
//	go run ./runner walk redis         read chapter 1 in the terminal, running each cell
//	go run ./runner test               run every chapter and compare outputs
//	go run ./runner help               list every command
//
// Each command lives in a cmd_*.go file and registers itself in init.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/redis-notebook/tutorial/runner/term"
)

// A command is one verb of the runner.
type command struct {
	name    string
	args    string // argument synopsis, for usage
	summary string // one line, for the command list
	// run parses its own flags from fs (already defined by setup) and
	// returns an exit status.
	setup func(fs *flag.FlagSet) func(args []string) int
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// Exit statuses shared by every command.
const (
	exitOK      = 0
	exitFailed  = 1 // the thing checked failed: outputs differ, exercises fail
	exitBadArgs = 2 // bad input: unknown chapter, malformed Markdown, bad flag
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return exitBadArgs
		}
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "runner: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitBadArgs
	}
	fs := flag.NewFlagSet("runner "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./runner %s %s\n\n%s\n\nflags:\n", c.name, c.args, c.summary)
		fs.PrintDefaults()
	}
	body := c.setup(fs)
	rest, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadArgs
	}
	return body(rest)
}

// parseInterspersed lets flags come after positional arguments too
// ("walk redis --step"), as people type them.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: go run ./runner COMMAND [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(w, "  %-8s %-22s %s\n", n, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'go run ./runner COMMAND -h' for a command's flags.")
}

// fail prints a one-line error for the runner's user and returns status.
func fail(stderr io.Writer, status int, format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	// Messages may quote names and text from submissions and chapters.
	fmt.Fprintln(stderr, "runner: "+term.Visible(strings.TrimSpace(msg)))
	return status
}
