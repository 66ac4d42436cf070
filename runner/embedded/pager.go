package embedded

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"sync"

	"github.com/alicebob/miniredis/v2/server"

	"github.com/redis-notebook/tutorial/runner/resp"
)

// Redis keeps small hashes, sets and sorted sets in a compact encoding that
// HSCAN, SSCAN and ZSCAN answer in one reply, whatever COUNT says; past
// these sizes (the defaults of hash-max-listpack-entries,
// set-max-listpack-entries, set-max-intset-entries and
// zset-max-listpack-entries) they page. SCAN over the keyspace always pages.
const (
	compactEntries   = 128
	compactIntegers  = 512
	defaultScanCount = 10   // what Redis assumes without COUNT
	maxOpenCursors   = 1000 // cursors a forgetful client never finishes
)

// pager answers the SCAN family a page at a time. miniredis computes every
// match at once; the pager asks it for everything when a scan starts,
// keeps what is left behind an opaque cursor, and hands it out COUNT
// entries per call. Like Redis, COUNT counts the entries visited, not the
// matches, so a page may hold fewer matches than COUNT, or none, before
// the scan ends; and every entry present for the whole scan is returned
// exactly once.
type pager struct {
	srv *server.Server

	mu       sync.Mutex
	internal map[*server.Peer]bool // the pager's own peers: not paged again
	inMulti  map[*server.Peer]bool // queued commands are answered by EXEC
	scans    map[uint64][]entry
	order    []uint64 // open cursors, oldest first
	next     uint64
}

// An entry is one key, member, or field with its value, as raw RESP.
type entry struct {
	name    string
	raw     []byte
	matched bool
}

func newPager(srv *server.Server) *pager {
	return &pager{
		srv:      srv,
		internal: map[*server.Peer]bool{},
		inMulti:  map[*server.Peer]bool{},
		scans:    map[uint64][]entry{},
		next:     1 << 20,
	}
}

// hook runs before miniredis dispatches a command; true means the pager
// has answered it. It also answers TTL (see ttl.go), which needs the same
// care for transactions.
func (p *pager) hook(c *server.Peer, cmd string, args ...string) bool {
	switch cmd {
	case "MULTI", "EXEC", "DISCARD", "TTL", "SCAN", "SSCAN", "HSCAN", "ZSCAN":
	default:
		return false // most commands: no lock, no lookup
	}
	p.mu.Lock()
	internal := p.internal[c]
	switch cmd {
	case "MULTI":
		if !p.inMulti[c] {
			p.inMulti[c] = true
			c.OnDisconnect(func() { p.forget(c) })
		}
	case "EXEC", "DISCARD":
		delete(p.inMulti, c)
	}
	inMulti := p.inMulti[c]
	p.mu.Unlock()
	if internal || inMulti {
		return false
	}
	if cmd == "TTL" {
		return p.ttl(c, args)
	}
	var s scan
	switch cmd {
	case "SCAN":
		s = scan{cmd: cmd, width: 1}
	case "SSCAN":
		s = scan{cmd: cmd, key: true, width: 1}
	case "HSCAN", "ZSCAN":
		s = scan{cmd: cmd, key: true, width: 2}
	default:
		return false
	}
	if !s.parse(args) {
		return false // let miniredis report the mistake
	}
	if s.cursor != 0 {
		return p.resume(c, &s)
	}
	return p.begin(c, &s)
}

func (p *pager) forget(c *server.Peer) {
	p.mu.Lock()
	delete(p.inMulti, c)
	p.mu.Unlock()
}

// A scan is one call of the SCAN family, parsed.
type scan struct {
	cmd     string
	key     bool   // HSCAN, SSCAN, ZSCAN: a key comes before the cursor
	width   int    // RESP values per entry
	target  string // their key
	cursor  uint64
	count   int
	pattern string // MATCH; empty: every entry
	typ     string // TYPE; empty: any
}

func (s *scan) parse(args []string) bool {
	if s.key {
		if len(args) == 0 {
			return false
		}
		s.target, args = args[0], args[1:]
	}
	if len(args) == 0 {
		return false
	}
	cursor, err := strconv.ParseUint(args[0], 10, 64)
	if err != nil {
		return false
	}
	s.cursor, s.count = cursor, defaultScanCount
	for rest := args[1:]; len(rest) > 0; rest = rest[2:] {
		if len(rest) < 2 {
			return false
		}
		switch strings.ToUpper(rest[0]) {
		case "COUNT":
			n, err := strconv.Atoi(rest[1])
			if err != nil || n < 1 {
				return false
			}
			s.count = n
		case "MATCH":
			s.pattern = rest[1]
			if s.pattern == "*" {
				s.pattern = "" // as Redis: every entry, the empty name too
			}
		case "TYPE":
			s.typ = rest[1]
		default:
			return false // NOVALUES and the like: miniredis answers as it can
		}
	}
	return true
}

