package grade

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"
)

// BenchmarkGradeClass30 grades a class of 30 submissions, as a teacher's
// grade command does: 12 complete, 8 untouched stubs, 6 with one wrong
// answer, 2 that do not compile, and 2 that panic, crash and hang (for
// the default 10 s). Each submission differs from the others, as real
// ones do, so each builds its own harness; the Go build cache is warm, as
// it is after a first check.
//
//	go test -run '^$' -bench GradeClass30 -benchtime 1x ./runner/grade
func BenchmarkGradeClass30(b *testing.B) {
	wrong, _ := filepath.Glob("testdata/wrong/*.txtar")
	crash, _ := txtar.ParseFile("testdata/crash.txtar")
	broken, _ := txtar.ParseFile("testdata/compile-error.txtar")
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		n := 0
		add := func(from string, files []txtar.File) {
			n++
			submission(b, dir, fmt.Sprintf("student%02d", n), from, files)
		}
		for range 12 {
			add("solutions", nil)
		}
		for range 8 {
			add("exercises", nil)
		}
		for i := range 6 {
			a, err := txtar.ParseFile(wrong[i*len(wrong)/6])
			if err != nil {
				b.Fatal(err)
			}
			add("solutions", a.Files)
		}
		for range 2 {
			add("exercises", broken.Files)
			add("", crash.Files)
		}
		b.StartTimer()
		class, err := GradeClass(context.Background(), dir, manifest.Exercises, ClassOptions{Options: Options{Root: root}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(class.Elapsed.Seconds(), "s/class")
		b.ReportMetric(class.Elapsed.Seconds()/float64(len(class.Submissions)), "s/submission")
		passed := 0
		for _, s := range class.Submissions {
			if s.Points() == 6 {
				passed++
			}
		}
		if len(class.Submissions) != 30 || passed != 12 {
			b.Fatalf("%d submissions, %d with every exercise passed; want 30 and 12", len(class.Submissions), passed)
		}
	}
}
