package notebook_test

import (
	"context"
	"testing"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// TestBackendsAgreeOnTimeAndPaging runs the same cells on the embedded
// server and on a real one: a key whose TTL runs out while a cell sleeps
// is gone, and SCAN pages. Both are facts a chapter teaches, so a backend
// that gets them wrong records wrong outputs.
func TestBackendsAgreeOnTimeAndPaging(t *testing.T) {
	backends := map[string]func(t *testing.T) notebook.Options{
		"miniredis": func(*testing.T) notebook.Options { return notebook.Options{} },
		"redis": func(t *testing.T) notebook.Options {
			url := serverURL(t, runDB)
			if n := client(t, url).DBSize(context.Background()).Val(); n != 0 {
				t.Fatalf("database %d must be empty for this test; it holds %d keys", runDB, n)
			}
			return notebook.Options{Run: settings.Run{RedisURL: url}}
		},
	}
	for name, options := range backends {
		t.Run(name, func(t *testing.T) {
			opt := options(t)
			res, err := run(t, "testdata/redis-like.md", opt)
			if err != nil {
				t.Fatal(err)
			}
			ch, err := chapter.Load("testdata/redis-like.md")
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range ch.Cells() {
				if got := res.Cells[i].Output; got != c.Expected.Text {
					t.Errorf("cell %d printed %q, want %q", c.Index, got, c.Expected.Text)
				}
			}
		})
	}
}
