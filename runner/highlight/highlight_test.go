package highlight

import (
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, src := range []string{
		"",
		"x := rdb.Get(ctx, \"key\") // fetch\n",
		"func f() int { return len(`raw\nstring`) + 0x1F }\n",
		"not go at all: ☃ '\n\"unterminated",
		"/* block\ncomment */ a := 'c'\r\n",
	} {
		var b strings.Builder
		for _, tok := range Go(src) {
			b.WriteString(tok.Text)
		}
		if b.String() != src {
			t.Errorf("tokens of %q join to %q", src, b.String())
		}
	}
}

func TestClasses(t *testing.T) {
	toks := Go(`for i := range 3 { fmt.Println(len("s"), 1.5, nil) } // done`)
	want := map[string]string{
		"for": Keyword, "range": Keyword, "Println": Func, "len": Builtin,
		`"s"`: String, "1.5": Number, "nil": Builtin, "// done": Comment, ":=": Op,
	}
	got := map[string]string{}
	for _, tok := range toks {
		got[strings.TrimSpace(tok.Text)] = tok.Class
	}
	for text, class := range want {
		if got[text] != class {
			t.Errorf("%q: class %q, want %q", text, got[text], class)
		}
	}
	if got["fmt"] != "" || got["i"] != "" {
		t.Errorf("plain identifiers got a class: %v", got)
	}
}