// begin starts a scan: it collects every entry and which of them MATCH
// and TYPE keep, then answers the first page.
func (p *pager) begin(c *server.Peer, s *scan) bool {
	head := []string{s.cmd}
	if s.key {
		head = append(head, s.target)
	}
	head = append(head, "0")
	all, ok := p.ask(c, head, s.width)
	if !ok {
		return false
	}
	var typed map[string]bool // miniredis knows the types
	if s.typ != "" {
		of, ok := p.ask(c, append(head, "TYPE", s.typ), s.width)
		if !ok {
			return false
		}
		typed = make(map[string]bool, len(of))
		for _, e := range of {
			typed[e.name] = true
		}
	}
	for i := range all {
		e := &all[i]
		e.matched = (s.pattern == "" || match(s.pattern, e.name)) && (typed == nil || typed[e.name])
	}
	if s.key && compact(s.cmd, all) {
		p.answer(c, 0, s.width, all)
		return true
	}
	p.page(c, s, all)
	return true
}

// resume answers the next page of a scan the pager started.
func (p *pager) resume(c *server.Peer, s *scan) bool {
	p.mu.Lock()
	rest, ok := p.scans[s.cursor]
	delete(p.scans, s.cursor)
	p.mu.Unlock()
	if !ok {
		return false // a cursor the pager never gave: miniredis ends the scan
	}
	p.page(c, s, rest)
	return true
}

// page answers s.count entries of rest, and keeps the others behind a new
// cursor.
func (p *pager) page(c *server.Peer, s *scan, rest []entry) {
	if len(rest) <= s.count {
		p.answer(c, 0, s.width, rest)
		return
	}
	p.mu.Lock()
	p.next += 7919 // opaque, as a real server's cursors are
	cursor := p.next
	p.scans[cursor] = rest[s.count:]
	p.order = append(p.order, cursor)
	if len(p.order) > maxOpenCursors {
		delete(p.scans, p.order[0])
		p.order = p.order[1:]
	}
	p.mu.Unlock()
	p.answer(c, cursor, s.width, rest[:s.count])
}

func (p *pager) answer(c *server.Peer, cursor uint64, width int, entries []entry) {
	n := 0
	for _, e := range entries {
		if e.matched {
			n++
		}
	}
	c.WriteLen(2)
	c.WriteBulk(strconv.FormatUint(cursor, 10))
	c.WriteLen(n * width)
	for _, e := range entries {
		if e.matched {
			c.WriteRaw(string(e.raw))
		}
	}
}

// compact says whether Redis would keep this collection in a compact
// encoding, and so answer its scan in one reply.
func compact(cmd string, entries []entry) bool {
	if len(entries) <= compactEntries {
		return true
	}
	if cmd != "SSCAN" || len(entries) > compactIntegers {
		return false
	}
	for _, e := range entries {
		if _, err := strconv.ParseInt(e.name, 10, 64); err != nil {
			return false
		}
	}
	return true
}

// ask runs a complete scan through miniredis and splits the reply into
// entries. It fails on an error reply, such as WRONGTYPE.
func (p *pager) ask(c *server.Peer, args []string, width int) ([]entry, bool) {
	return splitScanReply(p.dispatch(c, args), width)
}

// dispatch runs a command through miniredis on a peer of the pager's own
// that shares c's connection state (its selected database), and returns
// the raw reply.
func (p *pager) dispatch(c *server.Peer, args []string) []byte {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	own := server.NewPeer(w)
	own.Ctx, own.Resp3 = c.Ctx, c.Resp3
	p.mu.Lock()
	p.internal[own] = true
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.internal, own)
		p.mu.Unlock()
	}()
	p.srv.Dispatch(own, args)
	w.Flush()
	if c.Ctx == nil {
		c.Ctx = own.Ctx // miniredis made the connection's state on first use
	}
	return buf.Bytes()
}

// splitScanReply splits a reply of the form [cursor, [values...]] into
// entries of width values each, keeping every value's raw RESP.
func splitScanReply(b []byte, width int) ([]entry, bool) {
	rep, ok := parseReply(b)
	if !ok || !isList(rep) || len(rep.Elems) != 2 {
		return nil, false
	}
	if _, ok := scalar(rep.Elems[0]); !ok { // the cursor
		return nil, false
	}
	values := rep.Elems[1]
	if !isList(values) || len(values.Elems)%width != 0 {
		return nil, false
	}
	entries := make([]entry, 0, len(values.Elems)/width)
	for i := 0; i < len(values.Elems); i += width {
		var raw []byte
		for _, v := range values.Elems[i : i+width] {
			if _, ok := scalar(v); !ok {
				return nil, false
			}
			raw = resp.AppendReply(raw, v)
		}
		name, _ := scalar(values.Elems[i])
		entries = append(entries, entry{name: name, raw: raw, matched: true})
	}
	return entries, true
}

// parseReply parses a whole reply miniredis wrote.
func parseReply(b []byte) (resp.Reply, bool) {
	rep, err := resp.ReadReply(bufio.NewReader(bytes.NewReader(b)), resp.ServerLimits)
	return rep, err == nil
}

// isList says whether a reply is an array or a set, as a scan's are.
func isList(rep resp.Reply) bool { return (rep.Kind == '*' || rep.Kind == '~') && !rep.Null }

// scalar is the text of one value of a scan: a bulk string, or a
// one-line value such as a RESP3 double.
func scalar(rep resp.Reply) (string, bool) {
	switch rep.Kind {
	case '$':
		return rep.Text, !rep.Null
	case '+', ':', ',':
		return rep.Text, true
	}
	return "", false
}
