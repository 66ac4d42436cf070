package grade

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// gsResults holds every field of Gradescope's results.json as its
// autograder specification documents them, and only those: decoding with
// unknown fields refused catches a misspelt one.
type gsResults struct {
	Score            *float64       `json:"score"`
	ExecutionTime    *float64       `json:"execution_time"`
	Output           string         `json:"output"`
	OutputFormat     string         `json:"output_format"`
	TestOutputFormat string         `json:"test_output_format"`
	TestNameFormat   string         `json:"test_name_format"`
	Visibility       string         `json:"visibility"`
	StdoutVisibility string         `json:"stdout_visibility"`
	ExtraData        map[string]any `json:"extra_data"`
	Tests            []struct {
		Score        *float64       `json:"score"`
		MaxScore     *float64       `json:"max_score"`
		Status       string         `json:"status"`
		Name         string         `json:"name"`
		NameFormat   string         `json:"name_format"`
		Number       string         `json:"number"`
		Output       string         `json:"output"`
		OutputFormat string         `json:"output_format"`
		Tags         []string       `json:"tags"`
		Visibility   string         `json:"visibility"`
		ExtraData    map[string]any `json:"extra_data"`
	} `json:"tests"`
	Leaderboard []any `json:"leaderboard"`
}

func decodeGradescope(t *testing.T, b []byte) gsResults {
	t.Helper()
	var doc gsResults
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not Gradescope's results.json: %v\n%s", err, b)
	}
	if doc.Score == nil || doc.ExecutionTime == nil {
		t.Errorf("no score or execution_time:\n%s", b)
	}
	if !slices.Contains(GradescopeVisibilities, doc.StdoutVisibility) {
		t.Errorf("stdout_visibility %q:\n%s", doc.StdoutVisibility, b)
	}
	for _, tc := range doc.Tests {
		if tc.Status != "passed" && tc.Status != "failed" {
			t.Errorf("test %q: status %q, and Gradescope knows only passed and failed", tc.Name, tc.Status)
		}
		if !slices.Contains(GradescopeVisibilities, tc.Visibility) {
			t.Errorf("test %q: visibility %q", tc.Name, tc.Visibility)
		}
		if tc.Score == nil || tc.MaxScore == nil {
			t.Errorf("test %q: no score or max_score", tc.Name)
		}
	}
	return doc
}

// TestGradescopeResults writes a report of each kind of result as
// Gradescope's results.json: its documented fields only, the time
// grading took, the teacher's visibilities, a reason kept (in the output
// and a tag) for an exercise not done or whose package does not compile,
// and a failure's message said once.
func TestGradescopeResults(t *testing.T) {
	ex := manifest.Exercises[:3]
	rep := &Report{Package: "alice/redisbasics", Backend: "miniredis", Exercises: ex, Elapsed: 1234 * time.Millisecond, Results: []Result{
		{Name: ex[0].Name, Points: 1, Max: 1, Result: verdict.Result{Exercise: ex[0].ID, Status: verdict.Passed}},
		{Name: ex[1].Name, Max: 1, Result: verdict.Result{Exercise: ex[1].ID, Status: verdict.Failed,
			Message: "PopFront returned the values in the wrong order", Called: "PopFront(ctx, rdb, \"q\", 2)", Expected: "[a b]", Got: "[b a]"}},
		{Name: ex[2].Name, Max: 1, Result: verdict.Result{Exercise: ex[2].ID, Status: verdict.NotDone, Message: "not done yet"}},
	}}
	opt, err := ParseGradescopeVisibility("after_published, lists=hidden,3=after_due_date", manifest.Exercises)
	if err != nil {
		t.Fatal(err)
	}
	opt.Stdout = "visible"
	var b bytes.Buffer
	if err := rep.WriteGradescopeWith(&b, opt); err != nil {
		t.Fatal(err)
	}
	doc := decodeGradescope(t, b.Bytes())
	if *doc.Score != 1 || *doc.ExecutionTime != 1.234 || doc.StdoutVisibility != "visible" || len(doc.Tests) != 3 {
		t.Fatalf("score, execution_time, stdout_visibility or tests wrong:\n%s", b.String())
	}
	for i, want := range []struct {
		status, visibility string
		tags               []string
		output             string
	}{
		{"passed", "after_published", nil, "passed"},
		{"failed", "hidden", []string{"failed"}, "failed: PopFront returned the values in the wrong order\n  called    PopFront("},
		{"failed", "after_due_date", []string{"not done"}, "not done: write StoreLetterCounts and LetterCounts in alice/redisbasics/03_letters.go"},
	} {
		tc := doc.Tests[i]
		if tc.Status != want.status || tc.Visibility != want.visibility || !slices.Equal(tc.Tags, want.tags) || !strings.HasPrefix(tc.Output, want.output) {
			t.Errorf("test %d: status %q, visibility %q, tags %q, output %q; want %q, %q, %q, %q...",
				i, tc.Status, tc.Visibility, tc.Tags, tc.Output, want.status, want.visibility, want.tags, want.output)
		}
	}
	if n := strings.Count(doc.Tests[1].Output, "wrong order"); n != 1 {
		t.Errorf("the failure's message is said %d times:\n%s", n, doc.Tests[1].Output)
	}

	// Gradescope's own defaults, and a package that does not compile.
	rep = &Report{Package: "dave/redisbasics", Backend: "miniredis", Exercises: ex,
		Compile: &build.CompileError{Diags: []build.Diagnostic{{File: "dave/redisbasics/01_json.go", Line: 14, Msg: "undefined: x"}}}}
	b.Reset()
	if err := rep.WriteGradescope(&b); err != nil {
		t.Fatal(err)
	}
	doc = decodeGradescope(t, b.Bytes())
	if doc.StdoutVisibility != "hidden" || !strings.Contains(doc.Output, "01_json.go:14: undefined: x") {
		t.Errorf("stdout_visibility or output wrong:\n%s", b.String())
	}
	for _, tc := range doc.Tests {
		if tc.Visibility != "visible" || tc.Status != "failed" || !slices.Equal(tc.Tags, []string{CompileStatus}) ||
			!strings.HasPrefix(tc.Output, "does not compile: dave/redisbasics/01_json.go:14: undefined: x") {
			t.Errorf("test %q: visibility %q, status %q, tags %q, output %q", tc.Name, tc.Visibility, tc.Status, tc.Tags, tc.Output)
		}
	}
}

