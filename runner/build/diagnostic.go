package build

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/redis-notebook/tutorial/runner/paths"
)

// A Diagnostic is one compiler message at a position.
type Diagnostic struct {
	File      string
	Line, Col int
	Msg       string
}

func (d Diagnostic) String() string {
	if d.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Col, d.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", d.File, d.Line, d.Msg)
}

// A CompileError is a failed build: the compiler's messages, parsed, and
// its whole output for anything that did not parse.
type CompileError struct {
	Diags  []Diagnostic
	Output string
}

func (e *CompileError) Error() string {
	if len(e.Diags) == 0 {
		return strings.TrimSpace(e.Output)
	}
	lines := make([]string, len(e.Diags))
	for i, d := range e.Diags {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Relative rewrites the diagnostics' file names relative to dir where that
// is shorter, so that messages read like the go command's own.
func (e *CompileError) Relative(dir string) {
	for i, d := range e.Diags {
		if rel, ok := paths.Within(dir, d.File); ok {
			e.Diags[i].File = rel
		}
	}
}

var diagLine = regexp.MustCompile(`^(.+?):(\d+)(?::(\d+))?: (.*)$`)

func parseCompileErrors(output string, runErr error) error {
	e := &CompileError{Output: output}
	for _, line := range strings.Split(output, "\n") {
		if m := diagLine.FindStringSubmatch(line); m != nil && !strings.HasPrefix(line, "#") {
			l, _ := strconv.Atoi(m[2])
			c, _ := strconv.Atoi(m[3])
			e.Diags = append(e.Diags, Diagnostic{File: m[1], Line: l, Col: c, Msg: m[4]})
		} else if len(e.Diags) > 0 && strings.HasPrefix(line, "\t") {
			// Continuation lines (have/want of a type mismatch).
			e.Diags[len(e.Diags)-1].Msg += "\n" + line
		}
	}
	if len(e.Diags) == 0 && strings.TrimSpace(output) == "" {
		e.Output = runErr.Error()
	}
	return e
}
