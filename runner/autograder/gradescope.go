// Package autograder packages the grader for the platforms that run
// autograders of their own: Gradescope's programming assignments (a zip of
// setup.sh, run_autograder and the course).
package autograder

import (
	"archive/zip"
	"bytes"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/redis-notebook/tutorial/runner/course"
	"github.com/redis-notebook/tutorial/runner/grade"
)

//go:embed gradescope/setup.sh gradescope/run_autograder
var gradescopeFiles embed.FS

// Select returns the exercises spec names, in the manifest's order: a
// comma-separated list of ids (3), ranges of ids (1-6), exercise names
// (letters) and packages (redisbasics, every exercise of a chapter); ""
// is every exercise.
func Select(m *grade.Manifest, spec string) ([]grade.Exercise, error) {
	all := m.Exercises()
	if strings.TrimSpace(spec) == "" {
		return all, nil
	}
	chosen := map[int]bool{}
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		n := 0
		if lo, hi, ok := strings.Cut(item, "-"); ok {
			a, errA := strconv.Atoi(lo)
			b, errB := strconv.Atoi(hi)
			if errA == nil && errB == nil {
				for _, e := range all {
					if e.ID >= a && e.ID <= b {
						chosen[e.ID] = true
						n++
					}
				}
				if n == 0 {
					return nil, fmt.Errorf("no exercise in %s", item)
				}
				continue
			}
		}
		for _, e := range all {
			if e.Package == item {
				chosen[e.ID] = true
				n++
			}
		}
		if n > 0 {
			continue
		}
		ex, err := m.Select(item)
		if err != nil {
			return nil, err
		}
		chosen[ex[0].ID] = true
	}
	var out []grade.Exercise
	for _, e := range all {
		if chosen[e.ID] {
			out = append(out, e)
		}
	}
	return out, nil
}

// Gradescope writes to w the zip a Gradescope programming assignment
// takes, grading exercises: setup.sh and run_autograder at its top, and
// in course/ the students' copy of the course (course.Publish) with the
// reference solutions, which setup.sh grades once to warm the build
// cache, then deletes.
func Gradescope(root string, exercises []grade.Exercise, w io.Writer) error {
	if len(exercises) == 0 {
		return fmt.Errorf("no exercises to grade")
	}
	var ids, shown, packages []string
	for _, e := range exercises {
		ids = append(ids, strconv.Itoa(e.ID))
		shown = append(shown, fmt.Sprintf("%d %s", e.ID, e.Name))
		if !slices.Contains(packages, e.Package) {
			packages = append(packages, e.Package)
		}
	}
	data := map[string]string{
		"Go":       runtime.Version(),
		"IDs":      strings.Join(ids, " "),
		"Shown":    strings.Join(shown, ", "),
		"Packages": strings.Join(packages, " "),
	}
	z := zip.NewWriter(w)
	for _, name := range []string{"setup.sh", "run_autograder"} {
		text, err := gradescopeFiles.ReadFile("gradescope/" + name)
		if err != nil {
			return err
		}
		t, err := template.New(name).Parse(string(text))
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return err
		}
		if err := add(z, name, 0o755, b.Bytes()); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "gradescope-course")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	files, err := course.Publish(root, filepath.Join(tmp, "course"))
	if err != nil {
		return err
	}
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(tmp, "course", filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		if err := add(z, "course/"+name, 0o644, b); err != nil {
			return err
		}
	}
	err = filepath.WalkDir(filepath.Join(root, "solutions"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return add(z, "course/"+filepath.ToSlash(rel), 0o644, b)
	})
	if err != nil {
		return fmt.Errorf("the reference solutions, which setup.sh grades to warm the build cache: %w", err)
	}
	return z.Close()
}

func add(z *zip.Writer, name string, mode fs.FileMode, b []byte) error {
	// A fixed time: the same course, the same zip.
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.SetMode(mode)
	f, err := z.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	return err
}
