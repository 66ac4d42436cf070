package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/internal/needs"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// The benchmarks behind the figures in the README: go test ./runner -run '^$'
// -bench . -benchtime 5x (set REDIS_URL for the real-server ones).

// BenchmarkWalkRedis is a warm `runner walk redis`, output discarded.
func BenchmarkWalkRedis(b *testing.B) {
	for b.Loop() {
		walkChapter1(b, "")
	}
}

// walkChapter1 walks chapter 1 on the embedded server, or on url, and
// returns how long it took.
func walkChapter1(b *testing.B, url string) time.Duration {
	b.Helper()
	args := []string{"walk", "redis"}
	if url != "" {
		args = append(args, "--redis", url)
	}
	cmd := exec.Command(runnerBin, args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "REDIS_URL=")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	return time.Since(start)
}

// BenchmarkVersusPython sets chapter 1 against its Python original, on
// the server at $REDIS_URL: the original's steps with redis-py
// (runner/bench/chapter1.py, one command per round trip), then the walk
// on that server (guard included), then the walk on the embedded
// miniredis, in turn in each iteration, so that a busy machine slows all
// three alike. It reports the best time of each and the ratios the
// project holds itself to: the walk on the server at least 1.2 times
// faster than Python there, the embedded walk at least 10 times.
// runner/bench/compare.sh prints the same from the shell.
//
//	REDIS_URL=redis://127.0.0.1:6379 go test ./runner -run '^$' -bench VersusPython -benchtime 3x
func BenchmarkVersusPython(b *testing.B) {
	url := needs.Redis(b, 4)
	python := cmp.Or(os.Getenv("PYTHON"), "/usr/bin/python3")
	if err := exec.Command(python, "-c", "import redis").Run(); err != nil {
		b.Skipf("%s has no redis-py (Debian: apt-get install python3-redis; or set PYTHON): %v", python, err)
	}
	walkChapter1(b, url) // warm: both programs built, the word list read once
	walkChapter1(b, "")
	best := map[string]time.Duration{}
	keep := func(name string, d time.Duration) {
		if old, ok := best[name]; !ok || d < old {
			best[name] = d
		}
	}
	for b.Loop() {
		cmd := exec.Command(python, "runner/bench/chapter1.py", url, "chapters/american-english")
		cmd.Dir = ".."
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("the Python steps: %v\n%s", err, out)
		}
		keep("python", time.Since(start))
		keep("redis", walkChapter1(b, url))
		keep("miniredis", walkChapter1(b, ""))
	}
	b.ReportMetric(best["python"].Seconds(), "python-s")
	b.ReportMetric(best["redis"].Seconds(), "walk-redis-s")
	b.ReportMetric(best["miniredis"].Seconds(), "walk-miniredis-s")
	b.ReportMetric(best["python"].Seconds()/best["redis"].Seconds(), "x-faster-on-redis")
	b.ReportMetric(best["python"].Seconds()/best["miniredis"].Seconds(), "x-faster-embedded")
}

// BenchmarkChapterProgram runs the already-built program of chapter 1
// directly, without the runner: the baseline for the runner's overhead.
func BenchmarkChapterProgram(b *testing.B) {
	ch, err := chapter.Load("../chapters/01-redis.md")
	if err != nil {
		b.Fatal(err)
	}
	root, _ := filepath.Abs("..")
	bin, err := notebook.Executable(context.Background(), ch, notebook.Options{Root: root})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		cmd := exec.Command(bin)
		cmd.Dir = "../chapters"
		cmd.Env = append(os.Environ(), "REDIS_URL=")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
	}
}

// BenchmarkEditOneCell measures, warm, the time from saving a change to
// one cell to seeing its output: each iteration edits the chapter's first
// running cell (so the program must be regenerated and rebuilt), walks the
// chapter, and stops the clock when the edited output appears.
func BenchmarkEditOneCell(b *testing.B) {
	src, err := os.ReadFile("../chapters/01-redis.md")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	entries, _ := os.ReadDir("../chapters")
	for _, e := range entries { // the chapter reads its word list from its folder
		if !strings.HasSuffix(e.Name(), ".md") {
			data, _ := os.ReadFile(filepath.Join("../chapters", e.Name()))
			os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644)
		}
	}
	path := filepath.Join(dir, "01-redis.md")
	i := 0
	for b.Loop() {
		i++
		edited := strings.Replace(string(src), "rdb.Ping(ctx)", fmt.Sprintf("rdb.Echo(ctx, \"edit %d\")", i), 1)
		os.WriteFile(path, []byte(edited), 0o644)
		cmd := exec.Command(runnerBin, "walk", path)
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "REDIS_URL=")
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		want := fmt.Sprintf("echo edit %d", i)
		sc := bufio.NewScanner(stdout)
		seen := false
		for !seen && sc.Scan() {
			seen = strings.Contains(sc.Text(), "│ "+want)
		}
		b.StopTimer()
		cmd.Process.Kill()
		cmd.Wait()
		if !seen {
			b.Fatalf("the walk never printed %s", want)
		}
		b.StartTimer()
	}
}

// BenchmarkAnagramStrategies reports how long the chapter's anagram cells
// take on each backend: one RPUSH per word, one HSET per signature, and
// one HSET for the whole map.
func BenchmarkAnagramStrategies(b *testing.B) {
	backends := map[string]string{"miniredis": ""}
	if os.Getenv("REDIS_URL") != "" {
		backends["redis"] = needs.Redis(b, 4)
	}
	ch, err := chapter.Load("../chapters/01-redis.md")
	if err != nil {
		b.Fatal(err)
	}
	cells := map[string]int{}
	for _, c := range ch.Cells() {
		switch {
		case strings.Contains(c.Code, "rdb.RPush(ctx, \"Anagram:\""):
			cells["rpush-each-ns"] = c.Index
		case strings.Contains(c.Code, "rdb.HSet(ctx, \"AnagramHash\", sig"):
			cells["hset-each-ns"] = c.Index
		case strings.Contains(c.Code, "rdb.HSet(ctx, \"AnagramHash\", fields)"):
			cells["hset-once-ns"] = c.Index
		}
	}
	if len(cells) != 3 {
		b.Fatalf("found the anagram cells %v, want 3", cells)
	}
	root, _ := filepath.Abs("..")
	for name, url := range backends {
		b.Run(name, func(b *testing.B) {
			sums := map[string]float64{}
			for b.Loop() {
				res, err := notebook.Run(context.Background(), ch, notebook.Options{Root: root, Run: settings.Run{RedisURL: url}})
				if err != nil {
					b.Fatal(err)
				}
				for metric, idx := range cells {
					sums[metric] += float64(res.Cells[idx-1].Elapsed.Nanoseconds())
				}
			}
			for metric, sum := range sums {
				b.ReportMetric(sum/float64(b.N), metric)
			}
		})
	}
}
