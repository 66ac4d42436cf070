package page

import (
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/term"
)

func TestProsePlain(t *testing.T) {
	s := term.Style{Width: 40}
	got := Prose(s, "# Title\n\nA *long* paragraph with `code` and a [link](https://example.com) that wraps at forty columns.\n\n- one\n- two\n")
	want := "TITLE\n\n" +
		"A long paragraph with code and a link\n" +
		"(https://example.com) that wraps at\n" +
		"forty columns.\n\n" +
		"  • one\n  • two\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range strings.Split(got, "\n") {
		if len([]rune(line)) > 40 {
			t.Errorf("line longer than 40: %q", line)
		}
	}
}

func TestColorOnlyWhenAsked(t *testing.T) {
	plain := Code(term.Style{Width: 80}, "x := \"s\" // c\n", "  ")
	if strings.Contains(plain, "\x1b[") || plain != "  x := \"s\" // c\n" {
		t.Errorf("plain code %q", plain)
	}
	colored := Code(term.Style{Width: 80, Color: true}, "x := \"s\"\n", "  ")
	if !strings.Contains(colored, "\x1b[32m\"s\"\x1b[0m") || stripANSI(colored) != "  x := \"s\"\n" {
		t.Errorf("colored code %q", colored)
	}
}
