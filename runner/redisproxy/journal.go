package redisproxy

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A journal is the record of one run's written keys, kept so that a run
// killed before it could clean up (SIGKILL, a power cut of the terminal)
// can be named, and its keys removed, by the next run on that database.
//
// It is a file in the leftovers folder, named after the server and database,
// locked (flock) for as long as its run lives: a record nobody holds is a
// dead run's. Its first line is a JSON header; each further line is one key,
// Go-quoted (keys may hold any bytes), appended before the command that
// first writes the key reaches the server.
type journal struct {
	f    *os.File
	path string
}

// A Leftover is what a dead run left behind, as its journal says.
type Leftover struct {
	Label   string    `json:"label"` // what ran: the chapter's path
	Started time.Time `json:"started"`
	Addr    string    `json:"addr"`
	DB      int       `json:"db"`
	Keys    []string  `json:"-"` // every key it may have created
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
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	if err := tryLock(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	head, _ := json.Marshal(Leftover{Label: label, Started: time.Now().UTC().Truncate(time.Second), Addr: s.Addr, DB: s.DB})
	if _, err := f.Write(append(head, '\n')); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return &journal{f: f, path: path}, nil
}

// add records keys before they are written. One write(2) per batch: it
// reaches the kernel's page cache, which survives the runner's death.
func (j *journal) add(keys []string) error {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(strconv.Quote(k))
		b.WriteByte('\n')
	}
	_, err := j.f.WriteString(b.String())
	return err
}

// remove deletes the record: its keys are gone, or kept on purpose.
func (j *journal) remove() {
	os.Remove(j.path)
	j.f.Close()
}

// release closes the record but leaves it for the next run to find.
func (j *journal) release() { j.f.Close() }

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
		l := &Leftover{path: p, lock: f}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), maxBulk+16)
		seen := map[string]bool{}
		for first := true; sc.Scan(); first = false {
			if first {
				json.Unmarshal(sc.Bytes(), l)
				continue
			}
			k, err := strconv.Unquote(sc.Text())
			if err != nil || seen[k] {
				continue // a line cut short by the kill
			}
			seen[k] = true
			l.Keys = append(l.Keys, k)
		}
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
