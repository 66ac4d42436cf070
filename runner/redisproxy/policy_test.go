package redisproxy

import (
	"slices"
	"strings"
	"testing"
)

func args(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

// TestPolicyRefuses lists every attack of issue 7 that a single command
// can make, and more: each must be refused, with a reason naming it.
func TestPolicyRefuses(t *testing.T) {
	p := Policy{DB: 9}
	for _, tt := range []struct {
		cmd  []string
		want string // in the refusal
	}{
		{[]string{"FLUSHALL"}, "FLUSHALL on a real server: it is a @dangerous command"},
		{[]string{"flushdb", "async"}, "FLUSHDB"},
		{[]string{"SWAPDB", "0", "9"}, "SWAPDB"},
		{[]string{"SELECT", "0"}, "another database than the run's (9)"},
		{[]string{"SELECT", "9", "x"}, "SELECT"},
		{[]string{"MOVE", "k", "0"}, "moves a key to another database"},
		{[]string{"COPY", "a", "b", "DB", "0"}, "copies into another database"},
		{[]string{"copy", "a", "b", "REPLACE", "db", "1"}, "copies into another database"},
		{[]string{"MIGRATE", "h", "1", "k", "0", "5"}, "MIGRATE"},
		{[]string{"EVAL", "redis.call('SELECT', 0); return redis.call('FLUSHDB')", "0"}, "--allow-scripts"},
		{[]string{"EVALSHA", "abc", "0"}, "--allow-scripts"},
		{[]string{"EVAL_RO", "return 1", "0"}, "--allow-scripts"},
		{[]string{"FCALL", "f", "0"}, "--allow-scripts"},
		{[]string{"FCALL_RO", "f", "0"}, "--allow-scripts"},
		{[]string{"FUNCTION", "FLUSH"}, "FUNCTION FLUSH"},
		{[]string{"FUNCTION", "LOAD", "#!lua name=x\n"}, "whole server"},
		{[]string{"SCRIPT", "FLUSH"}, "SCRIPT FLUSH"},
		{[]string{"CONFIG", "SET", "maxmemory", "1"}, "CONFIG SET on a real server: it is an @admin command"},
		{[]string{"config", "set", "requirepass", "x"}, "CONFIG SET"},
		{[]string{"CONFIG", "GET", "*"}, "CONFIG GET"},
		{[]string{"CONFIG"}, "needs a subcommand"},
		{[]string{"CONFIG", "NOSUCH"}, "needs a subcommand"},
		{[]string{"SHUTDOWN", "NOSAVE"}, "SHUTDOWN"},
		{[]string{"REPLICAOF", "127.0.0.1", "1"}, "REPLICAOF"},
		{[]string{"SLAVEOF", "127.0.0.1", "1"}, "SLAVEOF"},
		{[]string{"ACL", "SETUSER", "eve", "on"}, "ACL SETUSER"},
		{[]string{"ACL", "DELUSER", "default"}, "ACL DELUSER"},
		{[]string{"CLIENT", "KILL", "TYPE", "normal"}, "CLIENT KILL"},
		{[]string{"CLIENT", "LIST"}, "CLIENT LIST"},
		{[]string{"CLIENT", "PAUSE", "1000"}, "CLIENT PAUSE"},
		{[]string{"CLIENT", "REPLY", "OFF"}, "turns off replies"},
		{[]string{"CLIENT", "TRACKING", "on", "BCAST"}, "every database"},
		{[]string{"SAVE"}, "SAVE"},
		{[]string{"BGSAVE"}, "BGSAVE"},
		{[]string{"DEBUG", "SLEEP", "0"}, "DEBUG"},
		{[]string{"MONITOR"}, "MONITOR"},
		{[]string{"INFO"}, "keyspace"},
		{[]string{"INFO", "keyspace"}, `section "keyspace"`},
		{[]string{"INFO", "server", "all"}, `section "all"`},
		{[]string{"INFO", "replication"}, `section "replication"`},
		{[]string{"RESET"}, "database 0"},
		{[]string{"SUBSCRIBE", "ch"}, "channels"},
		{[]string{"PUBLISH", "ch", "m"}, "channels"},
		{[]string{"MEMORY", "STATS"}, "every database"},
		{[]string{"MODULE", "LOAD", "/x.so"}, "MODULE LOAD"},
		{[]string{"CLUSTER", "INFO"}, "cluster"},
		{[]string{"LASTSAVE"}, "LASTSAVE"},
		{[]string{"NOSUCHCOMMAND", "k"}, "not in the runner's table"},
		{[]string{}, "empty command"},
	} {
		v := p.Check(args(tt.cmd...))
		if v.Allowed() {
			t.Errorf("%q was let through", tt.cmd)
			continue
		}
		if !strings.Contains(v.Error(), tt.want) {
			t.Errorf("%q: %s, want %q in it", tt.cmd, v.Error(), tt.want)
		}
	}
}

// TestPolicyKeys checks that commands of the run's database pass, with the
// keys they touch and the keys they may write told apart from key specs:
// only written keys are ever cleaned up.
func TestPolicyKeys(t *testing.T) {
	p := Policy{DB: 9}
	for _, tt := range []struct {
		cmd          []string
		keys, writes []string
	}{
		{[]string{"SET", "k", "v"}, []string{"k"}, []string{"k"}},
		{[]string{"GET", "k"}, []string{"k"}, nil},
		{[]string{"get", "k"}, []string{"k"}, nil},
		{[]string{"MSET", "a", "1", "b", "2"}, []string{"a", "b"}, []string{"a", "b"}},
		{[]string{"MGET", "a", "b", "c"}, []string{"a", "b", "c"}, nil},
		{[]string{"DEL", "a", "b"}, []string{"a", "b"}, []string{"a", "b"}},
		{[]string{"RPUSH", "list", "theirs"}, []string{"list"}, []string{"list"}}, // a value is not a key
		{[]string{"HSET", "h", "f", "v"}, []string{"h"}, []string{"h"}},
		{[]string{"COPY", "src", "dst"}, []string{"src", "dst"}, []string{"dst"}},
		{[]string{"COPY", "src", "dst", "DB", "9"}, []string{"src", "dst"}, []string{"dst"}},
		{[]string{"RENAME", "a", "b"}, []string{"a", "b"}, []string{"a", "b"}},
		{[]string{"LMOVE", "a", "b", "LEFT", "RIGHT"}, []string{"a", "b"}, []string{"a", "b"}},
		{[]string{"SUNIONSTORE", "dst", "a", "b"}, []string{"dst", "a", "b"}, []string{"dst"}},
		{[]string{"ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"}, []string{"dst", "a", "b"}, []string{"dst"}},
		{[]string{"XREAD", "COUNT", "1", "STREAMS", "s1", "s2", "0", "0"}, []string{"s1", "s2"}, nil},
		{[]string{"SORT", "src", "BY", "w_*", "GET", "#", "STORE", "dst"}, []string{"src", "dst"}, []string{"dst"}},
		{[]string{"SORT", "src", "GET", "store"}, []string{"src"}, nil},
		{[]string{"SORT_RO", "src"}, []string{"src"}, nil},
		{[]string{"EXISTS", "a"}, []string{"a"}, nil},
		{[]string{"SCAN", "0"}, nil, nil},
		{[]string{"KEYS", "*"}, nil, nil},
		{[]string{"DBSIZE"}, nil, nil},
		{[]string{"SELECT", "9"}, nil, nil},
		{[]string{"PING"}, nil, nil},
		{[]string{"HELLO", "3"}, nil, nil},
		{[]string{"INFO", "server", "memory"}, nil, nil},
		{[]string{"MULTI"}, nil, nil},
		{[]string{"OBJECT", "ENCODING", "k"}, []string{"k"}, nil},
		{[]string{"RESTORE", "k", "0", "payload"}, []string{"k"}, []string{"k"}},
	} {
		v := p.Check(args(tt.cmd...))
		if !v.Allowed() {
			t.Errorf("%q refused: %s", tt.cmd, v.Error())
			continue
		}
		if !slices.Equal(v.Keys, tt.keys) || !slices.Equal(v.Writes, tt.writes) {
			t.Errorf("%q: keys %q writes %q, want %q and %q", tt.cmd, v.Keys, v.Writes, tt.keys, tt.writes)
		}
	}
}

func TestPolicyAllowScripts(t *testing.T) {
	p := Policy{DB: 9, AllowScripts: true}
	v := p.Check(args("EVAL", "return redis.call('SET', KEYS[1], 1)", "2", "a", "b", "arg"))
	if !v.Allowed() || !slices.Equal(v.Writes, []string{"a", "b"}) {
		t.Errorf("EVAL with --allow-scripts: %+v", v)
	}
	// Still refused: they act on every user of the server.
	for _, c := range [][]string{{"FUNCTION", "FLUSH"}, {"SCRIPT", "FLUSH"}, {"FUNCTION", "LOAD", "x"}, {"SCRIPT", "KILL"}} {
		if p.Check(args(c...)).Allowed() {
			t.Errorf("%q let through with --allow-scripts", c)
		}
	}
}

// TestEveryCommandDecided walks the whole table: every @admin or
// @dangerous command is refused unless reviewed as harmless, so a new
// dangerous command cannot slip through a list of names.
func TestEveryCommandDecided(t *testing.T) {
	p := Policy{DB: 9}
	for name, c := range commandTable {
		a := args(strings.Split(name, "|")...)
		v := p.Check(a)
		_, harmless := Harmless[strings.Split(name, "|")[0]]
		if (c.in("admin") || c.in("dangerous")) && !harmless && v.Allowed() {
			t.Errorf("%s is @admin or @dangerous and was let through", name)
		}
	}
}
