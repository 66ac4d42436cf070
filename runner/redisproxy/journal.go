package redisproxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A journal is the record of one run's keys, kept so that a run killed
// before it could clean up (SIGKILL, a power cut of the terminal) can be
// named, and its keys removed, by the next run on that database.
//
// It is a file in the leftovers folder, named after the server and database,
// locked (flock) for as long as its run lives: a record nobody holds is a
// dead run's. It starts with a header of headerSize bytes: a JSON line, then
// NULs. Then comes the number of bytes of events appended so far (8 bytes,
// where writers on Linux reserve their place atomically), then the events,
// one a line (see the op constants), each key Go-quoted (keys may hold any
// bytes). The runner's console and the chapter's program both append to it:
// on Linux through a shared mapping of the file, which costs no system call
// per event and survives the death of the process that wrote it, as the
// page cache does; elsewhere with write(2). Bytes a writer reserved but did
// not live to fill stay NULs, which readers skip.
type journal struct {
	f    *os.File
	path string
	app  appender
}

// An appender adds events to a record file.
type appender interface {
	append(b []byte) error
	end() int64 // where the events end, as far as they are known
	close()
}

const (
	headerSize = 4096                 // the JSON header line, NUL-padded
	eventsAt   = headerSize + 8       // after the count of event bytes
	recordV2   = "notebook record v2" // in the header: the layout above
)

// Events of the record, one a line: an op byte, a space, the Go-quoted key,
// and for opOwned an optional deadline in Unix nanoseconds.
const (
	opIntent  = '?' // the next command may create the key: its outcome is not known yet
	opOwned   = '+' // the run's command created the key (or the key is still the run's); a deadline says when it may expire
	opSame    = '=' // the command did not change whose the key is
	opGone    = 'x' // the command left the key absent
	opForget  = '-' // the run deleted the key
	opUnknown = 'u' // whose the key is can no longer be told
)

// A Leftover is what a dead run left behind, as its journal says.
type Leftover struct {
	Format  string    `json:"format,omitempty"` // recordV2, or empty for the first layout
	Label   string    `json:"label"`            // what ran: the chapter's path
	Started time.Time `json:"started"`
	Addr    string    `json:"addr"`
	DB      int       `json:"db"`
	Keys    []string  `json:"-"` // the keys it created, which may be deleted
	Unknown []string  `json:"-"` // keys it may have created, not seen: only named
	path    string
	lock    *os.File
}

func journalPrefix(dir string, s *Server) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s %s %d", s.Network, s.Addr, s.DB)))
	return filepath.Join(dir, hex.EncodeToString(sum[:8]))
}

// openJournal creates and locks a new record for a run on s.
func openJournal(dir string, s *Server, label string) (*journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := fmt.Sprintf("%s-%d-%d.keys", journalPrefix(dir, s), os.Getpid(), time.Now().UnixNano())
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*journal, error) {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	if err := tryLock(f); err != nil {
		return fail(err)
	}
	head, _ := json.Marshal(Leftover{Format: recordV2, Label: label, Started: time.Now().UTC().Truncate(time.Second), Addr: s.Addr, DB: s.DB})
	if len(head) >= headerSize {
		return fail(fmt.Errorf("the label %q is too long for the record", label))
	}
	b := make([]byte, eventsAt)
	copy(b, append(head, '\n'))
	if _, err := f.Write(b); err != nil {
		return fail(err)
	}
	app, err := newAppender(f)
	if err != nil {
		return fail(err)
	}
	return &journal{f: f, path: path, app: app}, nil
}

