package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/redis-notebook/tutorial/runner/build"
)

// TestDepsProgress: a harness rebuilt after a save (a few packages) is not
// reported; a cold build of the dependencies is, to its end.
func TestDepsProgress(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []build.Status
		want []int // the Packages of the statuses passed on
	}{
		{"a rebuild", []build.Status{{Packages: 2}, {Packages: 3, Done: true}}, nil},
		{"a cold build", []build.Status{{Packages: 3}, {Packages: 5}, {Packages: 9}, {Packages: 9, Done: true}}, []int{5, 9, 9}},
	} {
		var got []int
		p := depsProgress(func(s build.Status) { got = append(got, s.Packages) })
		for _, s := range tt.in {
			p(s)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: passed on %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestProgressFromBuildsAtOnce: a class's submissions build at once and
// report on one progress line; under -race, an unguarded one is caught
// (CI's cold build cache found it in grade).
func TestProgressFromBuildsAtOnce(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "progress"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := depsProgress(progressPrinter(f))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for n := range 50 {
				p(build.Status{Packages: 5 + n, Current: "a package"})
			}
			p(build.Status{Packages: 60, Done: true})
		})
	}
	wg.Wait()
	out, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "60") {
		t.Errorf("the final status was not shown: %q", out)
	}
}
