package checkbuild

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// A Report is an exercise's verdict, and the report `runner check N`
// prints of it, the package's folder named exercises/<package>.
type Report struct {
	Status verdict.Status
	Text   string
}

// GradeCases grades cases as the grader grades a class, on seed, each
// case a student's submission, the cases that check the same exercises
// one class (grade.GradeClass), in a temporary folder, its builds removed
// from the cache when done; it returns each case's reports, in the order
// of its Exercises.
func GradeCases(ctx context.Context, root string, cases []Case, seed uint64) ([][]Report, error) {
	tmp, err := os.MkdirTemp("", "gradecases-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	// Builds of its own, removed when done: graded once, they are not
	// kept in the cache for a next grading as a class's are.
	builds := fmt.Sprintf("gradecases%d-", os.Getpid())
	defer grade.RemoveBuilds(builds)
	classes := map[string][]int{} // by the exercises checked
	for i, c := range cases {
		key := c.Package + fmt.Sprint(ids(c.Exercises))
		classes[key] = append(classes[key], i)
	}
	out := make([][]Report, len(cases))
	n := 0
	for key, members := range classes {
		n++
		dir := filepath.Join(tmp, fmt.Sprintf("class%d", n))
		exercises := cases[members[0]].Exercises
		for _, i := range members {
			if _, err := cases[i].Write(filepath.Join(dir, cases[i].Name)); err != nil {
				return nil, err
			}
		}
		opt := grade.ClassOptions{Options: grade.Options{Root: root, RunConfig: grade.RunConfig{Seed: seed}}, Regrade: true, Builds: builds}
		class, err := grade.GradeClass(ctx, dir, exercises, opt)
		if err != nil {
			return nil, fmt.Errorf("grading %s: %w", key, err)
		}
		for _, s := range class.Submissions {
			i := slices.IndexFunc(members, func(i int) bool { return cases[i].Name == s.Name })
			if i < 0 {
				return nil, fmt.Errorf("grading %s: a submission %s that is no case", key, s.Name)
			}
			if s.Err != nil {
				return nil, fmt.Errorf("%s: %w", s.Name, s.Err)
			}
			if out[members[i]], err = reports(s.Report, s.Name+string(filepath.Separator)); err != nil {
				return nil, fmt.Errorf("%s: %w", s.Name, err)
			}
		}
	}
	for i, reps := range out {
		if len(reps) != len(cases[i].Exercises) {
			return nil, fmt.Errorf("%s: the class's grading has %d results, not one per exercise (%d)", cases[i].Name, len(reps), len(cases[i].Exercises))
		}
	}
	return out, nil
}

// reports are rep's, an exercise each, as check prints them, with prefix
// taken from the package's folder (prefix + exercises/<package>).
func reports(rep *grade.Report, prefix string) ([]Report, error) {
	if rep.Compile != nil {
		return nil, fmt.Errorf("does not compile:\n%s", rep.Compile)
	}
	out := make([]Report, len(rep.Exercises))
	for i := range rep.Exercises {
		one := &grade.Report{Package: rep.Package, Backend: rep.Backend, Exercises: rep.Exercises[i : i+1],
			Results: rep.Results[i : i+1], Seed: rep.Seed}
		var b bytes.Buffer
		one.WriteText(&b, browsercheck.TextOptions)
		text := strings.ReplaceAll(b.String(), prefix+"exercises"+string(filepath.Separator), "exercises"+string(filepath.Separator))
		out[i] = Report{Status: one.Results[0].Status, Text: text}
	}
	return out, nil
}

// CheckCase grades c as `runner check` does, on seed, in a temporary
// folder: a second opinion, for reports that differ.
func CheckCase(ctx context.Context, root string, c Case, seed uint64) ([]Report, error) {
	dir, err := os.MkdirTemp("", "checkcase-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	pkgDir, err := c.Write(dir)
	if err != nil {
		return nil, err
	}
	opt := grade.Options{Root: root, Isolated: "checkcase", RunConfig: grade.RunConfig{Seed: seed}}
	rep, _, err := grade.Check(ctx, pkgDir, c.Exercises, opt)
	if err != nil {
		return nil, err
	}
	if pkg, err := grade.ReadPackage(pkgDir, pkgDir, ""); err == nil {
		defer grade.RemoveIsolated("checkcase", pkg)
	}
	return reports(rep, dir+string(filepath.Separator))
}

func ids(exercises []grade.Exercise) []int {
	var out []int
	for _, e := range exercises {
		out = append(out, e.ID)
	}
	return out
}
