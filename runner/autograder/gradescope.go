// Package autograder packages the grader for the platforms that run
// autograders of their own: Gradescope's programming assignments (a zip of
// setup.sh, run_autograder and the course).
package autograder

import (
	"archive/zip"
	"bytes"
	"cmp"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/redis-notebook/tutorial/runner/course"
	"github.com/redis-notebook/tutorial/runner/grade"
)

//go:embed gradescope/setup.sh gradescope/install_go.sh gradescope/run_autograder
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

// A file of the autograder: its contents, and whether it is a script.
type file struct {
	data []byte
	exec bool
}

// autograderFiles are the files of the autograder grading exercises, by
// slash-separated path: setup.sh and run_autograder at the top, and in
// course/ the students' copy of the course (course.Publish) with the
// reference solutions, which setup.sh grades once to warm the build
// cache, then deletes.
func autograderFiles(root string, exercises []grade.Exercise, sums GoChecksums) (map[string]file, error) {
	if len(exercises) == 0 {
		return nil, fmt.Errorf("no exercises to grade")
	}
	out, err := scripts(exercises, sums)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "autograder-course")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	published, err := course.Publish(root, filepath.Join(tmp, "course"))
	if err != nil {
		return nil, err
	}
	for _, name := range published {
		b, err := os.ReadFile(filepath.Join(tmp, "course", filepath.FromSlash(name)))
		if err != nil {
			return nil, err
		}
		out["course/"+name] = file{data: b}
	}
	err = filepath.WalkDir(filepath.Join(root, "solutions"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		b, err := os.ReadFile(path)
		if err == nil {
			out["course/"+filepath.ToSlash(rel)] = file{data: b}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("the reference solutions, which setup.sh grades to warm the build cache: %w", err)
	}
	return out, nil
}

// scripts are the autograder's scripts, for exercises, with the Go
// toolchain's checksums: setup.sh, install_go.sh and run_autograder.
func scripts(exercises []grade.Exercise, sums GoChecksums) (map[string]file, error) {
	known, err := sums.forVersion(goVersion)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, k := range known {
		names = append(names, k.Name)
	}
	var ids, shown, packages []string
	for _, e := range exercises {
		ids = append(ids, strconv.Itoa(e.ID))
		shown = append(shown, fmt.Sprintf("%d %s", e.ID, e.Name))
		if !slices.Contains(packages, e.Package) {
			packages = append(packages, e.Package)
		}
	}
	data := map[string]any{
		"Go":        goVersion,
		"IDs":       strings.Join(ids, " "),
		"Shown":     strings.Join(shown, ", "),
		"Packages":  strings.Join(packages, " "),
		"Checksums": known,
		"Known":     strings.Join(names, ", "),
	}
	out := map[string]file{}
	for _, name := range []string{"setup.sh", "install_go.sh", "run_autograder"} {
		text, err := gradescopeFiles.ReadFile("gradescope/" + name)
		if err != nil {
			return nil, err
		}
		t, err := template.New(name).Parse(string(text))
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return nil, err
		}
		out[name] = file{b.Bytes(), true}
	}
	return out, nil
}

// Gradescope writes to w the zip a Gradescope programming assignment
// takes, grading exercises, installing the Go toolchain whose tarball
// has one of sums (see autograderFiles).
func Gradescope(root string, exercises []grade.Exercise, sums GoChecksums, w io.Writer) error {
	files, err := autograderFiles(root, exercises, sums)
	if err != nil {
		return err
	}
	z := zip.NewWriter(w)
	// The scripts first, where a reader of the listing looks.
	names := slices.Sorted(maps.Keys(files))
	slices.SortStableFunc(names, func(a, b string) int {
		return cmp.Compare(strings.Count(a, "/"), strings.Count(b, "/"))
	})
	for _, name := range names {
		mode := fs.FileMode(0o644)
		if files[name].exec {
			mode = 0o755
		}
		if err := add(z, name, mode, files[name].data); err != nil {
			return err
		}
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
