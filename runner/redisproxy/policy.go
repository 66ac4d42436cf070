package redisproxy

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A Policy is the rule set for code run on somebody's real server: it may
// touch keys of one database, and nothing else of the server.
type Policy struct {
	DB           int  // the run's database: the only one SELECT may name
	AllowScripts bool // let EVAL*, EVALSHA*, FCALL* through, unchecked
}

// A Verdict is what the policy says about one command.
type Verdict struct {
	Command string   // its name as people write it: "SET", "CONFIG SET"
	Refused string   // why it may not run; empty when it may
	Keys    []string // every key argument
	Writes  []string // the key arguments it may create, change or delete

	// Removes are the written keys the command deletes outright (DEL,
	// UNLINK); Empties those it may leave empty, and so deleted (LPOP,
	// GETDEL, a RENAME's source), from the key specs' flags.
	Removes, Empties []string
	// Patterns are SORT's BY and GET patterns, which read keys named by
	// the elements sorted.
	Patterns []string
	cmd      *Command
	// writeFlags are the key specs' flags of each of Writes, in order.
	writeFlags [][]string
}

// Allowed reports whether the command may run.
func (v Verdict) Allowed() bool { return v.Refused == "" }

// Error is the refusal as a client sees it: "notebook: refusing ...".
func (v Verdict) Error() string {
	return fmt.Sprintf("notebook: refusing %s on a real server: %s", v.Command, v.Refused)
}

// Harmless lists the @admin or @dangerous commands that pass anyway, each
// with why it stays inside the run's database. It is short on purpose:
// every entry was read, not derived.
var Harmless = map[string]string{
	"keys":    "lists keys of the run's database only (slow on a big one, which the run's is not)",
	"sort":    "BY and GET patterns read keys of the run's database only; STORE writes a key the guard tracks",
	"sort_ro": "BY and GET patterns read keys of the run's database only",
	"restore": "creates a key in the run's database from a DUMP, tracked like any write",
	"info":    "only the sections named in InfoSections, which say nothing of other databases",
}

// InfoSections are the INFO sections a run may read: none of them names
// other databases' keys (keyspace does) or other machines (replication).
var InfoSections = []string{"server", "clients", "memory", "persistence", "stats", "cpu", "commandstats", "errorstats", "latencystats", "modules"}

// refused lists commands that the server's categories let through but that
// reach beyond the run's database or break the proxy's pairing of commands
// and replies, with why.
var refused = map[string]string{
	"move":                "it moves a key to another database",
	"reset":               "it returns the connection to database 0",
	"client|reply":        "it turns off replies, which the guard pairs with commands",
	"client|tracking":     "its invalidation messages name keys of every database",
	"client|caching":      "it belongs to client tracking, which names keys of every database",
	"client|getredir":     "it belongs to client tracking, which names keys of every database",
	"memory|stats":        "it reports on every database",
	"memory|doctor":       "it reports on the whole server",
	"memory|purge":        "it acts on the whole server's memory",
	"memory|malloc-stats": "it reports on the whole server's memory",
	"function|load":       "a function library is added to the whole server and stays after the run",
	"function|delete":     "function libraries belong to the whole server",
	"function|flush":      "it deletes every function library of the server",
	"function|restore":    "function libraries belong to the whole server",
	"function|kill":       "it stops another client's function",
	"script|flush":        "it empties the whole server's script cache",
	"script|kill":         "it stops another client's script",
	"script|debug":        "it debugs scripts server-side, unchecked",
}

