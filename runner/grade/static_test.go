//go:build linux

package grade

import (
	"context"
	"debug/elf"
	"os"
	"testing"
)

// TestCheckerStatic: the checker, which starts once per submission, and
// the sandbox's launcher built with it, which starts once per exercise,
// are static binaries: no dynamic loader to run at every start (and none
// to need in a sandbox); and the launcher is the smaller.
func TestCheckerStatic(t *testing.T) {
	t.Parallel()
	bin, err := buildChecker(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, ok := launchers.Load(bin)
	if !ok {
		t.Fatal("no launcher built with the checker")
	}
	launcher := l.(string)
	staticELF(t, bin)
	staticELF(t, launcher)
	cs, err1 := os.Stat(bin)
	ls, err2 := os.Stat(launcher)
	if err1 != nil || err2 != nil || ls.Size()*3 > cs.Size() {
		t.Errorf("the launcher (%v) is not much smaller than the checker (%v)", ls.Size(), cs.Size())
	}
}

func staticELF(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("%s is dynamically linked (%v)", bin, p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("%s links %v", bin, libs)
	}
}
