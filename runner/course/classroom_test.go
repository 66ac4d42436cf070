package course

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// TestClassroom: the workflow is YAML that runs on every push and has a
// test per exercise of the manifest, graded by check and worth its
// points, each reported to Classroom.
func TestClassroom(t *testing.T) {
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Classroom(m)
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On   []string `yaml:"on"`
		Jobs map[string]struct {
			Steps []struct {
				Name string            `yaml:"name"`
				ID   string            `yaml:"id"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !slices.Contains(wf.On, "push") {
		t.Errorf("on: %v, want push", wf.On)
	}
	job, ok := wf.Jobs["run-autograding-tests"]
	if !ok {
		t.Fatalf("no job run-autograding-tests:\n%s", b)
	}
	type test struct{ name, command, points string }
	tests := map[string]test{}
	var reporter map[string]string
	var runners string
	for _, s := range job.Steps {
		switch {
		case strings.HasPrefix(s.Uses, "classroom-resources/autograding-command-grader@"):
			tests[s.ID] = test{s.With["test-name"], s.With["command"], s.With["max-score"]}
		case strings.HasPrefix(s.Uses, "classroom-resources/autograding-grading-reporter@"):
			reporter, runners = s.Env, s.With["runners"]
		}
	}
	exercises := m.Exercises()
	if len(tests) != len(exercises) {
		t.Errorf("%d tests for %d exercises", len(tests), len(exercises))
	}
	var ids []string
	for _, e := range exercises {
		id := fmt.Sprintf("ex%d", e.ID)
		ids = append(ids, id)
		got, ok := tests[id]
		switch {
		case !ok:
			t.Errorf("exercise %d %s has no test", e.ID, e.Name)
		case got.command != fmt.Sprintf("go run ./runner check %d", e.ID) || got.points != fmt.Sprint(e.Points) ||
			!strings.Contains(got.name, e.Name):
			t.Errorf("exercise %d %s (%d points): test %+v", e.ID, e.Name, e.Points, got)
		}
		if want := fmt.Sprintf("${{steps.%s.outputs.result}}", id); reporter[strings.ToUpper(id)+"_RESULTS"] != want {
			t.Errorf("the reporter's %s_RESULTS is %q, want %q", strings.ToUpper(id), reporter[strings.ToUpper(id)+"_RESULTS"], want)
		}
	}
	if runners != strings.Join(ids, ",") {
		t.Errorf("runners: %q, want %q", runners, strings.Join(ids, ","))
	}
}
