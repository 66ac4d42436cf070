package redisbackend

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/embedded"
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
	opt := srv.ClientOptions()
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
