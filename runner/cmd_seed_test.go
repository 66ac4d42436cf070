package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestSeedReproducesAFailure: check prints the seed of its generated
// cases when an exercise fails, and --seed N grades on the same cases, so
// that the same failure comes back, word for word; grade records the seed
// of a class, and grades on those cases too.
func TestSeedReproducesAFailure(t *testing.T) {
	a, err := txtar.ParseFile("grade/testdata/wrong/rate-limit-lenient.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	student := filepath.Join(dir, "class", "erin")
	for _, f := range a.Files {
		p := filepath.Join(student, f.Name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	first := runner(t, "", "check", "--dir", student, "10")
	first.expect(t, exitFailed, "Allow allowed call", "")
	m := regexp.MustCompile(`cases from seed (\d+); the same cases again:\n  (.*)\n`).FindStringSubmatch(first.stdout)
	if m == nil {
		t.Fatalf("check names no seed:\n%s", first.stdout)
	}
	seed, again := m[1], m[2]
	if want := "go run ./runner check --dir " + student + " --seed " + seed + " 10"; again != want {
		t.Errorf("check says to run %q, want %q", again, want)
	}
	// The failure, called, expected and got: generated key, limit, window.
	failure := func(out string) string {
		i := strings.Index(out, "\n10 rate-limit: ")
		j := strings.Index(out, "cases from seed")
		if i < 0 || j < i {
			t.Fatalf("no failure in:\n%s", out)
		}
		return out[i:j]
	}
	want := failure(first.stdout)
	for range 2 {
		r := runner(t, "", "check", "--dir", student, "--seed", seed, "10")
		if got := failure(r.stdout); got != want {
			t.Errorf("--seed %s graded on other cases:\n%s\nwant:\n%s", seed, got, want)
		}
	}
	// Another seed, other cases (a key, a limit, a window: some differ).
	other := runner(t, "", "check", "--dir", student, "--seed", "1"+seed, "10")
	if failure(other.stdout) == want {
		t.Errorf("seeds %s and 1%s made the same cases:\n%s", seed, seed, want)
	}
	var doc struct {
		Seed    uint64 `json:"seed"`
		Results []struct {
			Message string `json:"message"`
		} `json:"results"`
	}
	js := runner(t, "", "check", "--dir", student, "--seed", seed, "--json", "10")
	if err := json.Unmarshal([]byte(js.stdout), &doc); err != nil || len(doc.Results) != 1 {
		t.Fatalf("check --json (%v):\n%s", err, js.stdout)
	}
	if strconv.FormatUint(doc.Seed, 10) != seed {
		t.Errorf("check --json records seed %d, want %s", doc.Seed, seed)
	}
	if !strings.Contains(squeeze(want), doc.Results[0].Message) {
		t.Errorf("check --json --seed %s says %q; check said:\n%s", seed, doc.Results[0].Message, want)
	}

	// A class, graded on the same seed: the same message, and the seed in
	// the summary and the feedback.
	class := filepath.Join(dir, "class")
	g := runner(t, "", "grade", "--package", "pipelines", "--seed", seed, "--csv", "-", class)
	g.expect(t, exitOK, "cases from seed "+seed+"; the same cases again:\n  grade --seed "+seed, "")
	if !strings.Contains(squeeze(g.stdout), doc.Results[0].Message) {
		t.Errorf("grade --seed %s did not fail erin with %q:\n%s", seed, doc.Results[0].Message, g.stdout)
	}
	md, _ := os.ReadFile(filepath.Join(class, "erin.feedback.md"))
	if !strings.Contains(string(md), "seed "+seed) {
		t.Errorf("erin's feedback does not record seed %s:\n%s", seed, md)
	}
}

// squeeze makes runs of white space one space: wrapping is not what the
// test compares.
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }
