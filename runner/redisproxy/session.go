package redisproxy

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis-notebook/tutorial/runner/resp"
)

// A Session guards one client connection to the server. For each command
// the client sends it decides, before the server sees it, whether it may
// run, and what else the server must say for the run to know whether the
// command created its keys: a key counts as the run's only when the run's
// own command created it, seen atomically with it. So it
//
//   - passes a command on a key the run already owns, which cannot remove
//     or expire it, as it is (the chapter's loops, after their first
//     command on each key);
//   - learns from the reply alone where the reply proves creation (RPUSH or
//     LPUSH replying with the number of elements pushed, SETNX or MSETNX
//     replying 1, SET NX replying OK);
//   - otherwise sends MULTI, EXISTS of each key, the command, EXISTS of each
//     key again, and EXEC in one round trip (inside the client's own MULTI,
//     only the EXISTS, whose extra replies it strips);
//   - and where none of that is possible (a blocking command, or a client
//     that has WATCHed keys, which a wrapping EXEC would unwatch), records
//     the key as one whose owner cannot be told, never to be deleted.
//
// Submit and Reply may run in two goroutines (the runner's relay): Submit
// in the one that reads the client, Reply in the one that answers it.
type Session struct {
	policy Policy
	rec    *Record
	queue  *fifo

	// The client's transaction, as Submit has seen it.
	inMulti      bool
	multiRefused bool    // a command in it was refused: EXEC must abort
	txn          []*step // its commands, in the order queued
	watching     bool
}

// NewSession starts guarding one connection under policy, with the
// process's record of keys.
func NewSession(policy Policy, rec *Record) *Session {
	return &Session{policy: policy, rec: rec, queue: newFIFO()}
}

type stepKind uint8

const (
	stepPlain   stepKind = iota // one reply, passed on
	stepRefused                 // no reply from the server: a refusal instead
	stepWrapped                 // MULTI, EXISTS…, the command, EXISTS…, EXEC
	stepQueued                  // inside the client's MULTI: EXISTS…, the command, EXISTS…, each answering QUEUED
	stepExec                    // the client's EXEC: the transaction's replies, the EXISTS stripped
	stepAbort                   // the client's EXEC after a refusal: DISCARD sent, EXECABORT answered
	stepDiscard                 // the client's DISCARD
)

// A step is one client command in flight, and what its reply will tell.
type step struct {
	kind    stepKind
	refusal string

	checks    []string         // keys whose existence is asked before and after the command
	proofKeys []string         // keys whose creation the reply proves…
	proof     string           // …when the reply is exactly this
	removes   []string         // keys the command deletes outright
	ttl       map[string]int64 // deadlines the command gives keys (see ttlEffects)
	txn       []*step          // stepExec, stepAbort, stepDiscard: the transaction's commands
	queuedOK  bool             // stepQueued: the server queued the command
	queueErr  []byte           // stepQueued: the server's error instead of QUEUED
}

// HasPending reports whether a reply is awaited.
func (s *Session) HasPending() bool { return !s.queue.empty() }

// Close ends the session: Reply then reports no more steps.
func (s *Session) Close() { s.queue.close() }

var (
	cmdMulti   = []byte("*1\r\n$5\r\nMULTI\r\n")
	cmdExec    = []byte("*1\r\n$4\r\nEXEC\r\n")
	cmdDiscard = []byte("*1\r\n$7\r\nDISCARD\r\n")
	execAbort  = []byte("-EXECABORT Transaction discarded because of previous errors.\r\n")
)

