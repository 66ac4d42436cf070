package grade

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/term"
)

// TextOptions says how to write a Report for a person.
type TextOptions struct {
	Color bool // ANSI colours, for a terminal
	// CheckCommand is how the learner runs one exercise, for the "next"
	// line: "go run ./runner check". Empty: no such line.
	CheckCommand string
	// Details limits how many failures are explained in full; 0: all.
	Details int
	// Watching says the package is graded again on every save.
	Watching bool
	// Width is where to wrap long lines; 0: 100.
	Width int
}

// WriteText writes the report as the check command shows it: a line per
// exercise, then what went wrong, then the progress and what to do next.
// A package that does not compile shows only the compiler's messages,
// which name the learner's own files.
func (r *Report) WriteText(w io.Writer, opt TextOptions) {
	r = r.visible()
	style := term.Style{Color: opt.Color}
	if r.Compile != nil {
		fmt.Fprintln(w, r.Compile.Error())
		return
	}
	for _, d := range r.LeftOut {
		fmt.Fprintf(w, "%s (left out of the build)\n", d)
	}
	if len(r.LeftOut) > 0 {
		fmt.Fprintln(w)
	}
	nameWidth, idWidth := 0, 0
	for _, e := range r.Exercises {
		nameWidth = max(nameWidth, len(e.Name))
		idWidth = max(idWidth, len(fmt.Sprint(e.ID))) // chapter 2's run past 9
	}
	for _, res := range r.Results {
		mark, word := style.Red("✗"), string(res.Status)+"  "+res.Message
		switch res.Status {
		case verdict.Passed:
			mark, word = style.Green("✓"), "passed"
		case verdict.NotDone:
			mark, word = style.Yellow("·"), "not done"
		}
		fmt.Fprintf(w, "%s %*d %-*s  %s\n", mark, idWidth, res.Exercise, nameWidth, res.Name, word)
	}
	width := opt.Width
	if width <= 0 {
		width = 100
	}
	width = max(width-12, 28) // after the label
	shown := 0
	for _, res := range r.Results {
		if res.Status == verdict.Passed || res.Status == verdict.NotDone {
			continue
		}
		if opt.Details > 0 && shown == opt.Details {
			break
		}
		shown++
		fmt.Fprintf(w, "\n%s\n", style.Bold(term.Wrap(fmt.Sprintf("%d %s: %s", res.Exercise, res.Name, res.Message), width+12)))
		writeDetails(w, res, width)
	}
	if r.Seed != 0 && slices.ContainsFunc(r.Results, func(res Result) bool { return res.Status == verdict.Failed }) {
		// A failure on generated cases can be replayed.
		command := ""
		if opt.CheckCommand != "" {
			command = fmt.Sprintf("%s --seed %d", opt.CheckCommand, r.Seed)
			if len(r.Exercises) == 1 {
				command += fmt.Sprintf(" %d", r.Exercises[0].ID)
			}
		}
		fmt.Fprintf(w, "\n%s\n", seedLine(r.Seed, command)) // unwrapped: a command to copy
	}
	if len(r.Exercises) == 1 {
		e, res := r.Exercises[0], r.Results[0]
		file := filepath.Join(r.Package, e.File)
		switch {
		case opt.CheckCommand == "" || res.Status == verdict.Passed:
		case res.Status == verdict.NotDone:
			fmt.Fprintf(w, "\nwrite %s in %s, then run: %s %d\n", strings.Join(e.Funcs, " and "), file, opt.CheckCommand, e.ID)
		default:
			fmt.Fprintf(w, "\nedit %s, then run again: %s %d\n", r.editFile(e, res), opt.CheckCommand, e.ID)
		}
		return
	}
	fmt.Fprintf(w, "\nprogress: %d/%d\n", r.Passed(), len(r.Results))
	if opt.CheckCommand == "" {
		return
	}
	for i, res := range r.Results {
		if res.Status != verdict.Passed {
			e := r.Exercises[i]
			then := fmt.Sprintf("then run: %s %d", opt.CheckCommand, e.ID)
			if opt.Watching {
				then = "and save: it is graded again"
			}
			fmt.Fprintf(w, "next: exercise %d, %s\n  edit %s, %s\n", e.ID, e.Title, r.editFile(e, res), then)
			return
		}
	}
	fmt.Fprintln(w, "every exercise passes: well done")
}

