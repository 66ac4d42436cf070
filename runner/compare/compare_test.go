package compare

import (
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
)

func TestEqual(t *testing.T) {
	tests := []struct {
		expected, got string
		unordered     bool
		want          bool
	}{
		{"a\nb\n", "a\nb", false, true}, // a missing final newline is no difference
		{"a\nb\n", "a\r\nb\r\n", false, true},
		{"a\nb\n", "b\na\n", false, false},
		{"a\nb\n", "b\na\n", true, true},
		{"a\na\nb\n", "a\nb\nb\n", true, false}, // multisets, not sets
		{"", "\n", false, true},
		{"x\n", "", false, false},
	}
	for _, tt := range tests {
		if got := Equal(tt.expected, tt.got, tt.unordered); got != tt.want {
			t.Errorf("Equal(%q, %q, %v) = %v", tt.expected, tt.got, tt.unordered, got)
		}
	}
}

func TestDiff(t *testing.T) {
	got := Diff("one\ntwo\nthree\nfour\nfive\nsix\n", "one\ntwo\nTHREE\nfour\nfive\nsix\nseven\n", false)
	want := "  one\n  two\n- three\n+ THREE\n  four\n  five\n  six\n+ seven\n"
	if got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
	if got := Diff("b\na\n", "a\nc\n", true); got != "  a\n- b\n+ c\n" {
		t.Errorf("unordered diff:\n%s", got)
	}
}

func parse(t *testing.T, src string) *chapter.Chapter {
	t.Helper()
	ch, err := chapter.Parse("ch.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func result(ch *chapter.Chapter, outputs ...string) *notebook.Result {
	res := &notebook.Result{Chapter: ch}
	for i, c := range ch.Cells() {
		cr := &notebook.CellResult{Cell: c}
		if i < len(outputs) && outputs[i] != "-" {
			cr.Ran, cr.Output = true, outputs[i]
		}
		res.Cells = append(res.Cells, cr)
	}
	return res
}

func TestCheckAndUpdate(t *testing.T) {
	src := "# T\n\n```go\na\n```\n\n```output\nold\n```\n\n```go\nb\n```\n\n```go\nc\n```\n```output unordered\nx\ny\n```\n\n```go\nd\n```\n```output\nkept\n```\n"
	ch := parse(t, src)
	res := result(ch, "new\n", "printed\n", "y\nx\n", "-")
	mm := Check(ch, res)
	if len(mm) != 2 || mm[0].Cell.Index != 1 || mm[1].Cell.Index != 2 {
		t.Fatalf("mismatches %v, want cells 1 and 2", mm)
	}
	if s := mm[0].String(); !strings.HasPrefix(s, "ch.md:7: cell 1 printed something else than expected\n- old\n+ new\n") {
		t.Errorf("message:\n%s", s)
	}
	if s := mm[1].String(); !strings.HasPrefix(s, "ch.md:11: cell 2 printed output but has no ```output fence") {
		t.Errorf("message:\n%s", s)
	}
	updated := string(Update(ch, res))
	want := strings.Replace(src, "old\n", "new\n", 1)
	want = strings.Replace(want, "```go\nb\n```\n", "```go\nb\n```\n\n```output\nprinted\n```\n", 1)
	if updated != want {
		t.Errorf("updated:\n%s\nwant:\n%s", updated, want)
	}
	again := parse(t, updated)
	if len(Check(again, result(again, "new\n", "printed\n", "y\nx\n", "-"))) != 0 {
		t.Error("the updated chapter still mismatches")
	}
}

func TestFenceForOutputWithBackticks(t *testing.T) {
	if got := fenceFor("```go\n````\n"); got != "`````" {
		t.Errorf("fence %q", got)
	}
}
