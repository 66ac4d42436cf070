package redisproxy

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

//go:generate go test -run TestCommandTableMatchesServer -update

// A Command is what the server's COMMAND INFO says about one command or
// subcommand, the parts the policy needs.
type Command struct {
	Name       string    // lower case; a subcommand is "config|set"
	Arity      int       // as COMMAND INFO: negative means at least -Arity
	Flags      []string  // write, readonly, admin, noscript, ...
	Categories []string  // ACL categories without the @: keyspace, dangerous, ...
	KeySpecs   []KeySpec // where its key arguments are, and what it does to each
	Container  bool      // has subcommands: the second argument names one
}

// A KeySpec locates some of a command's keys among its arguments, as the
// server's key specifications do (https://redis.io/docs/reference/key-specs/).
type KeySpec struct {
	Flags []string // RO, RW, OW, RM, access, update, insert, delete, incomplete, ...

	// Begin search: at an index, or after a keyword searched for from
	// StartFrom (negative: from the end, backwards).
	Index     int
	Keyword   string
	StartFrom int

	// Find keys: a range (LastKey relative to the first key, negative
	// from the end; KeyStep; Limit) or a count at KeyNumIdx.
	KeyNum    bool
	LastKey   int
	KeyStep   int
	Limit     int
	KeyNumIdx int
	FirstKey  int
}

// writes reports whether the spec's keys may be written: created,
// changed or deleted.
func (k KeySpec) writes() bool {
	for _, f := range k.Flags {
		switch f {
		case "RW", "OW", "RM", "insert", "update", "delete":
			return true
		}
	}
	return false
}

func (k KeySpec) has(flag string) bool { return slices.Contains(k.Flags, flag) }

func (c *Command) has(flag string) bool { return slices.Contains(c.Flags, flag) }

func (c *Command) in(category string) bool { return slices.Contains(c.Categories, category) }

// Lookup finds the command args names in the built-in table: the
// subcommand when the command has subcommands and one is named.
func Lookup(args [][]byte) *Command {
	if len(args) == 0 {
		return nil
	}
	var buf [32]byte // lower-cased on the stack: this runs for every command
	var c *Command
	if len(args[0]) <= len(buf) {
		lower := buf[:len(args[0])]
		for i, ch := range args[0] {
			if 'A' <= ch && ch <= 'Z' {
				ch += 'a' - 'A'
			}
			lower[i] = ch
		}
		c = commandTable[string(lower)]
	}
	name := ""
	if c != nil {
		name = c.Name
	}
	if c == nil || !c.Container || len(args) < 2 {
		return c
	}
	if sub := commandTable[name+"|"+string(bytes.ToLower(args[1]))]; sub != nil {
		return sub
	}
	return c
}

// WrittenKeys returns the keys a command may create, change or delete,
// from its key specs: never those it only reads. The walk uses it to show
// what each cell did to the database.
func WrittenKeys(args [][]byte) []string {
	c := Lookup(args)
	if c == nil {
		return nil
	}
	var keys []string
	for _, k := range c.keyArgs(args) {
		if k.write {
			keys = append(keys, string(args[k.pos]))
		}
	}
	return keys
}

