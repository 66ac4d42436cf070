package course

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// ClassroomWorkflow is where, in the student's repository, the GitHub
// Classroom workflow is written.
const ClassroomWorkflow = ".github/workflows/classroom.yml"

//go:embed classroom/classroom.yml.tmpl
var classroomTemplate string

var classroomYAML = template.Must(template.New("classroom.yml").Funcs(template.FuncMap{
	// A JSON string is a YAML double-quoted scalar.
	"quote": func(s string) (string, error) {
		b, err := json.Marshal(s)
		return string(b), err
	},
}).Parse(classroomTemplate))

// A ClassroomTest is one step of the workflow: an exercise graded alone.
type ClassroomTest struct {
	ID      string // the step's id: ex1, ex2…
	Test    string // the name the student sees: "1 json: Store a value as JSON"
	Command string // exits 0 when the exercise passes
	Minutes int    // the step's time limit (the grader's own is far shorter)
	Points  int
	Env     string // the reporter's variable for the step's result
}

// ClassroomTests are the workflow's tests: one per exercise of the
// manifest, in its order, with its points.
func ClassroomTests(m *grade.Manifest) []ClassroomTest {
	var out []ClassroomTest
	for _, e := range m.Exercises() {
		id := fmt.Sprintf("ex%d", e.ID)
		out = append(out, ClassroomTest{
			ID:      id,
			Test:    fmt.Sprintf("%d %s: %s", e.ID, e.Name, e.Title),
			Command: fmt.Sprintf("go run ./runner check %d", e.ID),
			Minutes: 5,
			Points:  e.Points,
			Env:     strings.ToUpper(id) + "_RESULTS",
		})
	}
	return out
}

// Classroom returns the GitHub Classroom workflow for the course: on
// every push it builds the grader once, then grades each exercise as a
// test of its own (classroom-resources/autograding-command-grader) worth
// its points, and reports the total to Classroom.
func Classroom(m *grade.Manifest) ([]byte, error) {
	tests := ClassroomTests(m)
	ids := make([]string, len(tests))
	for i, t := range tests {
		ids[i] = t.ID
	}
	var b bytes.Buffer
	err := classroomYAML.Execute(&b, map[string]any{"Tests": tests, "Runners": strings.Join(ids, ",")})
	return b.Bytes(), err
}
