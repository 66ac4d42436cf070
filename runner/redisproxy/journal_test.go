package redisproxy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/redisurl"
)

// TestRecordReplay: the record of two writers (the runner and the chapter's
// program) replays to the keys the run created and those whose creation it
// did not see, whatever a writer that died left half-written; a record of
// the first layout still reads, its keys of unknown owner.
func TestRecordReplay(t *testing.T) {
	dir := t.TempDir()
	srv := &Server{redisurl.URL{Network: "tcp", Addr: "127.0.0.1:1", DB: 3}}
	j, err := openJournal(dir, srv, "chapters/x.md")
	if err != nil {
		t.Fatal(err)
	}
	program, err := appendTo(j.path)
	if err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour).UnixNano()
	past := time.Now().Add(-time.Second).UnixNano()
	ev := func(op byte, k string, d int64) []byte { return appendEvent(nil, op, k, d) }
	for _, step := range []struct {
		j *journal
		b []byte
	}{
		{program, ev(opIntent, "created", 0)},
		{program, ev(opOwned, "created", 0)},
		{j, ev(opIntent, "theirs", 0)},
		{j, ev(opSame, "theirs", 0)},
		{program, ev(opIntent, "in flight", 0)}, // killed before the reply
		{program, ev(opOwned, "deleted", 0)},
		{j, ev(opForget, "deleted", 0)},
		{program, ev(opOwned, "emptied", 0)},
		{program, append(ev(opIntent, "emptied", 0), ev(opGone, "emptied", 0)...)},
		{program, ev(opOwned, "expires later", future)},
		{program, ev(opOwned, "expired", past)},
		{program, ev(opUnknown, "while watching", 0)},
		{program, ev(opOwned, "key \"with\"\n odd\x00 bytes", 0)},
	} {
		if err := step.j.write(step.b); err != nil {
			t.Fatal(err)
		}
	}
	if m, ok := program.app.(*mapped); ok {
		m.count().Add(40) // a writer reserved its place and died before writing
		program.write(ev(opOwned, "after a gap", 0))
	} else {
		program.write([]byte(`+ "half-writ`)) // a writer died mid-line
		program.write([]byte("\n"))
		program.write(ev(opOwned, "after a gap", 0))
	}
	program.release()
	j.release()

	f, _ := os.Open(j.path)
	head, events, err := readRecord(f)
	f.Close()
	if err != nil || head.Label != "chapters/x.md" || head.DB != 3 {
		t.Fatalf("header %+v, %v", head, err)
	}
	o := replayRecord(events, time.Now())
	slices.Sort(o.Owned)
	slices.Sort(o.Unknown)
	if got, want := strings.Join(o.Owned, "|"), "after a gap|created|expires later|key \"with\"\n odd\x00 bytes"; got != want {
		t.Errorf("owned %q, want %q", got, want)
	}
	if got, want := strings.Join(o.Unknown, "|"), "expired|in flight|while watching"; got != want {
		t.Errorf("unknown %q, want %q", got, want)
	}

	old := filepath.Join(dir, "old.keys")
	os.WriteFile(old, []byte(`{"label":"chapters/old.md","addr":"127.0.0.1:1","db":3}`+"\n\"a\"\n\"b\"\n\"c"), 0o600)
	f, _ = os.Open(old)
	head, events, _ = readRecord(f)
	f.Close()
	o = replayRecord(events, time.Now())
	if head.Label != "chapters/old.md" || len(o.Owned) != 0 || strings.Join(o.Unknown, ",") != "a,b" {
		t.Errorf("first layout: %+v %+v", head, o)
	}
}