// Check decides whether a command, given as its raw arguments (the name
// first), may run under the policy, and names the keys it touches. It is a
// pure function of its arguments: the caller decides what to do about keys
// that existed before the run.
func (p Policy) Check(args [][]byte) Verdict {
	if len(args) == 0 {
		return Verdict{Command: "(empty)", Refused: "it is an empty command"}
	}
	cmd := Lookup(args)
	v := Verdict{Command: strings.ToUpper(string(args[0]))}
	if cmd == nil {
		v.Refused = "it is not in the runner's table of Redis commands, so the guard cannot tell what it touches"
		return v
	}
	if parent, sub, ok := strings.Cut(cmd.Name, "|"); ok {
		v.Command = strings.ToUpper(parent + " " + sub)
	} else if cmd.Container {
		v.Refused = "it needs a subcommand the runner knows"
		return v
	}
	if why, ok := refused[cmd.Name]; ok {
		v.Refused = why
		return v
	}
	if why := p.special(cmd, args); why != "" {
		v.Refused = why
		return v
	}
	_, harmless := Harmless[cmd.Name]
	switch {
	case cmd.in("scripting"):
		if !p.AllowScripts {
			v.Refused = "scripts and functions run inside the server, where the guard cannot see what they touch " +
				"(pass --allow-scripts to run them unchecked)"
			return v
		}
	case cmd.in("pubsub") || cmd.has("pubsub"):
		v.Refused = "channels are shared by every database and client of the server"
		return v
	case strings.HasPrefix(cmd.Name, "cluster|"):
		v.Refused = "it is about the whole cluster"
		return v
	case cmd.in("admin") && !harmless:
		v.Refused = "it is an @admin command: it acts on, or reports on, the whole server"
		return v
	case cmd.in("dangerous") && !harmless:
		v.Refused = "it is a @dangerous command: it reaches beyond the run's own keys"
		return v
	}
	for _, spec := range cmd.KeySpecs {
		if (spec.has("incomplete") || spec.has("unknown")) && spec.writes() && !harmless {
			v.Refused = "the guard cannot tell which keys it writes"
			return v
		}
	}
	v.cmd = cmd
	for _, k := range cmd.keyArgs(args) {
		name := string(args[k.pos])
		v.Keys = append(v.Keys, name)
		if k.write {
			if i := slices.Index(v.Writes, name); i >= 0 {
				v.writeFlags[i] = append(slices.Clip(v.writeFlags[i]), k.flags...)
			} else {
				v.Writes = append(v.Writes, name)
				v.writeFlags = append(v.writeFlags, k.flags)
			}
		}
		switch {
		case slices.Contains(k.flags, "RM"):
			v.Removes = append(v.Removes, name)
		case slices.Contains(k.flags, "delete"):
			v.Empties = append(v.Empties, name)
		}
	}
	if cmd.Name == "sort" || cmd.Name == "sort_ro" {
		dest, patterns := sortArgs(args)
		v.Patterns = patterns
		if dest != "" && cmd.Name == "sort" {
			v.Keys = append(v.Keys, dest)
			v.Writes = append(v.Writes, dest)
			v.writeFlags = append(v.writeFlags, []string{"OW", "update"})
		}
	}
	return v
}

// sortArgs finds SORT's STORE destination, which its key specs leave
// unknown, and its BY and GET patterns, skipping options as the server's
// sortGetKeys does.
func sortArgs(args [][]byte) (dest string, patterns []string) {
	for i := 2; i < len(args); i++ {
		switch strings.ToLower(string(args[i])) {
		case "limit":
			i += 2
		case "get", "by":
			if i+1 < len(args) {
				patterns = append(patterns, string(args[i+1]))
			}
			i++
		case "store":
			if i+1 < len(args) {
				dest = string(args[i+1]) // the last STORE wins, as in the server
			}
			i++
		}
	}
	return dest, patterns
}

// PatternReaches reports whether a SORT BY or GET pattern can name key:
// the first * stands for any element, and what follows "->" after it is a
// hash field, not part of the key. A pattern without * reads no key.
func PatternReaches(pattern, key string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return false
	}
	prefix, suffix := pattern[:star], pattern[star+1:]
	if arrow := strings.Index(suffix, "->"); arrow >= 0 {
		suffix = suffix[:arrow]
	}
	return len(key) >= len(prefix)+len(suffix) && strings.HasPrefix(key, prefix) && strings.HasSuffix(key, suffix)
}

// special checks the arguments of commands that are harmless only with
// some of them.
func (p Policy) special(cmd *Command, args [][]byte) string {
	switch cmd.Name {
	case "select":
		if len(args) == 2 && string(args[1]) == strconv.Itoa(p.DB) {
			return ""
		}
		return fmt.Sprintf("it switches to another database than the run's (%d)", p.DB)
	case "copy":
		for i := 3; i+1 < len(args); i++ {
			if bytes.EqualFold(args[i], []byte("db")) && string(args[i+1]) != strconv.Itoa(p.DB) {
				return "it copies into another database"
			}
		}
	case "info":
		if len(args) == 1 {
			return "without sections it includes keyspace, which names every database; ask for sections: " + strings.Join(InfoSections, ", ")
		}
		for _, s := range args[1:] {
			if !slices.Contains(InfoSections, strings.ToLower(string(s))) {
				return fmt.Sprintf("section %q may reveal other databases or machines; these may be read: %s", s, strings.Join(InfoSections, ", "))
			}
		}
	}
	return ""
}
