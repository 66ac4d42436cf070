package grade

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

// BenchmarkGradeClass grades generated classes of 30 and 100 submissions,
// as a teacher's grade command does, sandbox included: 40% complete, 20%
// untouched stubs, 30% with one wrong answer (from testdata/wrong), 10%
// with a file that does not compile. Each submission differs from every
// other, as real ones do. "cold" is a class never graded before (every
// shim compiled and linked; the Go build cache warm for the
// dependencies), "warm" the same class graded again, unchanged.
//
//	go test -run '^$' -bench GradeClass -benchtime 1x ./runner/grade
//
// Besides the time per class and per submission, it reports where the
// time goes: build-s (building shims, compile and link, summed over the
// builds that run at once) and run-s (running exercises, likewise), per
// submission; and, once, link-s: how much of one shim's build is the link.
func BenchmarkGradeClass(b *testing.B) {
	parent := b
	for _, n := range []int{30, 100} {
		var dir string
		for _, phase := range []string{"cold", "warm"} {
			b.Run(fmt.Sprintf("%d/%s", n, phase), func(b *testing.B) {
				for b.Loop() {
					if phase == "cold" || dir == "" {
						b.StopTimer()
						var err error
						if dir, err = os.MkdirTemp("", "gradebench"); err != nil {
							b.Fatal(err)
						}
						root := dir
						parent.Cleanup(func() { os.RemoveAll(root) })
						generateClass(b, dir, n)
						b.StartTimer()
					}
					timings.builds.Store(0)
					timings.runs.Store(0)
					class, err := GradeClass(context.Background(), dir, manifest.Exercises, ClassOptions{Options: Options{Root: root}})
					if err != nil {
						b.Fatal(err)
					}
					if len(class.Submissions) != n {
						b.Fatalf("%d submissions, want %d", len(class.Submissions), n)
					}
					b.ReportMetric(class.Elapsed.Seconds(), "s/class")
					b.ReportMetric(class.Elapsed.Seconds()/float64(n), "s/submission")
					b.ReportMetric(time.Duration(timings.builds.Load()).Seconds()/float64(n), "build-s/submission")
					b.ReportMetric(time.Duration(timings.runs.Load()).Seconds()/float64(n), "run-s/submission")
				}
			})
		}
	}
	b.Run("link", func(b *testing.B) {
		for b.Loop() {
			compile, link := linkShare(b)
			b.ReportMetric(compile.Seconds(), "compile-s")
			b.ReportMetric(link.Seconds(), "link-s")
		}
	})
}

// generateClass writes n submissions into dir: a class of package
// redisbasics, so its wrong answers are testdata/wrong's for that
// package (another package's file would make a package that does not
// build at all, not one wrong answer).
func generateClass(b testing.TB, dir string, n int) {
	var wrong []string
	all, _ := filepath.Glob("testdata/wrong/*.txtar")
	for _, path := range all {
		a, err := txtar.ParseFile(path)
		if err != nil {
			b.Fatal(err)
		}
		if len(a.Files) > 0 && strings.HasPrefix(a.Files[0].Name, "redisbasics/") {
			wrong = append(wrong, path)
		}
	}
	if len(wrong) == 0 {
		b.Fatal("no wrong answers of package redisbasics in testdata/wrong")
	}
	broken, _ := txtar.ParseFile("testdata/compile-error.txtar")
	for i := range n {
		name := fmt.Sprintf("student%03d", i)
		switch k := i % 10; {
		case k < 4:
			submission(b, dir, name, "solutions", nil)
		case k < 6:
			submission(b, dir, name, "exercises", nil)
		case k < 9:
			a, err := txtar.ParseFile(wrong[i%len(wrong)])
			if err != nil {
				b.Fatal(err)
			}
			submission(b, dir, name, "solutions", a.Files)
		default:
			submission(b, dir, name, "solutions", broken.Files)
		}
	}
}

// linkShare builds one new shim, and the same package alone (compiled, not
// linked), and returns how long each took: the difference is the link.
func linkShare(b *testing.B) (compile, link time.Duration) {
	b.StopTimer()
	dir := b.TempDir()
	submission(b, dir, "one", "solutions", nil)
	pkg, err := ReadPackage(filepath.Join(dir, "one", "redisbasics"), "one", "")
	if err != nil {
		b.Fatal(err)
	}
	src, err := snapshot(pkg)
	if err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	start := time.Now()
	cmd := exec.Command("go", "build", "-tags=netgo,osusergo", "-overlay="+filepath.Join(src, "overlay.json"), "./"+graftDir)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	compile = time.Since(start)
	start = time.Now()
	if _, err := CompileHarness(context.Background(), root, manifest, pkg, fmt.Sprintf("gradebench%d", rand.Uint32()), nil); err != nil {
		b.Fatal(err)
	}
	total := time.Since(start)
	RemoveIsolated("gradebench", pkg)
	os.RemoveAll(src)
	return compile, total - compile
}

// BenchmarkShimRebuild is what a teacher pays per changed submission and a
// learner per save: rebuilding a package's shim after an edit (compile and
// link). It caught go-redis v9.23.0, which made it more than twice as slow.
//
//	go test -run '^$' -bench ShimRebuild -benchtime 3x ./runner/grade
func BenchmarkShimRebuild(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		submission(b, dir, "one", "solutions", nil)
		pkg, err := ReadPackage(filepath.Join(dir, "one", "redisbasics"), "one", "")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := CompileHarness(context.Background(), root, manifest, pkg, "gradebench", nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		RemoveIsolated("gradebench", pkg)
		b.StartTimer()
	}
}
