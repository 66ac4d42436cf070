package grade

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/term"
)

// WriteMarkdown writes the report as feedback a teacher can hand back: the
// points, a line per exercise, then for each exercise that did not pass
// what was called, expected and got, where, what it printed, and a hint.
func (r *Report) WriteMarkdown(w io.Writer, title string) {
	r = r.visible()
	fmt.Fprintf(w, "# %s\n\n", mdInline(title))
	fmt.Fprintf(w, "**%d/%d points**, %d of %d exercises passed (graded on %s).\n\n",
		r.Points(), r.MaxPoints(), r.Passed(), len(r.Exercises), r.Backend)
	if r.Seed != 0 {
		fmt.Fprintf(w, "The generated cases came from seed %d: `check --seed %d` grades on the same ones.\n\n", r.Seed, r.Seed)
	}
	for _, d := range r.LeftOut {
		fmt.Fprintf(w, "- `%s` was left out of the build: %s\n", d.File, mdInline(d.Msg))
	}
	if len(r.LeftOut) > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "| exercise | result | points |")
	fmt.Fprintln(w, "| --- | --- | --- |")
	rows := r.rows()
	for i, res := range rows {
		e := r.Exercises[i]
		fmt.Fprintf(w, "| %d %s | %s | %d/%d |\n", e.ID, mdCell(e.Title), mdCell(statusWords(res)), res.Points, res.Max)
	}
	for i, res := range rows {
		if res.Status == verdict.Passed {
			continue
		}
		e := r.Exercises[i]
		fmt.Fprintf(w, "\n## %d %s\n\n", e.ID, e.Title)
		if res.Status == verdict.NotDone {
			fmt.Fprintf(w, "Not done yet: write %s in `%s`.\n", strings.Join(e.Funcs, " and "), filepath.ToSlash(r.editFile(e, res)))
			continue
		}
		fmt.Fprintf(w, "%s\n", mdInline(res.Message))
		for _, f := range []struct{ label, value string }{
			{"called", res.Called}, {"expected", res.Expected}, {"got", res.Got}, {"at", res.Where},
			{"sent", strings.Join(res.Sent, "\n")}, {"printed", res.Output},
		} {
			if f.value != "" {
				fmt.Fprintf(w, "\n%s:\n\n%s\n", f.label, mdCode(f.value))
			}
		}
		if res.Why != "" {
			fmt.Fprintf(w, "\nWhy it matters: %s\n", mdInline(res.Why))
		}
		if res.Hint != "" {
			fmt.Fprintf(w, "\nHint: %s\n", mdInline(res.Hint))
		}
		fmt.Fprintf(w, "\nThe file to edit: `%s`.\n", filepath.ToSlash(r.editFile(e, res)))
	}
}

func statusWords(res Result) string {
	switch res.Status {
	case verdict.Passed:
		return "✓ passed"
	case verdict.NotDone:
		return "· not done"
	}
	return "✗ " + string(res.Status)
}

// mdCode fences s, with a fence longer than any run of backticks in it.
func mdCode(s string) string {
	s = term.Visible(s)
	fence := "```"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	return fence + "text\n" + s + "\n" + fence
}

// mdInline keeps text that the learner's code wrote from becoming markup,
// and its control characters from reaching a terminal that shows the file.
func mdInline(s string) string {
	s = term.Visible(s)
	return strings.NewReplacer("\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "<", "&lt;", "[", "\\[", "#", "\\#", "\n", " ").Replace(s)
}

func mdCell(s string) string { return strings.ReplaceAll(mdInline(s), "|", "\\|") }
