package term

import (
	"strings"
	"testing"
)

func TestVisible(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text, é ✓ 日本\n\tindented", "plain text, é ✓ 日本\n\tindented"},
		{"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},                   // clear the screen
		{"\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\x07`}, // OSC 52: write the clipboard
		{"wrong\r✓ passed", `wrong\r✓ passed`},               // overwrite the line
		{"a\bb\x7fc\x00", `a\x08b\x7fc\x00`},                 // backspace, DEL, NUL
		{"\u009b31m red", `\u009b31m red`},                   // C1 CSI, as UTF-8
		{"\x9b31m", `\x9b31m`},                               // C1 CSI, a lone byte
		{"ok \xff\xfe", `ok \xff\xfe`},                       // not UTF-8
		{"abc\u202edcba", `abc\u202edcba`},                   // right-to-left override
		{"\u2066x\u2069", `\u2066x\u2069`},                   // isolates
	} {
		if got := Visible(c.in); got != c.want {
			t.Errorf("Visible(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.ContainsAny(Visible(c.in), "\x1b\r\x07\x00\x7f\u009b\u202e") {
			t.Errorf("Visible(%q) still holds a control character", c.in)
		}
	}
}

func TestVisibleWriterSplitsCharacters(t *testing.T) {
	var b strings.Builder
	w := &VisibleWriter{W: &b}
	in := "é✓\x1b[1m日\u009b"
	for i := 0; i < len(in); i++ {
		w.Write([]byte{in[i]}) // one byte at a time: every character split
	}
	w.Flush()
	if want := `é✓\x1b[1m日\u009b`; b.String() != want {
		t.Errorf("written %q, want %q", b.String(), want)
	}
	b.Reset()
	w.Write([]byte("cut \xe6\x97")) // ends inside a character
	w.Flush()
	if want := `cut \xe6\x97`; b.String() != want {
		t.Errorf("a cut character: %q, want %q", b.String(), want)
	}
}
