package grade

import (
	"encoding/json"
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

// gradescope is Gradescope's results.json, as its autograder reads it.
type gradescope struct {
	Score  float64          `json:"score"`
	Output string           `json:"output,omitempty"`
	Tests  []gradescopeTest `json:"tests"`
}

type gradescopeTest struct {
	Name     string  `json:"name"`
	Score    float64 `json:"score"`
	MaxScore float64 `json:"max_score"`
	Status   string  `json:"status"` // passed or failed
	Output   string  `json:"output,omitempty"`
}

// WriteGradescope writes the report as Gradescope's results.json: the
// score, and a test per exercise with its name, score, max_score and, as
// output, what check would say of it.
func (r *Report) WriteGradescope(w io.Writer) error {
	doc := gradescope{Score: float64(r.Points()), Tests: []gradescopeTest{}}
	if r.Compile != nil {
		doc.Output = "The package does not compile:\n" + visibleCompile(r.Compile).Error()
	}
	for i, res := range r.rows() {
		e := r.Exercises[i]
		t := gradescopeTest{Name: fmt.Sprintf("%d %s", e.ID, e.Title), Score: float64(res.Points), MaxScore: float64(res.Max), Status: "failed"}
		if res.Status == verdict.Passed {
			t.Status = "passed"
		}
		one := &Report{Package: r.Package, Backend: r.Backend, Exercises: r.Exercises[i : i+1], Results: []Result{res}}
		var b strings.Builder
		one.WriteText(&b, TextOptions{Width: 100})
		t.Output = strings.TrimSpace(b.String())
		doc.Tests = append(doc.Tests, t)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
