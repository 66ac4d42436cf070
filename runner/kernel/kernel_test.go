package kernel

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/embedded"
	"github.com/redis-notebook/tutorial/runner/redisproxy"
)

// TestLongPipelineOnMiniredis sends a pipeline far larger than any socket
// buffer through the in-memory connection. On miniredis's unbuffered
// net.Pipe alone it deadlocks; bufferedConn must not.
func TestLongPipelineOnMiniredis(t *testing.T) {
	b, err := Open(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := b.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := range 20000 {
				p.RPush(ctx, "list", strings.Repeat("x", i%50))
			}
			return nil
		})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("the pipeline deadlocked")
	}
	if n := b.Client.LLen(ctx, "list").Val(); n != 20000 {
		t.Errorf("LLEN = %d, want 20000", n)
	}
	if b.Name != "miniredis" || !strings.HasPrefix(b.Addr, "127.0.0.1:") {
		t.Errorf("backend %q at %q", b.Name, b.Addr)
	}
}

func TestFormat(t *testing.T) {
	cmd := redis.NewStringCmd(context.Background(), "get", "key")
	cmd.SetVal("value")
	for _, tt := range []struct {
		v    any
		want string
	}{
		{cmd, "get key: value"},
		{"5", `"5"`},
		{5, "5"},
		{[]byte("[1,2]"), `[]byte("[1,2]")`},
		{errors.New("boom"), "error: boom"},
		{nil, "<nil>"},
		{map[string]int{"b": 2, "a": 1}, "map[a:1 b:2]"},
		{time.Second, "1s"},
	} {
		if got := Format(tt.v); got != tt.want {
			t.Errorf("Format(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

// TestGuard: the guard of a run on a real server (here miniredis, which
// answers MULTI and EXISTS as Redis does) refuses what the policy refuses
// and keys from before the run, and counts as the run's only the keys its
// own commands created.
func TestGuard(t *testing.T) {
	mr, err := embedded.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer mr.Close()
	ctx := context.Background()
	other := redis.NewClient(&redis.Options{Addr: mr.Addr(), DB: 15})
	defer other.Close()
	other.Set(ctx, "theirs", "x", 0)
	rec := redisproxy.NewRecord(map[string]bool{"theirs": true})
	opt := &redis.Options{Addr: mr.Addr(), DB: 15, DisableIdentity: true, Protocol: 2}
	guardConnections(opt, redisproxy.Policy{DB: 15}, rec)
	c := redis.NewClient(opt)
	defer c.Close()
	other.Set(ctx, "made-by-another", "x", 0)
	for _, tt := range []struct {
		args []any
		want string // "" for allowed
	}{
		{[]any{"set", "mine", "v"}, ""},
		{[]any{"select", 15}, ""}, // go-redis selects the run's database itself
		{[]any{"select", 0}, "refusing SELECT"},
		{[]any{"flushdb"}, "refusing FLUSHDB"},
		{[]any{"FLUSHALL"}, "refusing FLUSHALL"},
		{[]any{"swapdb", 0, 15}, "refusing SWAPDB"},
		{[]any{"get", "theirs"}, `key "theirs" was in the database before this run`},
		{[]any{"del", "mine", "theirs"}, `refusing DEL: key "theirs"`},
		{[]any{"set", []byte("theirs"), "x"}, `key "theirs" was in the database before this run`},
		{[]any{"eval", "return 1", 0}, "--allow-scripts"},
		{[]any{"config", "set", "maxmemory", 1}, "refusing CONFIG SET"},
		{[]any{"move", "mine", 0}, "refusing MOVE"},
		{[]any{"copy", "mine", "other", "db", 0}, "refusing COPY"},
		{[]any{"rpush", []byte("list"), "read-only"}, ""},
		{[]any{"get", "read-only"}, ""},
		{[]any{"hset", "made-by-another", "f", "v"}, "WRONGTYPE"}, // the server's answer, passed on
		{[]any{"append", "made-by-another", "y"}, ""},
		{[]any{"incr", "counter"}, ""},
	} {
		err := c.Do(ctx, tt.args...).Err()
		if err == redis.Nil {
			err = nil
		}
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v refused: %v", tt.args, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: error %v, want %q", tt.args, err, tt.want)
		}
	}
	if got := strings.Join(rec.Owned(), ","); got != "counter,list,mine" {
		t.Errorf("the run's keys: %s", got)
	}
}

func TestRawArgs(t *testing.T) {
	got := RawArgs([]any{"set", []byte("k"), 42, int64(-1), 1.5, true, time.Second, nil})
	want := []string{"set", "k", "42", "-1", "1.5", "1", "1000000000", ""}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("argument %d: %q, want %q", i, got[i], want[i])
		}
	}
}

// TestNoCommandSentTwice: when a connection breaks after a command was
// sent, the chapter's client reports the error and sends nothing again;
// go-redis's default would send it up to three more times, and an INCR,
// or a pipeline of them, would count more than once.
func TestNoCommandSentTwice(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	received := make(chan string, 100)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// Read what arrives, then drop the connection unanswered.
			buf := make([]byte, 64<<10)
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			n, _ := c.Read(buf)
			received <- string(buf[:n])
			c.Close()
		}
	}()
	srv, err := embedded.New()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	opt := embeddedOptions(srv)
	opt.Dialer = nil
	opt.Addr = ln.Addr().String()
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.Incr(ctx, "counter").Err(); err == nil {
		t.Fatal("INCR on a connection that broke succeeded")
	}
	if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, "counter")
		p.Incr(ctx, "counter")
		return nil
	}); err == nil {
		t.Fatal("a pipeline on a connection that broke succeeded")
	}
	time.Sleep(300 * time.Millisecond) // a retry would have arrived by now
	if n := len(received); n != 2 {
		t.Errorf("the server received %d requests for one command and one pipeline, want 2 (go-redis sent again)", n)
	}
}
