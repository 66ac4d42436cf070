package paths

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWithin(t *testing.T) {
	for _, c := range []struct {
		dir, path string
		rel       string
		ok        bool
	}{
		{"/home/ann/course", "/home/ann/course/chapters/a.md", "chapters/a.md", true},
		{"/home/ann/course", "/home/ann/course", ".", true},
		// The cache beside the checkout: its name starts with the
		// checkout's, but it is not inside it.
		{"/home/ann/course", "/home/ann/course-cache/sources/x.go", "", false},
		{"/home/ann/course", "/home/ann/coursework", "", false},
		{"/home/ann/course", "/home/ann", "", false},
		// A file whose name starts with two dots is inside.
		{"/home/ann/course", "/home/ann/course/..hidden", "..hidden", true},
	} {
		rel, ok := Within(c.dir, c.path)
		if rel != c.rel || ok != c.ok {
			t.Errorf("Within(%q, %q) = %q, %v; want %q, %v", c.dir, c.path, rel, ok, c.rel, c.ok)
		}
	}
}

func TestGoCommandCandidates(t *testing.T) {
	got := GoCommandCandidates("/home/ann/course", ".-cache/sources/grade/h/03_letters.go")
	if !slices.Contains(got, "/home/ann/course-cache/sources/grade/h/03_letters.go") {
		t.Errorf("candidates %q miss the cache beside the checkout", got)
	}
	got = GoCommandCandidates("/home/ann/course", "runner/x.go")
	if !slices.Equal(got, []string{"/home/ann/course/runner/x.go"}) {
		t.Errorf("candidates of a relative path: %q", got)
	}
	got = GoCommandCandidates("/home/ann/course", "../other/x.go")
	if !slices.Equal(got, []string{"/home/ann/other/x.go"}) {
		t.Errorf("candidates of a path outside: %q", got)
	}
}

func TestResolved(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	os.Mkdir(real, 0o755)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	want, _ := filepath.EvalSymlinks(real)
	if got := Resolved(filepath.Join(link, "missing.go")); got != filepath.Join(want, "missing.go") {
		t.Errorf("Resolved through a link, of a missing file: %q, want %q", got, filepath.Join(want, "missing.go"))
	}
}
