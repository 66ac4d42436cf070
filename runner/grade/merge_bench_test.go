package grade

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkBatchBuild builds the shims of a class's inert submissions,
// and nothing else (no checker, no exercise run), from an empty cache of
// the runner's own (the Go build cache warm for the modules), and prints
// the CPU time it took: what merging a batch's packages saves. A class
// of GRADE_FIGURES (the first size; default 30) submissions, as
// BenchmarkClassFigures generates them.
//
//	go test -run '^$' -bench BatchBuild -benchtime 1x ./runner/grade
func BenchmarkBatchBuild(b *testing.B) {
	n := 30
	if s := os.Getenv("GRADE_FIGURES"); s != "" {
		fmt.Sscanf(s, "%d", &n)
	}
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		generateClass(b, dir, n)
		b.Setenv("NOTEBOOK_CACHE", b.TempDir())
		var pkgs []*Package
		for i := range n {
			name := fmt.Sprintf("student%03d", i)
			p, err := ReadPackage(filepath.Join(dir, name, "redisbasics"), name, "")
			if err != nil {
				b.Fatal(err)
			}
			if Inert(p, manifest.Package) {
				pkgs = append(pkgs, p)
			}
		}
		opt := Options{Root: root}
		// The checker, which every batch needs, is not what is measured.
		if _, err := buildChecker(context.Background(), root, nil); err != nil {
			b.Fatal(err)
		}
		builds := make(chan struct{}, runtime.NumCPU())
		b.StartTimer()
		cpu0 := cpuUsed()
		batchBuilds0, merged0, stubbed0 := batchBuilds.Load(), mergedMembers.Load(), mergedStubbed.Load()
		var mu sync.Mutex
		var batched, alone atomic.Int64
		buildBatches(context.Background(), opt, manifest, pkgs, builds, func(p *Package, bt *built) {
			mu.Lock()
			defer mu.Unlock()
			if bt == nil {
				alone.Add(1)
			} else {
				batched.Add(1)
			}
		})
		cpu := cpuUsed() - cpu0
		b.ReportMetric(cpu.Seconds(), "cpu-s")
		b.Logf("class of %d: %d inert, %d batched, %d left to be built alone, %d merged (%d with a file stubbed); %d batch builds; CPU %.2f s; load average %s",
			n, len(pkgs), batched.Load(), alone.Load(), mergedMembers.Load()-merged0, mergedStubbed.Load()-stubbed0, batchBuilds.Load()-batchBuilds0, cpu.Seconds(), loadAverage())
	}
}
