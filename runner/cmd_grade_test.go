package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGradeOutputs grades a class of two from the command line: the CSV,
// a feedback file per submission, and with --format gradescope a
// results.json per submission, beside the feedback: in --feedback's
// folder when it names one, never then in the submissions'.
func TestGradeOutputs(t *testing.T) {
	dir := t.TempDir()
	for name, from := range map[string]string{"alice": "solutions", "bob": "exercises"} {
		sub := filepath.Join(dir, name, "redisbasics")
		os.MkdirAll(sub, 0o755)
		entries, _ := os.ReadDir(filepath.Join("..", from, "redisbasics"))
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join("..", from, "redisbasics", e.Name()))
			os.WriteFile(filepath.Join(sub, e.Name()), b, 0o644)
		}
	}
	feedback := filepath.Join(t.TempDir(), "feedback")
	runner(t, "", "grade", "--format", "gradescope", "--visibility", "hidden,json=visible", "--feedback", feedback, dir).
		expect(t, exitOK, "Gradescope results: "+filepath.Join(feedback, "NAME.results.json"), "")
	for _, name := range []string{"alice", "bob"} {
		if _, err := os.Stat(filepath.Join(dir, name+".results.json")); err == nil {
			t.Errorf("%s.results.json written in the submissions' folder, not --feedback's", name)
		}
	}
	runner(t, "", "grade", "--format", "gradescope", dir).expect(t, exitOK, "feedback: "+filepath.Join(dir, "NAME.feedback.md"), "")
	csv, _ := os.ReadFile(filepath.Join(dir, "grades.csv"))
	if !strings.Contains(string(csv), "alice,6,anagram-groups,passed,1,1,") || !strings.Contains(string(csv), "bob,1,json,not done,0,1,") {
		t.Errorf("grades.csv:\n%s", csv)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "bob.feedback.md"))
	if !strings.Contains(string(md), "**0/6 points**") || !strings.Contains(string(md), "Not done yet: write SaveJSON and LoadJSON in `bob/redisbasics/01_json.go`") {
		t.Errorf("bob.feedback.md:\n%s", md)
	}
	var res struct {
		Score float64 `json:"score"`
		Tests []struct {
			Name       string  `json:"name"`
			Score      float64 `json:"score"`
			MaxScore   float64 `json:"max_score"`
			Visibility string  `json:"visibility"`
		} `json:"tests"`
	}
	b, _ := os.ReadFile(filepath.Join(feedback, "alice.results.json"))
	if err := json.Unmarshal(b, &res); err != nil || res.Score != 6 || len(res.Tests) != 6 || res.Tests[5].Score != 1 || res.Tests[5].MaxScore != 1 ||
		res.Tests[0].Visibility != "visible" || res.Tests[5].Visibility != "hidden" {
		t.Errorf("alice.results.json (%v):\n%s", err, b)
	}
}

// TestCheckHint: check --hint shows an exercise's hint, wrapped to the
// width, without grading.
func TestCheckHint(t *testing.T) {
	r := runner(t, "", "check", "--hint", "letters")
	r.expect(t, exitOK, "hint for exercise 3, Count letters into a hash (exercises/redisbasics/03_letters.go):", "")
	for _, line := range strings.Split(r.stdout, "\n")[2:] {
		if len(line) > 100 {
			t.Errorf("a line of %d characters: %q", len(line), line)
		}
	}
	runner(t, "", "check", "--hint").expect(t, exitBadArgs, "", "--hint needs an exercise")
}

// TestGradeChapterPackage grades a class's chapter 2 package, named with
// --package; an unknown package is bad input.
func TestGradeChapterPackage(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "alice", "pipelines")
	os.MkdirAll(sub, 0o755)
	entries, _ := os.ReadDir(filepath.Join("..", "solutions", "pipelines"))
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join("..", "solutions", "pipelines", e.Name()))
		os.WriteFile(filepath.Join(sub, e.Name()), b, 0o644)
	}
	runner(t, "", "grade", "--package", "pipelines", "--csv", "-", dir).expect(t, exitOK, "alice,11,transfer,passed,1,1,", "")
	runner(t, "", "grade", "--package", "nope", dir).expect(t, exitBadArgs, "", "--package nope: the packages are redisbasics, pipelines, searchindex")
}