// Submit checks one command (args, and raw, its bytes as the client sent
// them, or nil to write args anew) and writes to w what the server must
// receive for it, possibly nothing. It never blocks on the server.
func (s *Session) Submit(args [][]byte, raw []byte, w *bufio.Writer) {
	st := s.plan(args)
	name := ""
	if len(args) > 0 {
		name = strings.ToLower(string(args[0]))
	}
	if st.kind == stepRefused {
		if s.inMulti && name != "exec" && name != "discard" {
			s.multiRefused = true
		}
		s.push(st)
		return
	}
	put := func() {
		if raw != nil {
			w.Write(raw)
		} else {
			resp.WriteCommand(w, args)
		}
	}
	switch {
	case s.inMulti && name == "exec":
		st.kind, st.txn = stepExec, s.txn
		if s.multiRefused {
			st.kind = stepAbort
			w.Write(cmdDiscard)
		} else {
			w.Write(cmdExec)
		}
		s.inMulti, s.multiRefused, s.txn, s.watching = false, false, nil, false
	case s.inMulti && name == "discard":
		st.kind, st.txn = stepDiscard, s.txn
		put()
		s.inMulti, s.multiRefused, s.txn, s.watching = false, false, nil, false
	case s.inMulti && name != "multi" && name != "watch":
		st.kind = stepQueued
		s.txn = append(s.txn, st)
		writeExists(w, st.checks)
		put()
		writeExists(w, st.checks)
	case len(st.checks) > 0:
		st.kind = stepWrapped
		w.Write(cmdMulti)
		writeExists(w, st.checks)
		put()
		writeExists(w, st.checks)
		w.Write(cmdExec)
	default:
		put()
		switch name {
		case "multi":
			s.inMulti = true
		case "watch":
			s.watching = !s.inMulti
		case "unwatch", "exec", "discard":
			s.watching = false
		}
	}
	s.push(st)
}

// push queues a step, counting it in flight until Reply has logged its
// outcome (Record.Stop waits for that).
func (s *Session) push(st *step) {
	s.rec.inFlight.Add(1)
	s.queue.push(st)
}

func writeExists(w *bufio.Writer, keys []string) {
	for _, k := range keys {
		w.WriteString("*2\r\n$6\r\nEXISTS\r\n$")
		w.WriteString(strconv.Itoa(len(k)))
		w.WriteString("\r\n")
		w.WriteString(k)
		w.WriteString("\r\n")
	}
}

// plan decides what one command needs. A refusal is a step of its own,
// and so is a command whose intents the record could not take.
func (s *Session) plan(args [][]byte) *step {
	v := s.policy.Check(args)
	if !v.Allowed() {
		return &step{kind: stepRefused, refusal: oneLine(v.Error())}
	}
	for _, k := range v.Keys {
		if s.rec.Existed(k) {
			return refusal(fmt.Sprintf("notebook: refusing %s: key %q was in the database before this run, "+
				"and the runner never touches other people's keys", v.Command, k))
		}
	}
	if len(s.rec.existing) > 0 {
		for _, pat := range v.Patterns {
			for k := range s.rec.existing {
				if PatternReaches(pat, k) {
					return refusal(fmt.Sprintf("notebook: refusing %s: its pattern %q can read key %q, which was in the "+
						"database before this run, and the runner never touches other people's keys", v.Command, pat, k))
				}
			}
		}
	}
	st := &step{}
	if len(v.Writes) == 0 {
		return st
	}
	s.rec.catchUp()
	name := v.cmd.Name
	now := int64(0) // read only when needed: it is much of the guard's own time
	clock := func() int64 {
		if now == 0 {
			now = time.Now().UnixNano()
		}
		return now
	}
	st.ttl = ttlEffects(name, args, clock, s.rec)
	unwrappable := (s.watching && !s.inMulti) || (v.cmd.has("blocking") && !s.inMulti)
	proof, proofKnown := "", false
	var events []event
	for i, k := range v.Writes {
		flags := v.writeFlags[i]
		if slices.Contains(v.Removes, k) {
			st.removes = append(st.removes, k)
			continue
		}
		owned, live := s.rec.ownedLive(k, clock)
		_, setsTTL := st.ttl[k]
		canCreate := hasAny(flags, "insert", "update", "OW")
		canEmpty := hasAny(flags, "delete") || mayRemove(name) || setsTTL
		switch {
		case live && !canEmpty:
			// The run's own key, which this command can only change.
		case !owned && !canCreate:
			// Not the run's, and this command cannot make it so.
		case !owned && provable(name, args, &proof, &proofKnown):
			st.proofKeys = append(st.proofKeys, k)
			events = append(events, event{op: opIntent, key: k})
		case unwrappable:
			events = append(events, event{op: opUnknown, key: k})
		default:
			st.checks = append(st.checks, k)
			events = append(events, event{op: opIntent, key: k})
		}
	}
	if len(st.proofKeys) > 0 {
		st.proof = proof
	}
	if err := s.rec.log(events); err != nil {
		return refusal(fmt.Sprintf("notebook: refusing %s: cannot record its keys for cleanup: %v", v.Command, err))
	}
	return st
}