// writeDetails writes what went wrong beyond the message: a line per
// field, labelled, wrapped to width after the label.
func writeDetails(w io.Writer, res Result, width int) {
	field := func(label, value string) {
		if value != "" {
			fmt.Fprintf(w, "  %-9s %s\n", label, indent(term.Wrap(value, width), "            "))
		}
	}
	field("called", res.Called)
	field("expected", res.Expected)
	field("got", res.Got)
	field("at", res.Where)
	for i, s := range res.Sent {
		if i == 0 {
			field("sent", s)
		} else {
			field("", s)
		}
	}
	field("why", res.Why)
	field("hint", res.Hint)
	field("printed", res.Output)
}

// editFile is the file to edit for res: where the problem is, when that is
// a file of the package (a crash in a helper, an os.Exit in an init), else
// the exercise's own file.
func (r *Report) editFile(e Exercise, res Result) string {
	if file, _, ok := strings.Cut(res.Where, ".go:"); ok {
		file += ".go"
		if filepath.Dir(file) == filepath.Clean(r.Package) {
			return file
		}
	}
	return filepath.Join(r.Package, e.File)
}

func indent(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// jsonResult is one exercise in the JSON report: what classroom tools need
// first, then the verdict's details (called, expected, got, hint, rule,
// why, sent, where, output), as verdict.Result names them. The fields
// here shadow the verdict's of the same JSON names; DurationNS and Busy,
// always nil, leave out its duration in nanoseconds and its busy mark.
type jsonResult struct {
	Exercise int     `json:"exercise"`
	Name     string  `json:"name"`
	Passed   bool    `json:"passed"`
	Status   string  `json:"status"`
	Points   int     `json:"points"`
	Max      int     `json:"max_points"`
	Message  string  `json:"message"`
	Duration float64 `json:"duration"` // seconds
	verdict.Result
	DurationNS *struct{} `json:"duration_ns,omitempty"`
	Busy       *struct{} `json:"busy,omitempty"`
}

type jsonReport struct {
	Package       string       `json:"package"`
	Backend       string       `json:"backend"`
	Compiled      bool         `json:"compiled"`
	CompileErrors []string     `json:"compile_errors,omitempty"`
	Passed        int          `json:"passed"`
	Total         int          `json:"total"`
	Points        int          `json:"points"`
	MaxPoints     int          `json:"max_points"`
	Duration      float64      `json:"duration"`
	Seed          uint64       `json:"seed,omitempty"` // of the generated cases
	Results       []jsonResult `json:"results"`
}

// WriteJSON writes the report as one JSON document. Durations are in
// seconds. A package that does not compile has compiled false, its
// compiler messages, and every exercise failed with 0 points.
func (r *Report) WriteJSON(w io.Writer) error {
	doc := r.jsonDoc()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func (r *Report) jsonDoc() jsonReport {
	doc := jsonReport{
		Package:   filepath.ToSlash(r.Package),
		Backend:   r.Backend,
		Compiled:  r.Compile == nil,
		Passed:    r.Passed(),
		Total:     len(r.Exercises),
		Points:    r.Points(),
		MaxPoints: r.MaxPoints(),
		Duration:  r.Elapsed.Seconds(),
		Seed:      r.Seed,
		Results:   []jsonResult{},
	}
	for _, res := range r.rows() {
		doc.Results = append(doc.Results, jsonResult{
			Exercise: res.Exercise, Name: res.Name, Passed: res.Status == verdict.Passed,
			Status: string(res.Status), Points: res.Points, Max: res.Max, Message: res.Message,
			Duration: res.Duration.Seconds(), Result: res.Result,
		})
	}
	if r.Compile != nil {
		for _, d := range r.Compile.Diags {
			doc.CompileErrors = append(doc.CompileErrors, d.String())
		}
		if len(doc.CompileErrors) == 0 {
			doc.CompileErrors = []string{r.Compile.Error()}
		}
	}
	return doc
}

// CompileStatus is the status of an exercise whose file does not
// compile, and of every exercise of a package that does not compile.
const CompileStatus = "does not compile"

// RefusedStatus is the status of an exercise whose file the grader
// refused: a symbolic link, an import of another package than the
// standard library and go-redis, cgo.
const RefusedStatus verdict.Status = "refused"

// rows returns a Result per graded exercise, also when the package did
// not compile.
func (r *Report) rows() []Result {
	if r.Compile == nil {
		return r.Results
	}
	msg := strings.SplitN(r.Compile.Error(), "\n", 2)[0]
	rows := make([]Result, len(r.Exercises))
	for i, e := range r.Exercises {
		rows[i] = Result{Name: e.Name, Max: e.Points, Result: verdict.Result{
			Exercise: e.ID, Status: CompileStatus, Message: "does not compile: " + msg}}
	}
	return rows
}
