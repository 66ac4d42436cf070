package main

import (
	"slices"
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