func refusal(msg string) *step { return &step{kind: stepRefused, refusal: oneLine(msg)} }

func hasAny(flags []string, want ...string) bool {
	for _, f := range flags {
		if slices.Contains(want, f) {
			return true
		}
	}
	return false
}

// mayRemove reports whether a command can delete a key its specs do not
// flag as deleted: a STORE of an empty result, an expiry in the past.
func mayRemove(name string) bool {
	switch name {
	case "sort", "bitop", "georadius", "georadiusbymember", "expire", "pexpire", "expireat", "pexpireat", "getex", "restore", "set":
		return name != "set"
	}
	return strings.HasSuffix(name, "store")
}

// provable reports whether the command's reply can prove that it created
// its keys, working proofReply out once per command.
func provable(name string, args [][]byte, proof *string, known *bool) bool {
	if !*known {
		*proof, *known = proofReply(name, args), true // a reply inside EXEC proves as much as one outside
	}
	return *proof != ""
}

// proofReply is the reply that proves that a command created its keys, if
// there is one: a list holds at least one element, so RPUSH answering with
// exactly the number it pushed made the list.
func proofReply(name string, args [][]byte) string {
	switch name {
	case "rpush", "lpush":
		return ":" + strconv.Itoa(len(args)-2) + "\r\n"
	case "setnx", "msetnx":
		return ":1\r\n"
	case "set":
		nx := false
		for _, a := range args[3:] {
			switch strings.ToLower(string(a)) {
			case "nx":
				nx = true
			case "get":
				return "" // the reply is the old value
			}
		}
		if nx {
			return "+OK\r\n"
		}
	}
	return ""
}

// ttlEffects returns, for each key the command gives a time to live, the
// time before which the key cannot expire: the send time plus a relative
// TTL, or the send time itself when the TTL is absolute (the server's
// clock) or unknown (RENAME or COPY of a key not the run's). A key past its
// deadline may have expired and been made again by another client, so it
// is no longer counted as the run's without a fresh look.
func ttlEffects(name string, args [][]byte, clock func() int64, rec *Record) map[string]int64 {
	switch name {
	case "expire", "pexpire", "setex", "psetex", "expireat", "pexpireat", "set", "getex", "restore", "rename", "renamenx", "copy":
	default:
		return nil
	}
	now := clock()
	rel := func(s []byte, unit time.Duration) int64 {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil || n <= 0 || n > int64(100*365*24*time.Hour/unit) {
			return now
		}
		return now + n*int64(unit)
	}
	one := func(d int64) map[string]int64 { return map[string]int64{string(args[1]): d} }
	switch name {
	case "expire", "pexpire", "setex", "psetex":
		if len(args) < 3 {
			return nil
		}
		unit := time.Second
		if name[0] == 'p' {
			unit = time.Millisecond
		}
		return one(rel(args[2], unit))
	case "expireat", "pexpireat":
		return one(now)
	case "set", "getex":
		opts := args[2:]
		if name == "set" {
			opts = args[min(3, len(args)):]
		}
		for i, a := range opts {
			switch o := strings.ToLower(string(a)); o {
			case "ex", "px":
				if i+1 < len(opts) {
					unit := time.Second
					if o == "px" {
						unit = time.Millisecond
					}
					return one(rel(opts[i+1], unit))
				}
			case "exat", "pxat":
				return one(now)
			}
		}
	case "restore":
		if len(args) >= 3 && string(args[2]) != "0" {
			for _, a := range args[4:] {
				if strings.EqualFold(string(a), "absttl") {
					return one(now)
				}
			}
			return one(rel(args[2], time.Millisecond))
		}
	case "rename", "renamenx", "copy":
		if len(args) < 3 {
			return nil
		}
		d, owned := rec.deadline(string(args[1]))
		if !owned {
			d = now
		}
		if d != 0 {
			return map[string]int64{string(args[2]): d}
		}
	}
	return nil
}