func TestParseGradescopeVisibility(t *testing.T) {
	for spec, want := range map[string]string{
		"seen":            `"seen": the visibilities are hidden, after_due_date, after_published, visible`,
		"99=hidden":       `"99=hidden": no exercise 99 among 1 json, `,
		"json=after_exam": `"json=after_exam": the visibilities are`,
	} {
		if _, err := ParseGradescopeVisibility(spec, manifest.Exercises); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseGradescopeVisibility(%q) = %v, want %s...", spec, err, want)
		}
	}
	opt, err := ParseGradescopeVisibility("", manifest.Exercises)
	if err != nil || opt.Default != "" || opt.Visibility != nil {
		t.Errorf("ParseGradescopeVisibility(\"\") = %+v, %v", opt, err)
	}
}

// TestManifestVisibility: an exercise's "visibility" in the manifest is
// its test's in results.json, unless --visibility names the exercise; the
// others keep the flag's or Gradescope's default. An unknown one is
// refused, naming the file and line.
func TestManifestVisibility(t *testing.T) {
	m, err := parseManifest("m.json", []byte(`{"packages": [{"package": "redisbasics", "exercises": [
		{"id": 1, "name": "json", "title": "J", "file": "01_json.go", "points": 1, "visibility": "after_due_date"},
		{"id": 2, "name": "lists", "title": "L", "file": "02_lists.go", "points": 1, "visibility": "hidden"},
		{"id": 3, "name": "letters", "title": "C", "file": "03_letters.go", "points": 1}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ex := m.Packages[0].Exercises
	rep := &Report{Package: "alice/redisbasics", Backend: "miniredis", Exercises: ex}
	for _, r := range ex {
		rep.Results = append(rep.Results, Result{Name: r.Name, Points: 1, Max: 1, Result: verdict.Result{Exercise: r.ID, Status: verdict.Passed}})
	}
	for spec, want := range map[string][]string{
		"":                        {"after_due_date", "hidden", "visible"},
		"after_published":         {"after_due_date", "hidden", "after_published"},
		"visible,lists=visible":   {"after_due_date", "visible", "visible"},
		"1=hidden,after_due_date": {"hidden", "hidden", "after_due_date"},
	} {
		opt, err := ParseGradescopeVisibility(spec, ex)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := rep.WriteGradescopeWith(&b, opt); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tc := range decodeGradescope(t, b.Bytes()).Tests {
			got = append(got, tc.Visibility)
		}
		if !slices.Equal(got, want) {
			t.Errorf("--visibility %q: the tests' visibilities are %q, want %q", spec, got, want)
		}
	}

	_, err = parseManifest("m.json", []byte(`{"packages": [{"package": "redisbasics", "exercises": [
		{"id": 1, "name": "json", "file": "01_json.go"},
		{"id": 2, "name": "lists", "file": "02_lists.go",
		 "visibility": "after_exam"}]}]}`))
	if want := `m.json:4: exercise 2 lists: visibility "after_exam": Gradescope's visibilities are hidden, after_due_date`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("an unknown visibility: %v, want %s...", err, want)
	}
}
