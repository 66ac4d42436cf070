package notebook_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/settings"
)

func root(t testing.TB) string {
	r, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func run(t *testing.T, path string, opt notebook.Options) (*notebook.Result, error) {
	t.Helper()
	ch, err := chapter.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	opt.Root = root(t)
	return notebook.Run(context.Background(), ch, opt)
}

func outputs(res *notebook.Result) []string {
	var out []string
	for _, c := range res.Cells {
		if c.Ran {
			out = append(out, c.Output)
		} else {
			out = append(out, "(not run)")
		}
	}
	return out
}

func TestRunSplitsOutputByCell(t *testing.T) {
	res, err := run(t, "testdata/basics.md", notebook.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"get greeting: hello\n",
		"tick 1\ntick 2\ntick 3\nno newline at the end",
		"", // wg.Wait() has no value: the runner must not try to display it
		`[]byte("stop pots tops\n") <nil>` + "\n",
		"(not run)",
		"only on miniredis\n",
	}
	got := outputs(res)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("outputs:\n%q\nwant:\n%q", got, want)
	}
	if res.Backend != chapter.Miniredis || !strings.HasPrefix(res.Addr, "127.0.0.1:") {
		t.Errorf("backend %q at %q", res.Backend, res.Addr)
	}
}

func TestCompileErrorPointsIntoChapter(t *testing.T) {
	_, err := run(t, "testdata/compile-error.md", notebook.Options{})
	var ce *build.CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T), want a compile error", err, err)
	}
	if len(ce.Diags) != 1 {
		t.Fatalf("diagnostics %v, want one", ce.Diags)
	}
	d := ce.Diags[0]
	if d.File != "testdata/compile-error.md" || d.Line != 10 || d.Col != 10 || !strings.Contains(d.Msg, "undefined: undefinedName") {
		t.Errorf("diagnostic %s, want testdata/compile-error.md:10:10: undefined: undefinedName", d)
	}
}

func TestPanicNamesCellAndLine(t *testing.T) {
	res, err := run(t, "testdata/panic.md", notebook.Options{})
	var ce *notebook.CellError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v, want a cell error", err)
	}
	// The innermost chapter frame is inside pick, at line 9.
	if ce.Cell.Index != 2 || ce.Line != 9 || ce.What != "panicked" || !strings.Contains(ce.Msg, "index out of range") {
		t.Errorf("got %v", ce)
	}
	if !strings.Contains(ce.Stack, "testdata/panic.md:12") {
		t.Errorf("stack does not show the calling line 12:\n%s", ce.Stack)
	}
	if got := outputs(res); got[1] != "before the panic\n" || got[2] != "(not run)" {
		t.Errorf("outputs %q", got)
	}
}

func TestTimeoutStopsTheCell(t *testing.T) {
	res, err := run(t, "testdata/hang.md", notebook.Options{Run: settings.Run{Timeout: 500 * time.Millisecond}})
	var ce *notebook.CellError
	if !errors.As(err, &ce) || ce.Cell.Index != 2 || !strings.Contains(ce.What, "limit") {
		t.Fatalf("error %v, want cell 2 stopped at the limit", err)
	}
	if !strings.HasPrefix(err.Error(), "testdata/hang.md:9: cell 2 ran past the 500ms limit") {
		t.Errorf("message %q", err)
	}
	if res.Cells[0].Output != "about to hang\n" {
		t.Errorf("cell 1 output %q", res.Cells[0].Output)
	}
}

func TestExitInCell(t *testing.T) {
	_, err := run(t, "testdata/exit.md", notebook.Options{})
	var ce *notebook.CellError
	if !errors.As(err, &ce) || ce.Cell.Index != 1 || !strings.Contains(ce.What, "exit status 3") {
		t.Fatalf("error %v, want cell 1 ended the program with status 3", err)
	}
}

func TestStepWaitsForEachCell(t *testing.T) {
	var stepped []int
	res, err := run(t, "testdata/basics.md", notebook.Options{
		Step: func(c *chapter.Cell) bool {
			stepped = append(stepped, c.Index)
			return c.Index < 3 // stop before the third cell
		},
	})
	if !errors.Is(err, notebook.ErrStopped) {
		t.Fatalf("error %v, want ErrStopped", err)
	}
	if len(stepped) != 3 || stepped[2] != 3 {
		t.Errorf("stepped before cells %v, want [1 2 3]", stepped)
	}
	if !res.Cells[1].Ran || res.Cells[2].Ran {
		t.Errorf("cells ran: %v %v", res.Cells[1].Ran, res.Cells[2].Ran)
	}
}

func TestUnreachableServer(t *testing.T) {
	_, err := run(t, "testdata/basics.md", notebook.Options{Run: settings.Run{RedisURL: "redis://127.0.0.1:1/0"}})
	var be *notebook.BackendError
	if !errors.As(err, &be) || !strings.Contains(be.Msg, "cannot reach Redis at 127.0.0.1:1") {
		t.Fatalf("error %v, want one naming 127.0.0.1:1", err)
	}
	_, err = run(t, "testdata/basics.md", notebook.Options{Run: settings.Run{RedisURL: "http://nowhere"}})
	if !errors.As(err, &be) || !strings.Contains(be.Msg, `bad Redis URL "http://nowhere"`) {
		t.Fatalf("error %v, want a bad URL error", err)
	}
}

