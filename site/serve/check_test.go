package serve

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// TestExerciseChecker grades edits of exercise 1 with the real grader: the
// stub as it is, and the reference solution pasted in; the learner's file
// stays as it was.
func TestExerciseChecker(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the grader")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	source, check := ExerciseChecker(root, m, grade.RunConfig{})
	stubPath := filepath.Join(root, "exercises", m.Packages[0].Package, m.Packages[0].Exercises[0].File)
	before := readFile(t, stubPath)
	stub, err := source(m.Packages[0].Exercises[0].ID)
	if err != nil || stub != before {
		t.Fatalf("source(1) = %v, not the learner's file", err)
	}
	if _, err := source(999); err == nil {
		t.Error("source(999): no error")
	}

	ctx := context.Background()
	rep, err := check(ctx, 1, stub)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(rep, "passed") || !strings.Contains(rep, "not done") {
		t.Errorf("the stub, checked:\n%s", rep)
	}
	solution := readFile(t, filepath.Join(root, "solutions", m.Packages[0].Package, m.Packages[0].Exercises[0].File))
	rep, err = check(ctx, 1, solution)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep, "✓") || !strings.Contains(rep, "passed") {
		t.Errorf("the reference solution, checked, did not pass:\n%s", rep)
	}
	rep, err = check(ctx, 1, "package "+m.Packages[0].Package+"\n\nfunc broken( {\n")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep, "exercises/"+m.Packages[0].Package+"/"+m.Packages[0].Exercises[0].File) || strings.Contains(rep, "runner-check-") {
		t.Errorf("a compile error does not name the learner's file:\n%s", rep)
	}
	if readFile(t, stubPath) != before {
		t.Error("checking an edit wrote the learner's file")
	}
}

// TestCheckEndpoints: /_exercise and /_check answer only what they should.
func TestCheckEndpoints(t *testing.T) {
	srv := New(t.TempDir())
	var checked []string
	srv.ExerciseSource = func(id int) (string, error) {
		if id != 1 {
			return "", os.ErrNotExist
		}
		return "package x\n", nil
	}
	srv.CheckExercise = func(ctx context.Context, id int, code string) (string, error) {
		checked = append(checked, code)
		return "✓ graded", nil
	}
	if code, body := request(srv, "GET", "/_exercise?id=1", "", ""); code != 200 || body != "package x\n" {
		t.Errorf("/_exercise?id=1: %d %q", code, body)
	}
	for _, q := range []string{"?id=2", "?id=x", ""} {
		if code, _ := request(srv, "GET", "/_exercise"+q, "", ""); code < 400 {
			t.Errorf("/_exercise%s: %d, want an error", q, code)
		}
	}
	post := func(ct, body string) int {
		code, _ := request(srv, "POST", "/_check", ct, body)
		return code
	}
	if code := post("application/json", `{"id": 1, "code": "package x // edited"}`); code != 200 || len(checked) != 1 || checked[0] != "package x // edited" {
		t.Errorf("a good check: %d, checked %q", code, checked)
	}
	if code := post("application/x-www-form-urlencoded", `id=1`); code != http.StatusUnsupportedMediaType {
		t.Errorf("a form post: %d, want 415", code)
	}
	if code, _ := request(srv, "GET", "/_check", "", ""); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /_check: %d, want 405", code)
	}
	if len(checked) != 1 {
		t.Errorf("refused requests were graded: %q", checked)
	}
}

// request has srv answer one request, and returns its status and body.
func request(srv http.Handler, method, target, contentType, body string) (int, string) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// readFile returns the file at p.
func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
