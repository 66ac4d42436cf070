package autograder

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// BenchmarkGradescopeRun is what a student waits for on Gradescope: one
// new submission of every exercise graded by run_autograder, end to end,
// from an /autograder laid out in a temporary root and pre-warmed as
// setup.sh warms it (the runner built, the reference solutions graded
// once into the autograder's cache, then removed). Each run's submission
// differs from every other, so its shim is built each time; "again" is
// the same submission graded a second time.
//
//	go test -run '^$' -bench GradescopeRun -benchtime 3x ./runner/autograder
func BenchmarkGradescopeRun(b *testing.B) {
	m, err := grade.LoadManifest(root)
	if err != nil {
		b.Fatal(err)
	}
	sel, err := Select(m, "")
	if err != nil {
		b.Fatal(err)
	}
	var z bytes.Buffer
	if err := Gradescope(root, sel, someSums, &z); err != nil {
		b.Fatal(err)
	}
	ag := filepath.Join(b.TempDir(), "autograder")
	source := filepath.Join(ag, "source")
	unzip(b, z.Bytes(), source)
	course := filepath.Join(source, "course")
	runner := filepath.Join(source, "bin", "runner")
	cache := filepath.Join(source, "cache")
	for _, args := range [][]string{{"go", "build", "-o", runner, "./runner"}, {runner, "check", "--solutions"}} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = course
		cmd.Env = append(os.Environ(), "NOTEBOOK_CACHE="+cache, "REDIS_URL=")
		if out, err := cmd.CombinedOutput(); err != nil && args[0] == "go" {
			b.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	os.RemoveAll(filepath.Join(course, "solutions"))
	os.RemoveAll(filepath.Join(cache, "sources"))

	submit := func() {
		sub := filepath.Join(ag, "submission")
		os.RemoveAll(sub)
		for _, pkg := range []string{"redisbasics", "pipelines", "searchindex"} {
			files, _ := filepath.Glob(filepath.Join(root, "solutions", pkg, "*.go"))
			for _, f := range files {
				data, _ := os.ReadFile(f)
				write(b, filepath.Join(sub, pkg, filepath.Base(f)), data)
			}
			write(b, filepath.Join(sub, pkg, "zz_note.go"), fmt.Appendf(nil, "package %s\n\n// %d\n", pkg, rand.Int()))
		}
	}
	points := 0
	for _, e := range sel {
		points += e.Points
	}
	for _, phase := range []string{"new", "again"} {
		b.Run(phase, func(b *testing.B) {
			for b.Loop() {
				if phase == "new" {
					b.StopTimer()
					submit()
					b.StartTimer()
				}
				start := time.Now()
				r := runAutograder(b, ag)
				if r.Score != float64(points) {
					b.Fatalf("score %v, want %d: %+v", r.Score, points, r)
				}
				b.ReportMetric(time.Since(start).Seconds(), "s/run")
			}
		})
	}
}