// TestRunFromACloneInTheHomeFolder: with the tutorial at ~/redis-tutorial
// and the build cache at ~/.cache/redis-notebook (the default), the go
// command reports the chapter as ../redis-tutorial/chapters/...; positions
// must still be matched to the chapter, or a last statement with no value
// (wg.Wait()) fails to compile.
func TestRunFromACloneInTheHomeFolder(t *testing.T) {
	home := t.TempDir()
	clone := filepath.Join(home, "redis-tutorial")
	// A clone of the parts a chapter build needs: the module's files, the
	// runner (linked), and a chapter of its own.
	if err := os.MkdirAll(filepath.Join(clone, "chapters"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root(t), f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(clone, f), b, 0o644)
	}
	if err := os.Symlink(filepath.Join(root(t), "runner"), filepath.Join(clone, "runner")); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/basics.md")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(clone, "chapters", "01-basics.md"), src, 0o644)
	// The go command's caches stay where they are; only the notebook's
	// moves to its default place under the new home.
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv(v, strings.TrimSpace(string(out)))
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("NOTEBOOK_CACHE", "")
	t.Chdir(clone)
	ch, err := chapter.Load("chapters/01-basics.md")
	if err != nil {
		t.Fatal(err)
	}
	res, err := notebook.Run(context.Background(), ch, notebook.Options{Root: clone})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Cells[2].Output; !res.Cells[2].Ran || got != "" {
		t.Errorf("the cell ending in wg.Wait() printed %q", got)
	}
	// A compile error is reported at the chapter's path as given.
	bad, err := chapter.Parse("chapters/01-basics.md", []byte("```go\nundefinedName\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = notebook.Run(context.Background(), bad, notebook.Options{Root: clone})
	if err == nil || !strings.HasPrefix(err.Error(), "chapters/01-basics.md:2:") {
		t.Errorf("compile error %v, want it at chapters/01-basics.md:2", err)
	}
}

// TestOutputIsCapped: a cell printing 3 MiB keeps its first MiB, and the
// rest is counted, not held.
func TestOutputIsCapped(t *testing.T) {
	var shown int
	res, err := run(t, "testdata/loud.md", notebook.Options{Events: notebook.Events{
		Output: func(c *chapter.Cell, b []byte) { shown += len(b) },
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Cells[0]
	if len(c.Output) != notebook.MaxCellOutput || c.Dropped != 3<<20-notebook.MaxCellOutput {
		t.Errorf("kept %d bytes, dropped %d; want %d and %d", len(c.Output), c.Dropped, notebook.MaxCellOutput, 3<<20-notebook.MaxCellOutput)
	}
	if shown != len(c.Output)+len("after\n") {
		t.Errorf("passed on %d bytes", shown)
	}
	if res.Cells[1].Output != "after\n" || res.Cells[1].Dropped != 0 {
		t.Errorf("the next cell: %q, dropped %d", res.Cells[1].Output, res.Cells[1].Dropped)
	}
}

// TestSlowPrintingIsNotTheCellsTime: the walk may take long to print the
// prose before a cell (a deeply nested list); that time is not the cell's.
func TestSlowPrintingIsNotTheCellsTime(t *testing.T) {
	_, err := run(t, "testdata/basics.md", notebook.Options{
		Run: settings.Run{Timeout: 300 * time.Millisecond},
		Events: notebook.Events{
			CellStart: func(*chapter.Cell) { time.Sleep(500 * time.Millisecond) },
			Output:    func(*chapter.Cell, []byte) { time.Sleep(100 * time.Millisecond) },
		},
	})
	if err != nil {
		t.Fatalf("a slow walk made a quick cell fail: %v", err)
	}
}

// TestChapterBesideTheCheckout: a chapter in a folder beside the checkout
// whose name starts with the checkout's (~/course and ~/course-notes),
// which the go command writes as ".-notes/…", still has its compile
// errors reported at its own path, and the displayed expression that has
// no value is still found and retried.
func TestChapterBesideTheCheckout(t *testing.T) {
	r := root(t)
	dir, err := os.MkdirTemp(filepath.Dir(r), filepath.Base(r)+"-notes")
	if err != nil {
		t.Skipf("cannot make a folder beside the checkout: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "ch.md")
	os.WriteFile(path, []byte("# Beside\n\n```go\nfunc f() {}\nf()\n```\n\n```go\nundefinedName\n```\n"), 0o644)
	ch, err := chapter.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = notebook.Run(context.Background(), ch, notebook.Options{Root: r})
	if err == nil || !strings.HasPrefix(err.Error(), path+":9:") {
		t.Errorf("compile error %v, want it at %s:9", err, path)
	}
}
