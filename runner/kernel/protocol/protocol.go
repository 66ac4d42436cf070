// Package protocol is how a running chapter program tells the runner where
// each cell starts and ends. It has no dependencies, so the runner can read
// the stream without linking Redis clients.
//
// The program writes its cells' output to stdout unchanged; between them it
// writes events, each on a line that begins with Mark and holds one JSON
// object. Mark is two bytes that no cell prints in practice.
package protocol

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Mark starts every event line, followed by the run's token and a colon
// (MarkFor): a line a cell prints cannot pass for an event unless it
// knows the token. The token is never in the program's environment or
// command line (a cell could read /proc/self/environ): the runner writes
// it on a pipe, EventsFD, which the kernel reads and closes while the
// program initializes, before any of the chapter's code runs.
const Mark = "\x00\x01"

// NewToken returns a fresh random token for one run.
func NewToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// MarkFor is how the event lines of the run with this token begin.
func MarkFor(token string) string { return Mark + token + ":" }

// Environment variables the runner sets for the program it starts.
const (
	EnvEvents     = "NOTEBOOK_EVENTS"      // "1": read the run's token on EventsFD, and write events marked with it
	EnvRedisURL   = "NOTEBOOK_REDIS_URL"   // a real server; empty: embedded miniredis
	EnvAllowDirty = "NOTEBOOK_ALLOW_DIRTY" // "1": run even if the database holds keys
	EnvStep       = "NOTEBOOK_STEP"        // "1": wait for a line on stdin before each cell
	EnvKeep       = "NOTEBOOK_KEEP"        // "1": leave the keys the run created
	EnvGuarded    = "NOTEBOOK_GUARDED"     // "1": guard every connection with the runner's record (EnvRecord); the runner cleans up
	EnvRecord     = "NOTEBOOK_RECORD"      // guarded: the run's record file of created keys, to append to
	EnvExisting   = "NOTEBOOK_EXISTING"    // guarded: a file naming the keys there before the run
	EnvScripts    = "NOTEBOOK_SCRIPTS"     // guarded: "1": let scripts run, unchecked
	EnvKeys       = "NOTEBOOK_KEYS"        // "1": report the keys each cell created, changed and deleted
	EnvProbe      = "NOTEBOOK_PROBE"       // "1": only connect to the real server, report Probed (or Fail), and exit
	// EnvCPUProfile is not set by the runner but passed through from its
	// environment: a file to write the program's CPU profile to, for
	// go tool pprof (NOTEBOOK_CPUPROFILE=/tmp/ch1.prof runner walk 1).
	EnvCPUProfile = "NOTEBOOK_CPUPROFILE"
)

// EventsFD is the descriptor on which the runner gives the program the
// run's token, then end of file: the first of exec.Cmd's ExtraFiles.
const EventsFD = 3

// Kinds of event, in the order a run sends them.
const (
	Probed  = "probed"  // probe mode: the server took the login; Addr says where, DB which database, User who
	Ready   = "ready"   // connected; Addr says where
	Wait    = "wait"    // step mode: paused before Cell until a line arrives
	Begin   = "begin"   // Cell starts
	End     = "end"     // Cell finished after Elapsed, sending Commands in Trips round trips
	Image   = "image"   // Cell displayed an image: Type (its media type), Data, and Message (its alt text)
	Panic   = "panic"   // Cell panicked: Message and Stack
	Fail    = "fail"    // the program could not start or go on: Message
	Cleaned = "cleaned" // real server: Message says what was removed
	Done    = "done"    // every cell ran
)

// An Event is one line of the protocol.
type Event struct {
	Kind    string        `json:"kind"`
	Cell    int           `json:"cell,omitempty"`
	Elapsed time.Duration `json:"elapsed,omitempty"`
	// Commands and Trips count what a cell sent to Redis: its commands,
	// and the round trips that carried them (a pipeline is one).
	Commands int `json:"commands,omitempty"`
	Trips    int `json:"trips,omitempty"`
	// Keys is what the cell did to the database, when the runner asked.
	Keys    *KeyChanges `json:"keys,omitempty"`
	Addr    string      `json:"addr,omitempty"`
	Backend string      `json:"backend,omitempty"`
	Message string      `json:"message,omitempty"`
	Stack   string      `json:"stack,omitempty"`
	DB      int         `json:"db,omitempty"`
	User    string      `json:"user,omitempty"`
	// Type and Data are an Image event's picture: its media type
	// ("image/svg+xml", "image/png") and its bytes (base64 in the JSON).
	Type string `json:"type,omitempty"`
	Data []byte `json:"data,omitempty"`
}

// MaxImage is the largest picture a cell may display, in bytes: a plot
// is tens of kilobytes; anything near this is a mistake, not a picture.
const MaxImage = 4 << 20

// Encode returns the event as a protocol line of the run with this token,
// ending in a newline.
func (e Event) Encode(token string) []byte {
	b, _ := json.Marshal(e) // an Event always marshals
	return append(append([]byte(MarkFor(token)), b...), '\n')
}

// Decode parses the JSON part of an event line (after MarkFor(token)).
func Decode(line []byte) (Event, error) {
	var e Event
	err := json.Unmarshal(line, &e)
	return e, err
}

// KeyChanges are the keys one cell created, changed and deleted: a few of
// each, with their type and size, and how many in all.
type KeyChanges struct {
	Created []Key `json:"created,omitempty"`
	Changed []Key `json:"changed,omitempty"`
	Deleted []Key `json:"deleted,omitempty"`

	CreatedN int `json:"createdN,omitempty"`
	ChangedN int `json:"changedN,omitempty"`
	DeletedN int `json:"deletedN,omitempty"`
}

// A Key is one key as a cell left it: its type ("list", "hash", ...), and
// its size where the type has one (a list's length, a hash's fields, a
// string's bytes). A deleted key has its type from before.
type Key struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
	Size int64  `json:"size,omitempty"`
}
