package term

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrap(t *testing.T) {
	for _, tt := range []struct {
		s     string
		width int
		want  string
	}{
		{"one two three four", 9, "one two\nthree\nfour"},
		{"a verylongword b", 5, "a\nverylongword b"}, // a word longer than width stays whole, with the rest
		{"kept\nas is", 20, "kept\nas is"},
	} {
		if got := Wrap(tt.s, tt.width); got != tt.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tt.s, tt.width, got, tt.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 keys", 1: "1 key", 2: "2 keys"} {
		if got := Plural(n, "key"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestTextWidth(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	t.Setenv("COLUMNS", "")
	if w := TextWidth(f); w != 100 || IsTerminal(f) {
		t.Errorf("a file: width %d, terminal %v; want 100, false", w, IsTerminal(f))
	}
	t.Setenv("COLUMNS", "72")
	if w := TextWidth(f); w != 72 {
		t.Errorf("COLUMNS=72: width %d", w)
	}
}

// TestStatusLineInALog: away from a terminal, the status comes as whole
// lines, with no escape codes, and the final one is always shown.
func TestStatusLineInALog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	s := NewStatusLine(f)
	s.Show("compiling: 5 packages", false)
	s.Show("built", true)
	f.Close()
	b, _ := os.ReadFile(path)
	if got, want := string(b), "compiling: 5 packages\nbuilt\n"; got != want {
		t.Errorf("log %q, want %q", got, want)
	}
}