// keyArgs returns the positions of args that are keys, with whether each
// may be written, following the key specs as the server itself does
// (db.c, getKeysUsingKeySpecs). A spec that does not fit the arguments
// yields no keys: the server then rejects the command as malformed.
func (c *Command) keyArgs(args [][]byte) []keyArg {
	var out []keyArg
	argc := len(args)
	for _, spec := range c.KeySpecs {
		first := 0
		if spec.Keyword == "" {
			first = spec.Index
		} else {
			start, end := spec.StartFrom, argc-1
			if start <= 0 {
				start, end = argc+spec.StartFrom, 1
			}
			for i := start; ; {
				if i >= argc || i < 1 {
					break
				}
				if strings.EqualFold(string(args[i]), spec.Keyword) {
					first = i + 1
					break
				}
				if i == end {
					break
				}
				if start <= end {
					i++
				} else {
					i--
				}
			}
			if first == 0 {
				continue
			}
		}
		var last, step int
		if !spec.KeyNum {
			step = spec.KeyStep
			switch {
			case spec.LastKey >= 0:
				last = first + spec.LastKey
			case spec.Limit == 0:
				last = argc + spec.LastKey
			default:
				last = first + ((argc-first)/spec.Limit + spec.LastKey)
			}
		} else {
			step = spec.KeyStep
			if spec.KeyNumIdx >= argc-first {
				continue
			}
			var n int
			if _, err := fmt.Sscanf(string(args[first+spec.KeyNumIdx]), "%d", &n); err != nil || n < 0 {
				continue
			}
			first += spec.FirstKey
			last = first + n - 1
		}
		if last >= argc || last < first || first >= argc || first < 1 || step < 1 {
			continue
		}
		for i := first; i <= last; i += step {
			out = append(out, keyArg{pos: i, write: spec.writes(), flags: spec.Flags})
		}
	}
	return out
}

type keyArg struct {
	pos   int
	write bool
	flags []string // the key spec's
}

// commandFromInfo converts one entry of COMMAND INFO's reply.
func commandFromInfo(v Value, parent string) (*Command, []*Command, error) {
	e, ok := v.([]Value)
	if !ok || len(e) < 7 {
		return nil, nil, fmt.Errorf("unexpected COMMAND INFO entry %v", v)
	}
	name, _ := e[0].(string)
	arity, _ := e[1].(int64)
	c := &Command{Name: strings.ToLower(name), Arity: int(arity), Flags: strs(e[2])}
	for _, cat := range strs(e[6]) {
		c.Categories = append(c.Categories, strings.TrimPrefix(cat, "@"))
	}
	if len(e) > 8 {
		for _, s := range list(e[8]) {
			c.KeySpecs = append(c.KeySpecs, keySpecFromInfo(s))
		}
	}
	var subs []*Command
	if len(e) > 9 {
		for _, s := range list(e[9]) {
			sub, _, err := commandFromInfo(s, c.Name)
			if err != nil {
				return nil, nil, err
			}
			subs = append(subs, sub)
			c.Container = true
		}
	}
	return c, subs, nil
}

func keySpecFromInfo(v Value) KeySpec {
	m := fields(v)
	k := KeySpec{Flags: strs(m["flags"])}
	bs := fields(m["begin_search"])
	bsSpec := fields(bs["spec"])
	switch bs["type"] {
	case "index":
		k.Index = num(bsSpec["index"])
	case "keyword":
		k.Keyword, _ = bsSpec["keyword"].(string)
		k.StartFrom = num(bsSpec["startfrom"])
	default:
		k.Flags = append(k.Flags, "unknown")
	}
	fk := fields(m["find_keys"])
	fkSpec := fields(fk["spec"])
	switch fk["type"] {
	case "range":
		k.LastKey, k.KeyStep, k.Limit = num(fkSpec["lastkey"]), num(fkSpec["keystep"]), num(fkSpec["limit"])
	case "keynum":
		k.KeyNum = true
		k.KeyNumIdx, k.FirstKey, k.KeyStep = num(fkSpec["keynumidx"]), num(fkSpec["firstkey"]), num(fkSpec["keystep"])
	default:
		k.Flags = append(k.Flags, "unknown")
	}
	return k
}

func list(v Value) []Value { l, _ := v.([]Value); return l }

func strs(v Value) []string {
	var out []string
	for _, x := range list(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// fields reads a RESP2 flattened map.
func fields(v Value) map[string]Value {
	m := map[string]Value{}
	l := list(v)
	for i := 0; i+1 < len(l); i += 2 {
		if k, ok := l[i].(string); ok {
			m[k] = l[i+1]
		}
	}
	return m
}

func num(v Value) int { n, _ := v.(int64); return int(n) }
