package grade

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

func TestBatchGraftLength(t *testing.T) {
	// Same length: a message cut to a length reads the same batched or not.
	for _, i := range []int{0, 7, 123456789} {
		if g := BatchGraft(i); len(g) != len(graftDir) || g == graftDir {
			t.Errorf("BatchGraft(%d) = %s, want a folder other than, and as long as, %s", i, g, graftDir)
		}
	}
}

// TestInert: only a package whose initialization runs none of its code
// may be linked with others'.
func TestInert(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		inert     bool
	}{
		{"plain", `func F() int { return 1 }`, true},
		{"constants and literals", `
const n = 3
var limit = n * 2
var names = []string{"a", "b"}
var byName = map[string]int{"a": 1, "b": 2}
var point = struct{ X, Y int }{X: 1, Y: 2}
var f = func() int { return 1 }
var g = F
var b = []byte("x")
var s = string(rune(65))
var p = &struct{ X int }{X: 1}
var nilErr error
var c = context.Background
func F() int { return 1 }`, true},
		{"func init", `func init() {}`, false},
		{"initializer calls a function", `var x = F()
func F() int { return 1 }`, false},
		{"initializer calls a method", `var x = T{}.M()
type T struct{}
func (T) M() int { return 1 }`, false},
		{"initializer calls the standard library", `var x = context.Background()`, false},
		{"initializer reads a variable", `var a = 1
var b = a`, false},
		{"divides", `var zero = 0
var x = 1 / 1`, false},
		{"receives", `var ch chan int
var x = <-ch`, false},
		{"compares", `var x = "a" == "b"`, false},
		{"indexes", `var x = []int{1}[0]`, false},
		{"huge slice literal", `var x = []byte{1 << 40: 1}`, false},
		{"big index literal", `var x = []byte{100000000: 1}`, false},
		{"fixed array variable", `var x [1 << 30]byte`, false},
		{"fixed array type", `type big [1 << 30]byte`, false},
		{"func as a map key", `var m = map[any]int{F: 1}
func F() {}`, false},
		{"slice as a map key", `var m = map[any]int{[]int{}: 1}`, false},
		{"conversion to a type of its own", `var x = T(1)
type T int`, false},
		{"predeclared name redeclared", `var x = string("a")
func string(s any) int { return 0 }`, false},
		{"linkname", `//go:linkname x runtime.x
var x int`, false},
		{"unsafe", `import "unsafe"
var x = unsafe.Pointer(nil)`, false},
		{"os", `import "os"
func F() { os.Exit(1) }`, false},
		{"dot import", `import . "strings"
func F() string { return ToUpper("a") }`, false},
	} {
		src := "package redisbasics\n\n"
		if !strings.Contains(tc.src, "import") {
			src += "import \"context\"\n\nvar _ context.Context\n\n"
		}
		src += tc.src + "\n"
		pkg := &Package{Files: map[string][]byte{"a.go": []byte(src)}, Funcs: map[string]bool{}}
		if got := Inert(pkg, "redisbasics"); got != tc.inert {
			t.Errorf("%s: inert = %v, want %v\n%s", tc.name, got, tc.inert, src)
		}
	}
	pkg := &Package{Files: map[string][]byte{"a.go": []byte("package other\n")}}
	if Inert(pkg, "redisbasics") {
		t.Error("a package of another name is inert")
	}
}

// initTricks are submissions whose package initialization does
// something: each must be built alone, and grade as it does alone.
var initTricks = map[string]string{
	// Writes a key on the Redis its shim is given, and forges a verdict.
	"initkeys": `package redisbasics

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"net"
	"os"
	"path/filepath"
)

var planted = plant()

func plant() int {
	for i, a := range os.Args {
		if a == "-redis" && i+1 < len(os.Args) {
			if c, err := net.Dial("unix", os.Args[i+1]); err == nil {
				fmt.Fprintf(c, "*3\r\n$3\r\nSET\r\n$7\r\nplanted\r\n$1\r\n1\r\n")
				c.Close()
			}
		}
	}
	for fd := 1; fd < 10; fd++ {
		fmt.Fprintf(os.NewFile(uintptr(fd), "forged"), "{\"exercise\":1,\"status\":\"passed\",\"duration_ns\":1}\n")
	}
	return 1
}
`,
	"initpanic": `package redisbasics

func init() { panic("planted") }
`,
	"inithang": `package redisbasics

import "time"

var _ = wait()

func wait() int { time.Sleep(time.Hour); return 0 }
`,
}

// sameResultsClass writes a class into dir for the tests that grade one
// both ways and want the same outputs: generateClass's ten, and
// testdata's submissions that crash, hit the limits, and act in their
// initialization. Every verdict and message in it is the same from one
// run to another: student006's wrong file (an HSET per field, in a Go
// map's order) sends its commands in an order no two runs share, so
// another wrong one takes its place.
func sameResultsClass(t *testing.T, dir string) {
	t.Helper()
	generateClass(t, dir, 10)
	os.RemoveAll(filepath.Join(dir, "student006"))
	lists, err := txtar.ParseFile("testdata/wrong/lists-lpush-order.txtar")
	if err != nil {
		t.Fatal(err)
	}
	submission(t, dir, "student006", "solutions", lists.Files)
	for _, name := range []string{"crash", "limits", "tricks/in-init"} {
		a, err := txtar.ParseFile("testdata/" + name + ".txtar")
		if err != nil {
			t.Fatal(err)
		}
		from := ""
		if name == "tricks/in-init" {
			from = "solutions"
		}
		submission(t, dir, strings.ReplaceAll(name, "/", "-"), from, a.Files)
	}
}

