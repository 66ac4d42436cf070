package grade

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// GradescopeVisibilities are the visibilities Gradescope's results.json
// knows, from the most hidden: a test (or the autograder's standard
// output) is shown to the student never, after the due date, after the
// grades are published, or at once.
var GradescopeVisibilities = []string{"hidden", "after_due_date", "after_published", "visible"}

// GradescopeOptions are the teacher's choices in Gradescope's results.
type GradescopeOptions struct {
	// Visibility is each exercise's test's, by exercise id; an exercise
	// not in it has the manifest's (Exercise.Visibility), else Default's,
	// and "" is Gradescope's own default, "visible".
	Visibility map[int]string
	Default    string
	// Stdout is the autograder's standard output's visibility; "" is
	// Gradescope's own default, "hidden".
	Stdout string
}

// ParseGradescopeVisibility reads a --visibility flag: a comma-separated
// list of VISIBILITY (for every exercise) and EXERCISE=VISIBILITY (an id
// or a name among exercises).
func ParseGradescopeVisibility(spec string, exercises []Exercise) (GradescopeOptions, error) {
	var opt GradescopeOptions
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		which, vis, one := strings.Cut(item, "=")
		if !one {
			which, vis = "", item
		}
		if !slices.Contains(GradescopeVisibilities, vis) {
			return opt, fmt.Errorf("%q: the visibilities are %s", item, strings.Join(GradescopeVisibilities, ", "))
		}
		if !one {
			opt.Default = vis
			continue
		}
		i := slices.IndexFunc(exercises, func(e Exercise) bool {
			return strconv.Itoa(e.ID) == which || strings.EqualFold(e.Name, which)
		})
		if i < 0 {
			var names []string
			for _, e := range exercises {
				names = append(names, fmt.Sprintf("%d %s", e.ID, e.Name))
			}
			return opt, fmt.Errorf("%q: no exercise %s among %s", item, which, strings.Join(names, ", "))
		}
		if opt.Visibility == nil {
			opt.Visibility = map[int]string{}
		}
		opt.Visibility[exercises[i].ID] = vis
	}
	return opt, nil
}

// gradescopeResults is Gradescope's results.json, as its autograder
// specification names the fields.
type gradescopeResults struct {
	Score            float64          `json:"score"`
	ExecutionTime    float64          `json:"execution_time"` // seconds
	Output           string           `json:"output,omitempty"`
	StdoutVisibility string           `json:"stdout_visibility"`
	Tests            []gradescopeTest `json:"tests"`
}

type gradescopeTest struct {
	Name       string   `json:"name"`
	Number     string   `json:"number"`
	Score      float64  `json:"score"`
	MaxScore   float64  `json:"max_score"`
	Status     string   `json:"status"` // passed or failed: Gradescope knows no other
	Tags       []string `json:"tags,omitempty"`
	Visibility string   `json:"visibility"`
	Output     string   `json:"output"`
}

// WriteGradescope writes the report as Gradescope's results.json with
// Gradescope's default visibilities (see WriteGradescopeWith).
func (r *Report) WriteGradescope(w io.Writer) error {
	return r.WriteGradescopeWith(w, GradescopeOptions{})
}

// WriteGradescopeWith writes the report as Gradescope's results.json:
// the score and the time grading took, and a test per exercise with its
// name, number, score, max_score, visibility, and as output what check
// would say of it. Gradescope's status is passed or failed only, so an
// exercise not done, or whose file does not compile, is failed with a tag
// saying which, and its output says it first.
func (r *Report) WriteGradescopeWith(w io.Writer, opt GradescopeOptions) error {
	r = r.visible()
	doc := gradescopeResults{
		Score:            float64(r.Points()),
		ExecutionTime:    math.Round(r.Elapsed.Seconds()*1000) / 1000,
		StdoutVisibility: cmp.Or(opt.Stdout, "hidden"),
		Tests:            []gradescopeTest{},
	}
	if r.Compile != nil {
		doc.Output = "The package does not compile:\n" + r.Compile.Error()
	}
	for i, res := range r.rows() {
		e := r.Exercises[i]
		t := gradescopeTest{
			Name: fmt.Sprintf("%d %s", e.ID, e.Title), Number: strconv.Itoa(e.ID),
			Score: float64(res.Points), MaxScore: float64(res.Max), Status: "failed",
			// The most particular choice wins: the flag's for this
			// exercise, the manifest's, the flag's for every one.
			Visibility: cmp.Or(opt.Visibility[e.ID], e.Visibility, opt.Default, "visible"),
		}
		var b strings.Builder
		switch res.Status {
		case verdict.Passed:
			t.Status = "passed"
			b.WriteString("passed")
		case verdict.NotDone:
			fmt.Fprintf(&b, "not done: write %s in %s", strings.Join(e.Funcs, " and "), r.editFile(e, res))
		default:
			// The message, once: the test's name already says which.
			msg := res.Message
			if res.Status != CompileStatus && !strings.HasPrefix(msg, string(res.Status)) {
				msg = string(res.Status) + ": " + msg
			}
			fmt.Fprintln(&b, msg)
			writeDetails(&b, res, 88)
		}
		if res.Status != verdict.Passed {
			t.Tags = []string{string(res.Status)}
		}
		t.Output = strings.TrimSpace(b.String())
		doc.Tests = append(doc.Tests, t)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
