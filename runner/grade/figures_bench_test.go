package grade

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkClassFigures prints the figures the README quotes for a
// class, each size measured in one run, so that their ratios hold on a
// machine other work shares:
//
//   - cold: the class graded with the runner's cache empty (every shim
//     and the checker built; the Go build cache warm for the modules);
//   - again: graded again unchanged (the verdicts reused);
//   - gotest: a per-student go test harness, as a teacher writes by hand
//     (testdata/gotest-harness: each submission's package with a test
//     file, go test in a module of its own, NumCPU at once);
//
// and the ratio cold/gotest, on the clock and in CPU time. Sizes default
// to 30 and 300:
//
//	GRADE_FIGURES=30,300 go test -run '^$' -bench ClassFigures -benchtime 1x -timeout 60m ./runner/grade
func BenchmarkClassFigures(b *testing.B) {
	sizes := []int{30, 300}
	if s := os.Getenv("GRADE_FIGURES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				b.Fatalf("GRADE_FIGURES=%s: %v", s, err)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				dir := b.TempDir()
				generateClass(b, dir, n)
				// An empty cache of the runner's own for the cold grading.
				b.Setenv("NOTEBOOK_CACHE", b.TempDir())
				opt := ClassOptions{Options: Options{Root: root, RunConfig: RunConfig{Seed: 2026}}}
				b.StartTimer()
				cpu0 := cpuUsed()
				cold := gradeTimed(b, dir, opt, n)
				coldCPU := cpuUsed() - cpu0
				again := gradeTimed(b, dir, opt, n)
				cpu0 = cpuUsed()
				gotest := goTestHarness(b, dir, n)
				gotestCPU := cpuUsed() - cpu0
				b.ReportMetric(cold.Seconds()/float64(n), "cold-s/submission")
				b.ReportMetric(again.Seconds()/float64(n), "again-s/submission")
				b.ReportMetric(gotest.Seconds()/float64(n), "gotest-s/submission")
				b.ReportMetric(cold.Seconds()/gotest.Seconds(), "cold/gotest")
				b.ReportMetric(coldCPU.Seconds()/gotestCPU.Seconds(), "cold/gotest-cpu")
				b.Logf("class of %d: cold %.1f s (%.3f s each), again unchanged %.2f s (%.4f s each), go test harness %.1f s (%.3f s each): cold/gotest %.2f; load average %s",
					n, cold.Seconds(), cold.Seconds()/float64(n), again.Seconds(), again.Seconds()/float64(n),
					gotest.Seconds(), gotest.Seconds()/float64(n), cold.Seconds()/gotest.Seconds(), loadAverage())
				b.Logf("class of %d: CPU time (of this process and the processes it waited for) cold %.1f s, go test harness %.1f s: %.2f",
					n, coldCPU.Seconds(), gotestCPU.Seconds(), coldCPU.Seconds()/gotestCPU.Seconds())
			}
		})
	}
}

func gradeTimed(b *testing.B, dir string, opt ClassOptions, n int) time.Duration {
	start := time.Now()
	class, err := GradeClass(context.Background(), dir, manifest.Exercises, opt)
	if err != nil {
		b.Fatal(err)
	}
	if len(class.Submissions) != n {
		b.Fatalf("%d submissions, want %d", len(class.Submissions), n)
	}
	return time.Since(start)
}

// goTestHarness runs go test on each submission of the class in dir, in
// a module of its own with the harness's test file, NumCPU at once, and
// returns how long the class took. It fails if the harness fails a
// complete submission: then it would not be the baseline it claims.
func goTestHarness(b *testing.B, dir string, n int) time.Duration {
	test, err := os.ReadFile("testdata/gotest-harness/harness_test.go.txt")
	if err != nil {
		b.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		b.Fatal(err)
	}
	gomod = regexp.MustCompile(`(?m)^module .*$`).ReplaceAll(gomod, []byte("module harness"))
	gosum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	work := b.TempDir()
	var mods []string
	for i := range n {
		name := fmt.Sprintf("student%03d", i)
		mod := filepath.Join(work, name)
		pkg := filepath.Join(mod, "redisbasics")
		os.MkdirAll(pkg, 0o755)
		files, _ := filepath.Glob(filepath.Join(dir, name, "redisbasics", "*.go"))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			os.WriteFile(filepath.Join(pkg, filepath.Base(f)), data, 0o644)
		}
		os.WriteFile(filepath.Join(pkg, "harness_test.go"), test, 0o644)
		os.WriteFile(filepath.Join(mod, "go.mod"), gomod, 0o644)
		os.WriteFile(filepath.Join(mod, "go.sum"), gosum, 0o644)
		mods = append(mods, mod)
	}
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	failedComplete := make(chan string, n)
	for i, mod := range mods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cmd := exec.Command("go", "test", "-count=1", "./redisbasics")
			cmd.Dir = mod
			out, err := cmd.CombinedOutput()
			if err != nil && i%10 < 4 { // generateClass: the complete ones
				failedComplete <- fmt.Sprintf("%s: %v\n%s", filepath.Base(mod), err, out)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(failedComplete)
	for msg := range failedComplete {
		b.Fatalf("the go test harness fails a complete submission: %s", msg)
	}
	return took
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
