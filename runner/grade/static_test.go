//go:build linux

package grade

import (
	"context"
	"debug/elf"
	"testing"
)

// TestCheckerStatic: the checker, which starts once per submission and
// re-executes itself as each exercise's launcher, is a static binary: no
// dynamic loader to run at every start (and none to need in a sandbox).
func TestCheckerStatic(t *testing.T) {
	t.Parallel()
	bin, err := buildChecker(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("the checker %s is dynamically linked (%v)", bin, p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("the checker links %v", libs)
	}
}
