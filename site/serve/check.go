package serve

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// An ExerciseSourceFunc returns the learner's current file for exercise id.
type ExerciseSourceFunc func(id int) (string, error)

// A CheckExerciseFunc grades exercise id on code, the page's edit of the
// learner's file, and returns the grader's report as text. It must not
// write code into the learner's file.
type CheckExerciseFunc func(ctx context.Context, id int, code string) (string, error)

// exerciseSource answers GET /_exercise?id=N with the learner's file.
func (s *Server) exerciseSource(w http.ResponseWriter, r *http.Request) {
	if s.ExerciseSource == nil {
		http.Error(w, "this server does not check exercises", http.StatusNotFound)
		return
	}
	id, err := strconv.Atoi(r.URL.Query().Get("id"))
	if err != nil {
		http.Error(w, "bad exercise id", http.StatusBadRequest)
		return
	}
	src, err := s.ExerciseSource(id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, src)
}

// checkExercise answers POST /_check, {"id": N, "code": "..."}, with the
// grader's report as text.
func (s *Server) checkExercise(w http.ResponseWriter, r *http.Request) {
	if s.CheckExercise == nil {
		http.Error(w, "this server does not check exercises", http.StatusNotFound)
		return
	}
	var req struct {
		ID   int    `json:"id"`
		Code string `json:"code"`
	}
	if !decodePost(w, r, &req) {
		return
	}
	s.endPaused()    // its keys on a real server are the check's database's
	s.running.Lock() // one run or check at a time
	defer s.running.Unlock()
	report, err := s.CheckExercise(r.Context(), req.ID, req.Code)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, report)
}

// ExerciseChecker gives exercise pages under serve the learner's file and
// grades a page's edit of it: on a copy of the package in a temporary
// folder with that one file replaced, so the learner's own file is never
// written.
func ExerciseChecker(root string, m *grade.Manifest, rc grade.RunConfig) (ExerciseSourceFunc, CheckExerciseFunc) {
	find := func(id int) (grade.Exercise, error) {
		for _, e := range m.Exercises() {
			if e.ID == id {
				return e, nil
			}
		}
		return grade.Exercise{}, fmt.Errorf("no exercise %d", id)
	}
	source := func(id int) (string, error) {
		e, err := find(id)
		if err != nil {
			return "", err
		}
		b, err := os.ReadFile(filepath.Join(root, "exercises", e.Package, e.File))
		return string(b), err
	}
	check := func(ctx context.Context, id int, code string) (string, error) {
		e, err := find(id)
		if err != nil {
			return "", err
		}
		pkgDir := filepath.Join(root, "exercises", e.Package)
		tmp, err := os.MkdirTemp("", "runner-check-")
		if err != nil {
			return "", err
		}
		defer os.RemoveAll(tmp)
		entries, err := os.ReadDir(pkgDir)
		if err != nil {
			return "", err
		}
		for _, ent := range entries {
			if !ent.Type().IsRegular() || !strings.HasSuffix(ent.Name(), ".go") || ent.Name() == e.File {
				continue
			}
			b, err := os.ReadFile(filepath.Join(pkgDir, ent.Name()))
			if err != nil {
				return "", err
			}
			if err := os.WriteFile(filepath.Join(tmp, ent.Name()), b, 0o644); err != nil {
				return "", err
			}
		}
		if err := os.WriteFile(filepath.Join(tmp, e.File), []byte(code), 0o644); err != nil {
			return "", err
		}
		rep, _, err := grade.Check(ctx, tmp, []grade.Exercise{e}, grade.Options{Root: root, RunConfig: rc})
		if err != nil {
			return "", err
		}
		var b strings.Builder
		rep.WriteText(&b, grade.TextOptions{})
		// Name the learner's file, not the temporary copy.
		shown := "exercises/" + e.Package
		return strings.ReplaceAll(b.String(), tmp, shown), nil
	}
	return source, check
}