// appendTo opens the record file at path, which another process created
// and holds locked, to append events.
func appendTo(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	app, err := newAppender(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &journal{f: f, path: path, app: app}, nil
}

// write appends events, all at once.
func (j *journal) write(b []byte) error { return j.app.append(b) }

// appendEvent appends one event line to b.
func appendEvent(b []byte, op byte, key string, deadline int64) []byte {
	b = append(b, op, ' ')
	b = strconv.AppendQuote(b, key)
	if deadline != 0 {
		b = append(b, ' ')
		b = strconv.AppendInt(b, deadline, 10)
	}
	return append(b, '\n')
}

// An Ownership is what a record says of its keys once replayed.
type Ownership struct {
	// Owned are the keys the run created and had not deleted, and which
	// cannot have expired since (their deadline is still ahead).
	Owned []string
	// Unknown are keys the run may have created but did not see it: the
	// program died between a command and its reply, or a key the run gave
	// a time to live may have expired and been made again by another
	// client. They are never deleted, only named.
	Unknown []string
}

// replayRecord reads the events after a record's header, in order.
// A line of an older record (a bare quoted key: "may have written")
// counts as unknown.
func replayRecord(lines [][]byte, now time.Time) Ownership {
	type state struct {
		owned, unknown bool
		pending        int
		deadline       int64
	}
	states := map[string]*state{}
	var order []string
	for _, b := range lines {
		line := string(b)
		op := byte(opUnknown)
		if len(line) > 2 && line[0] != '"' {
			op, line = line[0], line[2:]
		}
		quoted, err := strconv.QuotedPrefix(line)
		if err != nil {
			continue // a line cut short by a kill
		}
		k, _ := strconv.Unquote(quoted)
		rest := line[len(quoted):]
		st := states[k]
		if st == nil {
			st = &state{}
			states[k] = st
			order = append(order, k)
		}
		resolve := func() {
			if st.pending > 0 {
				st.pending--
			}
		}
		switch op {
		case opIntent:
			st.pending++
		case opOwned:
			resolve()
			st.owned, st.unknown = true, false
			st.deadline, _ = strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
		case opSame:
			resolve()
		case opGone:
			resolve()
			st.owned, st.unknown = false, false
		case opForget:
			st.owned, st.unknown = false, false
		default:
			st.owned, st.unknown = false, true
		}
	}
	var o Ownership
	for _, k := range order {
		st := states[k]
		expired := st.deadline != 0 && now.UnixNano() >= st.deadline
		switch {
		case st.pending > 0 || st.unknown || (st.owned && expired):
			o.Unknown = append(o.Unknown, k)
		case st.owned:
			o.Owned = append(o.Owned, k)
		}
	}
	return o
}

// remove deletes the record: its keys are gone, or kept on purpose.
func (j *journal) remove() {
	os.Remove(j.path)
	j.release()
}

// release closes the record but leaves it for the next run to find.
func (j *journal) release() {
	j.app.close()
	j.f.Close()
}

// readRecord reads a record file: its header, and its events, in order,
// as lines; NULs (bytes reserved by a writer that died) end lines too, so
// that what a dying writer left half-written is a line that does not
// parse. Records of the first layout (a header line, then lines) read the
// same.
func readRecord(f *os.File) (head Leftover, events [][]byte, err error) {
	b, err := io.ReadAll(f)
	if err != nil {
		return head, nil, err
	}
	first, rest, _ := bytes.Cut(b, []byte("\n"))
	json.Unmarshal(first, &head)
	if head.Format == recordV2 {
		rest = nil
		if len(b) > eventsAt {
			rest = b[eventsAt:]
		}
	}
	for _, line := range bytes.FieldsFunc(rest, func(r rune) bool { return r == '\n' || r == 0 }) {
		events = append(events, line)
	}
	return head, events, nil
}

// findLeftovers returns the records of dead runs on s, each locked until
// closed with done.
func findLeftovers(dir string, s *Server) []*Leftover {
	paths, _ := filepath.Glob(journalPrefix(dir, s) + "-*.keys")
	var out []*Leftover
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if tryLock(f) != nil {
			f.Close() // a live run's
			continue
		}
		head, events, err := readRecord(f)
		if err != nil {
			f.Close()
			continue
		}
		l := &head
		l.path, l.lock = p, f
		o := replayRecord(events, time.Now())
		l.Keys, l.Unknown = o.Owned, o.Unknown
		if l.Addr != s.Addr || l.DB != s.DB {
			f.Close()
			continue
		}
		out = append(out, l)
	}
	return out
}

// done forgets the record (removed) or only unlocks it.
func (l *Leftover) done(remove bool) {
	if remove {
		os.Remove(l.path)
	}
	l.lock.Close()
}

// String names the dead run for messages.
func (l *Leftover) String() string {
	return fmt.Sprintf("a run of %s started %s", l.Label, l.Started.Local().Format("2006-01-02 15:04"))
}

// appended appends to a record file with write(2), through a descriptor
// of its own opened with O_APPEND, so that processes appending at once do
// not overwrite each other: one system call per batch of events, into the
// page cache, which survives the process.
type appended struct{ f *os.File }

func newAppended(f *os.File) (appender, error) {
	af, err := os.OpenFile(f.Name(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	return appended{af}, nil
}

func (a appended) append(b []byte) error {
	_, err := a.f.Write(b)
	return err
}

func (a appended) end() int64 {
	fi, err := a.f.Stat()
	if err != nil {
		return 0
	}
	return fi.Size()
}

func (a appended) close() { a.f.Close() }
