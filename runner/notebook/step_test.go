package notebook_test

import (
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// pauseDB is the database of the real-server part of TestPauseSendsNothingTwice.
const pauseDB = 7

// TestPauseSendsNothingTwice pauses 30 s at the step prompt before a
// pipeline of 100 INCRs, as a learner reading the chapter might: the
// connection must still work, and go-redis must not send the pipeline
// again. Once, it did: the in-memory connection broke while idle, and the
// counter ended at 300, not 200. The pause is long on purpose (the break
// came after a few seconds, behind a read deadline of go-redis's), so the
// test runs in parallel with the others.
func TestPauseSendsNothingTwice(t *testing.T) {
	t.Parallel()
	for _, backend := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"miniredis", func(*testing.T) string { return "" }},
		{"redis", func(t *testing.T) string { return serverURL(t, pauseDB) }},
	} {
		t.Run(backend.name, func(t *testing.T) {
			t.Parallel()
			url := backend.url(t)
			res, err := run(t, "testdata/pause.md", notebook.Options{
				Run: settings.Run{RedisURL: url},
				Step: func(c *chapter.Cell) bool {
					if c.Index == 2 {
						time.Sleep(30 * time.Second)
					}
					return true
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{
				"get counter: 100\n",
				"100 replies, error: <nil>\nincr counter: 101\n",
				"get counter: 200\n",
			}
			for i, c := range res.Cells {
				if c.Output != want[i] {
					t.Errorf("cell %d printed %q, want %q", i+1, c.Output, want[i])
				}
			}
			if c := res.Cells[1]; c.Commands != 100 || c.Trips != 1 {
				t.Errorf("the pipeline's cell sent %d commands in %d round trips, want 100 in 1", c.Commands, c.Trips)
			}
		})
	}
}