// Reply reads from r what the server answered for the oldest step in
// flight and writes to w what the client expects. ok is false once the
// session is closed and every step answered.
func (s *Session) Reply(r *bufio.Reader, w io.Writer) (ok bool, err error) {
	st, ok := s.queue.pop()
	if !ok {
		return false, nil
	}
	var events []event
	defer func() {
		if lerr := s.rec.log(events); lerr != nil && err == nil {
			err = lerr
		}
		s.rec.inFlight.Done()
	}()
	switch st.kind {
	case stepRefused:
		_, err = io.WriteString(w, "-"+st.refusal+"\r\n")
		return true, err
	case stepPlain, stepDiscard:
		reply, err := resp.ReadRaw(r, nil, resp.ServerLimits)
		if err != nil {
			return true, err
		}
		if st.kind == stepDiscard {
			events = unchanged(st.txn)
		} else {
			events = s.outcome(st, reply, nil, nil, true)
		}
		_, err = w.Write(reply)
		return true, err
	case stepAbort:
		if _, err := resp.ReadRaw(r, nil, resp.ServerLimits); err != nil { // DISCARD's OK
			return true, err
		}
		events = unchanged(st.txn)
		_, err = w.Write(execAbort)
		return true, err
	case stepQueued:
		c := len(st.checks)
		for i := range 2*c + 1 {
			reply, err := resp.ReadRaw(r, nil, resp.ServerLimits)
			if err != nil {
				return true, err
			}
			if i == c {
				st.queuedOK = bytes.Equal(reply, []byte("+QUEUED\r\n"))
				if !st.queuedOK {
					st.queueErr = reply
				}
				if _, err := w.Write(reply); err != nil {
					return true, err
				}
			}
		}
		return true, nil
	case stepWrapped:
		var reply []byte
		multi, err := resp.ReadRaw(r, nil, resp.ServerLimits)
		if err != nil {
			return true, err
		}
		atomic := bytes.Equal(multi, []byte("+OK\r\n"))
		c := len(st.checks)
		queued := make([][]byte, 2*c+1)
		for i := range queued {
			if queued[i], err = resp.ReadRaw(r, nil, resp.ServerLimits); err != nil {
				return true, err
			}
		}
		head, n, err := resp.ReadHead(r, resp.ServerLimits)
		if err != nil {
			return true, err
		}
		switch {
		case !atomic:
			// MULTI itself was refused (an ACL without it): the commands ran
			// one by one, so their replies came at once and prove nothing.
			if _, err := resp.ReadRest(r, head, head[0], n, resp.ServerLimits); err != nil {
				return true, err
			}
			reply = queued[c]
			events = unknown(st)
		case n == 2*c+1:
			elems := make([][]byte, n)
			for i := range elems {
				if elems[i], err = resp.ReadRaw(r, nil, resp.ServerLimits); err != nil {
					return true, err
				}
			}
			reply = elems[c]
			events = s.outcome(st, reply, exists(elems[:c]), exists(elems[c+1:]), true)
		default:
			rest, err := resp.ReadRest(r, head, head[0], n, resp.ServerLimits)
			if err != nil {
				return true, err
			}
			reply = rest
			if resp.IsError(queued[c]) {
				reply = queued[c] // the command's own error, as Redis gives it
			}
			events = unchanged([]*step{st})
		}
		_, err = w.Write(reply)
		return true, err
	case stepExec:
		head, n, err := resp.ReadHead(r, resp.ServerLimits)
		if err != nil {
			return true, err
		}
		want := 0
		for _, q := range st.txn {
			want += 2*len(q.checks) + 1
		}
		if head[0] != '*' || n != want {
			rest, err := resp.ReadRest(r, head, head[0], n, resp.ServerLimits)
			if err != nil {
				return true, err
			}
			if head[0] == '*' && n >= 0 {
				events = unknownAll(st.txn) // ran, but not as queued here
			} else {
				events = unchanged(st.txn) // aborted or WATCH failed: nothing ran
			}
			_, err = w.Write(rest)
			return true, err
		}
		out := []byte("*" + strconv.Itoa(len(st.txn)) + "\r\n")
		for _, q := range st.txn {
			c := len(q.checks)
			elems := make([][]byte, 2*c+1)
			for i := range elems {
				if elems[i], err = resp.ReadRaw(r, nil, resp.ServerLimits); err != nil {
					return true, err
				}
			}
			out = append(out, elems[c]...)
			events = append(events, s.outcome(q, elems[c], exists(elems[:c]), exists(elems[c+1:]), true)...)
		}
		_, err = w.Write(out)
		return true, err
	}
	return true, fmt.Errorf("unknown step %d", st.kind)
}