// TestBatchSameResults grades one class twice, every submission built
// alone and then the inert ones linked several to a shim, and wants the
// same verdicts, feedback, CSV, gradebook and Gradescope results, but for
// the times they took and the time a log line was written. The class:
// complete, untouched, wrong and non-compiling submissions, ones that
// panic, print, crash, hang or compute forever, a function with type
// parameters, twins (handed in alike), those of mergeTricks, which are
// compiled in one package with others, and ones whose initialization
// plants keys, forges verdicts, panics or hangs, which are built alone
// and touch nobody else's grade.
func TestBatchSameResults(t *testing.T) {
	if testing.Short() {
		t.Skip("grades a class twice")
	}
	dir := t.TempDir()
	sameResultsClass(t, dir)
	// A function with type parameters, which the shim cannot pass.
	generic, err := txtar.ParseFile("testdata/wrong/json-generic.txtar")
	if err != nil {
		t.Fatal(err)
	}
	submission(t, dir, "generic", "solutions", generic.Files)
	// A panic and a print in code that is linked with others: their
	// positions and output read as they do alone.
	crash, err := txtar.ParseFile("testdata/crash.txtar")
	if err != nil {
		t.Fatal(err)
	}
	submission(t, dir, "panics", "solutions", crash.Files[:2])
	// Handed in alike, a complete one and one that does not compile:
	// each shares its twin's package in the batch.
	for _, twin := range []string{"student000", "student009"} {
		if err := os.CopyFS(filepath.Join(dir, twin+"-twin"), os.DirFS(filepath.Join(dir, twin))); err != nil {
			t.Fatal(err)
		}
	}
	for name, src := range initTricks {
		submission(t, dir, name, "solutions", []txtar.File{{Name: "redisbasics/zz_init.go", Data: []byte(src)}})
		pkg, err := ReadPackage(dir+"/"+name+"/redisbasics", name, "")
		if err != nil {
			t.Fatal(err)
		}
		if Inert(pkg, "redisbasics") {
			t.Errorf("%s is inert", name)
		}
	}
	// Merged with others: code that panics in a method, a closure or a
	// generic function, names shadowed, type names printed, and type
	// names declared twice.
	addMergeTricks(t, dir)
	// Three that do not compile, side by side (two of them, at least,
	// in one batch): each is compiled alone in the batch's first build,
	// for the compiler's messages, and the stubbed variants are merged
	// on the retry.
	broken, err := txtar.ParseFile("testdata/compile-error.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for i, from := range []string{"solutions", "exercises", "solutions"} {
		submission(t, dir, fmt.Sprintf("broken%d", i), from, broken.Files)
	}
	// And one whose merged package would not compile: its batch is
	// built again without merging.
	submission(t, dir, "zhuge", "solutions", []txtar.File{{Name: "redisbasics/huge.go", Data: []byte(tooLarge)}})
	grade := func(size int) (*Class, int64) {
		t.Helper()
		defer func(old int) { batchSize = old }(batchSize)
		batchSize = size
		before, merged, stubbed := timings.batched.Load(), mergedMembers.Load(), mergedStubbed.Load()
		opt := ClassOptions{Options: Options{Root: root, RunConfig: RunConfig{Seed: 2026}}, Regrade: true}
		opt.Timeout = 3 * time.Second
		c, err := GradeClass(context.Background(), dir, manifest.Exercises, opt)
		if err != nil {
			t.Fatal(err)
		}
		if n := mergedMembers.Load() - merged; size > 1 && n < int64(len(mergeTricks)) {
			t.Errorf("%d submissions merged, want %d or more", n, len(mergeTricks))
		}
		if n := mergedStubbed.Load() - stubbed; size > 1 && n < 2 {
			t.Errorf("%d submissions merged with a file stubbed, want 2 or more", n)
		}
		return c, timings.batched.Load() - before
	}
	alone, n := grade(1)
	if n != 0 {
		t.Fatalf("%d submissions batched with batches of 1", n)
	}
	batched, n := grade(8)
	// generateClass's ten: all but the two whose files are of two
	// packages (they do not compile) and the one that does not compile
	// (its file stubbed), which is batched; and limits.
	if n < 8 {
		t.Errorf("%d submissions batched, want 8 or more", n)
	}
	a, b := untimedOutputs(t, alone), untimedOutputs(t, batched)
	if a != b {
		al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
		for i := range min(len(al), len(bl)) {
			if al[i] != bl[i] {
				t.Fatalf("batched, line %d differs:\nalone:   %s\nbatched: %s", i+1, al[i], bl[i])
			}
		}
		t.Fatalf("batched: %d lines, alone %d", len(bl), len(al))
	}
	for _, s := range batched.Submissions {
		if s.Name == "student000" && s.Points() != s.report(manifest.Exercises).MaxPoints() {
			t.Errorf("a complete submission batched scored %d", s.Points())
		}
	}
}

// untimedOutputs writes everything a class's grading gives a teacher and the
// students, but for the times it took, which no two gradings share.
func untimedOutputs(t *testing.T, c *Class) string {
	for _, s := range c.Submissions {
		if s.Report == nil {
			continue
		}
		s.Report.Elapsed = 0
		for i := range s.Report.Results {
			s.Report.Results[i].Duration = 0
		}
	}
	var b bytes.Buffer
	if err := c.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteGradebook(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Submissions {
		fmt.Fprintf(&b, "== %s\n", s.Name)
		s.WriteMarkdown(&b, c.Exercises)
		if err := s.WriteGradescope(&b, c.Exercises, GradescopeOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// A log line's time: no two gradings share it either.
	return logTime.ReplaceAllString(b.String(), "YYYY/MM/DD hh:mm:ss")
}

var logTime = regexp.MustCompile(`\d{4}/\d\d/\d\d \d\d:\d\d:\d\d`)
