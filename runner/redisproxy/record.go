package redisproxy

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis-notebook/tutorial/runner/resp"
)

// A Record is what one process of a run knows of the keys: those that were
// there before the run (never touched), and those the run's own commands
// created, which cleanup deletes. Every session of the process shares it.
// With a journal, each change is appended to the run's record file before
// the command that may cause it is sent, and its outcome after the reply,
// so that a process killed at any moment leaves a record that tells which
// keys were the run's and which cannot be told.
type Record struct {
	existing map[string]bool

	// gate lets Stop wait for every command in flight: a sender holds it
	// shared while it checks and sends, Stop holds it alone to close it.
	gate     sync.RWMutex
	stopped  bool
	inFlight sync.WaitGroup

	mu      sync.Mutex
	owned   map[string]int64 // the run's keys, each with the time before which it cannot have expired (0: no TTL)
	journal *journal         // nil: kept in memory only
	buf     []byte

	// follow reads the record file as other processes append to it (the
	// runner's console follows the chapter's program), from offset read;
	// partial is a line not yet whole.
	follow  *os.File
	read    int64
	partial []byte
}

// NewRecord returns an empty record kept in memory, with the keys that were
// in the database before the run.
func NewRecord(existing map[string]bool) *Record {
	if existing == nil {
		existing = map[string]bool{}
	}
	return &Record{existing: existing, owned: map[string]int64{}}
}

// OpenRecord appends to the run's record file at path, which the runner
// created and keeps locked: the chapter's program writes its events there.
func OpenRecord(path string, existing map[string]bool) (*Record, error) {
	j, err := appendTo(path)
	if err != nil {
		return nil, err
	}
	r := NewRecord(existing)
	r.journal = j
	return r, nil
}

// Close closes the record's file, leaving it for the runner. Events that
// come later (a reply that arrives after all) are kept in memory only.
func (r *Record) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.journal != nil {
		r.journal.release()
		r.journal = nil
	}
}

// ErrStopped is what a guarded connection says once the run is stopping.
var ErrStopped = errors.New("notebook: the run is stopping; no more commands are sent")

// Stop sends no more commands and waits, at most for wait, until every
// command sent has its reply and the record its outcome: a program stopped
// mid-command would leave the key it may have created with no known owner.
// It reports whether everything in flight was answered.
func (r *Record) Stop(wait time.Duration) bool {
	r.gate.Lock()
	r.stopped = true
	r.gate.Unlock()
	done := make(chan struct{})
	go func() { r.inFlight.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(wait):
		return false
	}
}

// Existed reports whether key was in the database before the run.
func (r *Record) Existed(key string) bool { return r.existing[key] }

// Owned returns the run's keys that it knows of, sorted.
func (r *Record) Owned() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := make([]string, 0, len(r.owned))
	for k := range r.owned {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ownedLive reports whether key is the run's and cannot have expired
// within the next second (the command's round trip, generously).
func (r *Record) ownedLive(key string, clock func() int64) (owned, live bool) {
	r.mu.Lock()
	d, ok := r.owned[key]
	r.mu.Unlock()
	return ok, ok && (d == 0 || clock()+int64(time.Second) < d)
}

func (r *Record) deadline(key string) (int64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.owned[key]
	return d, ok
}

// An event is one change to the record.
type event struct {
	op       byte
	key      string
	deadline int64
}

// log applies events, and appends them to the journal in one write.
func (r *Record) log(events []event) error {
	if len(events) == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range events {
		switch e.op {
		case opOwned:
			r.owned[e.key] = e.deadline
		case opGone, opForget, opUnknown:
			delete(r.owned, e.key)
		}
	}
	if r.journal == nil {
		return nil
	}
	b := r.buf[:0]
	for _, e := range events {
		b = appendEvent(b, e.op, e.key, e.deadline)
	}
	r.buf = b
	return r.journal.write(b)
}

// catchUp applies what other processes appended to the record file since
// the last look, so that this process knows the keys the run created
// elsewhere: the console, say, forgets a key the program made when it
// empties it.
func (r *Record) catchUp() {
	if r.follow == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.journal == nil {
		return
	}
	end := r.journal.app.end()
	if r.read < eventsAt {
		r.read = eventsAt
	}
	if end <= r.read {
		return
	}
	b := make([]byte, end-r.read)
	n, _ := r.follow.ReadAt(b, r.read)
	r.read += int64(n)
	b = append(r.partial, b[:n]...)
	for {
		raw, rest, ok := bytes.Cut(b, []byte("\n"))
		if !ok {
			break
		}
		b = rest
		if i := bytes.LastIndexByte(raw, 0); i >= 0 {
			raw = raw[i+1:] // what a writer that died left half-written
		}
		line := string(raw)
		if len(line) < 3 || line[1] != ' ' {
			continue
		}
		quoted, err := strconv.QuotedPrefix(line[2:])
		if err != nil {
			continue
		}
		k, _ := strconv.Unquote(quoted)
		switch line[0] {
		case opOwned:
			d, _ := strconv.ParseInt(strings.TrimSpace(line[2+len(quoted):]), 10, 64)
			r.owned[k] = d
		case opGone, opForget, opUnknown:
			delete(r.owned, k)
		}
	}
	r.partial = append(r.partial[:0], b...)
}

// ReadExisting reads a list of keys written by WriteExisting.
func ReadExisting(path string) (map[string]bool, error) {
	keys := map[string]bool{}
	if path == "" {
		return keys, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 2*resp.ServerLimits.MaxBulk+64)
	for sc.Scan() {
		if k, err := strconv.Unquote(sc.Text()); err == nil {
			keys[k] = true
		}
	}
	return keys, sc.Err()
}

// writeExisting writes keys, one Go-quoted key a line, for ReadExisting.
func writeExisting(path string, keys map[string]bool) error {
	var b []byte
	for k := range keys {
		b = strconv.AppendQuote(b, k)
		b = append(b, '\n')
	}
	return os.WriteFile(path, b, 0o600)
}