// outcome turns what the server said of one command into events.
func (s *Session) outcome(st *step, reply []byte, before, after []bool, atomic bool) []event {
	var events []event
	now := time.Now().UnixNano()
	failed := resp.IsError(reply)
	for i, k := range st.checks {
		if before == nil || after == nil || i >= len(before) || i >= len(after) {
			events = append(events, event{op: opUnknown, key: k})
			continue
		}
		owned, live := s.rec.ownedLive(k, func() int64 { return now })
		d, hasTTL := st.ttl[k]
		switch {
		case !after[i]:
			events = append(events, event{op: opGone, key: k})
		case !before[i]:
			events = append(events, event{op: opOwned, key: k, deadline: d})
		case live:
			if !hasTTL {
				d, _ = s.rec.deadline(k)
			}
			events = append(events, event{op: opOwned, key: k, deadline: d})
		case owned:
			// It may have expired and been made again by another client.
			events = append(events, event{op: opUnknown, key: k})
		default:
			events = append(events, event{op: opSame, key: k})
		}
	}
	for _, k := range st.proofKeys {
		if string(reply) == st.proof {
			events = append(events, event{op: opOwned, key: k, deadline: st.ttl[k]})
		} else {
			events = append(events, event{op: opSame, key: k})
		}
	}
	if !failed {
		for _, k := range st.removes {
			events = append(events, event{op: opForget, key: k})
		}
	}
	return events
}

// unchanged resolves the intents of steps that did not run.
func unchanged(steps []*step) []event {
	var events []event
	for _, st := range steps {
		for _, k := range append(slices.Clip(st.checks), st.proofKeys...) {
			events = append(events, event{op: opSame, key: k})
		}
	}
	return events
}

func unknown(st *step) []event { return unknownAll([]*step{st}) }

func unknownAll(steps []*step) []event {
	var events []event
	for _, st := range steps {
		for _, k := range append(slices.Clip(st.checks), append(slices.Clip(st.proofKeys), st.removes...)...) {
			events = append(events, event{op: opUnknown, key: k})
		}
	}
	return events
}

// exists reads EXISTS replies: ":1" is true.
func exists(replies [][]byte) []bool {
	out := make([]bool, len(replies))
	for i, r := range replies {
		out[i] = bytes.Equal(r, []byte(":1\r\n"))
	}
	return out
}
