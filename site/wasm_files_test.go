package site

import (
	"testing"

	"github.com/redis-notebook/tutorial/runner/chapter"
)

// A chapter's browser program embeds the data files its cells name, with
// their licence notices, and not another chapter's.
func TestNamedFiles(t *testing.T) {
	src := "# T\n\n```go\nf, _ := os.Open(\"words.txt\")\n_ = f\n```\n\n" +
		"```go\nzip.OpenReader(`corpus.zip`)\n```\n\n" +
		"```go norun\nos.Open(\"shown.txt\")\n```\n\n" +
		"```go only=redis\nos.Open(\"server.txt\")\n```\n\n" +
		"```go only=miniredis\nos.Open(\"embedded.txt\")\n```\n"
	ch, err := chapter.Parse("chapters/01-t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	named := namedFiles(ch)
	for name, want := range map[string]bool{
		"words.txt": true, "words.txt.COPYRIGHT": true, "corpus.zip": true, "embedded.txt": true,
		"american-english": false, "shown.txt": false, "server.txt": false, "words": false, "s.txt": false,
	} {
		if got := named(name); got != want {
			t.Errorf("named(%q) = %v, want %v", name, got, want)
		}
	}
}
