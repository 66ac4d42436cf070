package compare

import (
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
)

func TestBetween(t *testing.T) {
	ch, err := chapter.Parse("t.md", []byte("# T\n\n"+
		"```go\nrdb.SMembers(ctx, \"s\")\n```\n\n"+
		"```go\nrdb.Get(ctx, \"k\")\n```\n\n"+
		"```go\nrdb.Do(ctx, \"OBJECT\", \"ENCODING\", \"s\")\n```\n\n"+
		"```go\nrdb.HGetAll(ctx, \"h\")\n```\n\n```output unordered\nx\ny\n```\n\n"+
		"```go only=redis\nrdb.Ping(ctx)\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(outputs ...string) *notebook.Result {
		res := &notebook.Result{Chapter: ch}
		for i, c := range ch.Cells() {
			res.Cells = append(res.Cells, &notebook.CellResult{Cell: c, Ran: outputs[i] != "-", Output: outputs[i]})
		}
		return res
	}
	mini := run("a\nb\nc\n", "v\n", "error: unknown subcommand\n", "x\ny\n", "-")
	real := run("c\na\nb\n", "v", "listpack\n", "y\nx\n", "PONG\n")

	got := Between(ch, mini, real)
	if len(got) != 2 {
		t.Fatalf("Between found %d divergences, want 2 (cells 1 and 3): %v", len(got), got)
	}
	if got[0].Cell.Index != 1 || got[0].Fence() != "unordered" {
		t.Errorf("cell 1: got cell %d, fence %q; want cell 1 and an unordered fence", got[0].Cell.Index, got[0].Fence())
	}
	if got[1].Cell.Index != 3 || got[1].Fence() != "" {
		t.Errorf("cell 3: got cell %d, fence %q; want cell 3 and no fence that fits", got[1].Cell.Index, got[1].Fence())
	}
	msg := got[1].String()
	for _, want := range []string{"t.md:", "cell 3 prints differently", "- error: unknown subcommand", "+ listpack", "only=redis"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
	if !strings.Contains(got[0].String(), "```output unordered") {
		t.Errorf("cell 1's message does not suggest an unordered fence: %s", got[0])
	}
}
