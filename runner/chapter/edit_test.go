package chapter

import (
	"strings"
	"testing"
)

func TestWithEdits(t *testing.T) {
	src := "# T\n\n```go\nx := 1\n```\n\nProse.\n\n```go\nfmt.Println(x)\n```\n"
	ch, err := Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	edited, err := ch.WithEdits(map[string]string{"2": "y := x\nfmt.Println(y)"})
	if err != nil {
		t.Fatal(err)
	}
	first, second := edited.Cells()[0], edited.Cells()[1]
	if first.Code != ch.Cells()[0].Code || first.Line != ch.Cells()[0].Line {
		t.Errorf("an unedited cell changed: %+v", first)
	}
	if second.Code != "y := x\nfmt.Println(y)\n" || second.Line != 2*EditedLines+1 {
		t.Errorf("the edited cell is %q at line %d, want the edit at %d", second.Code, second.Line, 2*EditedLines+1)
	}
	if ch.Cells()[1].Code != "fmt.Println(x)\n" {
		t.Errorf("the original chapter changed: %q", ch.Cells()[1].Code)
	}
	second.NoRun = true
	if ch.Cells()[1].NoRun {
		t.Error("the copy shares its cells with the original")
	}
	if cell, line, ok := EditedPlace(second.Line + 1); !ok || cell != 2 || line != 2 {
		t.Errorf("EditedPlace(%d) = %d, %d, %v; want cell 2 line 2", second.Line+1, cell, line, ok)
	}
	if _, _, ok := EditedPlace(first.Line); ok {
		t.Errorf("line %d of the file is placed in an edited cell", first.Line)
	}
	for _, bad := range []string{"3", "0", "x"} {
		if _, err := ch.WithEdits(map[string]string{bad: "1"}); err == nil || !strings.Contains(err.Error(), "t.md has no cell") {
			t.Errorf("an edit of cell %q: %v", bad, err)
		}
	}
}
