package embedded

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// rawConn is a connection from Dial, spoken to in RESP by hand.
type rawConn struct {
	t *testing.T
	net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, s *Server) *rawConn {
	t.Helper()
	c, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, Conn: c, r: bufio.NewReader(c)}
}

func command(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

func (c *rawConn) send(args ...string) {
	c.t.Helper()
	if _, err := io.WriteString(c, command(args...)); err != nil {
		c.t.Fatal(err)
	}
}

// line reads one line of reply, within a second.
func (c *rawConn) line() string {
	c.t.Helper()
	c.SetReadDeadline(time.Now().Add(time.Second))
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading a reply: %v (so far %q)", err, l)
	}
	return strings.TrimSuffix(l, "\r\n")
}

// TestDialIdlePastDeadline is what broke `walk --step`: go-redis sets a
// read deadline before each reply, and the connection sat idle past it
// while the learner read the prompt. The old in-memory pipe's reader then
// stopped for good; the next command ran, its reply was lost, and go-redis
// sent it again. A deadline that passes while nobody reads must not harm
// the next command.
func TestDialIdlePastDeadline(t *testing.T) {
	s, _ := New()
	defer s.Close()
	c := dialRaw(t, s)
	c.send("SET", "counter", "100")
	if got := c.line(); got != "+OK" {
		t.Fatalf("SET = %q", got)
	}
	c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	time.Sleep(60 * time.Millisecond)
	c.send("INCR", "counter")
	if got := c.line(); got != ":101" {
		t.Fatalf("INCR after an idle spell past the deadline = %q, want :101", got)
	}
}

// TestDialCommandInPieces: a command may arrive a byte at a time, or many
// in one write, as a pipeline does.
func TestDialCommandInPieces(t *testing.T) {
	s, _ := New()
	defer s.Close()
	c := dialRaw(t, s)
	for _, b := range []byte(command("RPUSH", "list", "a\r\nb", "")) {
		c.Write([]byte{b})
	}
	if got := c.line(); got != ":2" {
		t.Fatalf("RPUSH written a byte at a time = %q, want :2", got)
	}
	io.WriteString(c, command("LLEN", "list")+command("LINDEX", "list", "0")+command("LINDEX", "list", "1"))
	for _, want := range []string{":2", "$4", "a", "b", "$0", ""} { // "a\r\nb" read as two lines
		if got := c.line(); got != want {
			t.Fatalf("pipelined reply line = %q, want %q", got, want)
		}
	}
}

// TestDialWaitingCommand: BLPOP waits for another client's push without
// holding up the writer, and the commands written after it on the same
// connection answer after it, in order.
func TestDialWaitingCommand(t *testing.T) {
	s, _ := New()
	defer s.Close()
	c, other := dialRaw(t, s), dialRaw(t, s)
	done := make(chan struct{})
	go func() {
		c.send("BLPOP", "queue", "5")
		c.send("GET", "after")
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("writing BLPOP and a command after it waited for the reply")
	}
	other.send("SET", "after", "set-later")
	other.line()
	other.send("RPUSH", "queue", "job")
	other.line()
	for _, want := range []string{"*2", "$5", "queue", "$3", "job", "$9", "set-later"} {
		if got := c.line(); got != want {
			t.Fatalf("reply line = %q, want %q", got, want)
		}
	}
}

// TestDialReadDeadline: a read that waits (BLPOP with nobody pushing)
// ends at the deadline with a timeout, as on a socket.
func TestDialReadDeadline(t *testing.T) {
	s, _ := New()
	defer s.Close()
	c := dialRaw(t, s)
	c.send("BLPOP", "nothing", "0")
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	start := time.Now()
	_, err := c.Read(make([]byte, 10))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Read with nothing to read = %v, want a timeout", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("the deadline took %v to end the read", waited)
	}
}

// TestDialEnds: QUIT answers, then the connection ends; a request that is
// not RESP gets an error, then the end; and closing a subscribed
// connection ends its subscription, as miniredis does for its own.
func TestDialEnds(t *testing.T) {
	s, _ := New()
	defer s.Close()
	c := dialRaw(t, s)
	io.WriteString(c, command("QUIT")+command("SET", "after-quit", "1"))
	if got := c.line(); got != "+OK" {
		t.Fatalf("QUIT = %q", got)
	}
	if s.Exists("after-quit") {
		t.Error("a command written after QUIT ran")
	}
	if _, err := c.r.ReadByte(); err != io.EOF {
		t.Errorf("reading after QUIT = %v, want io.EOF", err)
	}

	bad := dialRaw(t, s)
	io.WriteString(bad, "HELLO\r\n")
	if got := bad.line(); !strings.HasPrefix(got, "-ERR Protocol error") {
		t.Errorf("an inline request = %q, want a protocol error", got)
	}
	if _, err := bad.r.ReadByte(); err != io.EOF {
		t.Errorf("reading after a protocol error = %v, want io.EOF", err)
	}

	sub, pub := dialRaw(t, s), dialRaw(t, s)
	sub.send("SUBSCRIBE", "news")
	for range 6 {
		sub.line()
	}
	pub.send("PUBLISH", "news", "one")
	if got := pub.line(); got != ":1" {
		t.Fatalf("PUBLISH to one subscriber = %q", got)
	}
	sub.Close()
	pub.send("PUBLISH", "news", "two")
	if got := pub.line(); got != ":0" {
		t.Errorf("PUBLISH after the subscriber closed = %q, want :0", got)
	}
}

// TestDialWithGoRedis: go-redis over Dial, on RESP3 and RESP2, with a
// pipeline far larger than any buffer.
func TestDialWithGoRedis(t *testing.T) {
	ctx := context.Background()
	for _, protocol := range []int{2, 3} {
		s, _ := New()
		defer s.Close()
		rdb := redis.NewClient(&redis.Options{
			Protocol:        protocol,
			Dialer:          func(context.Context, string, string) (net.Conn, error) { return s.Dial() },
			DisableIdentity: true,
		})
		defer rdb.Close()
		cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := range 20000 {
				p.HSet(ctx, "h", fmt.Sprint("f", i), strings.Repeat("v", i%100))
			}
			p.HLen(ctx, "h")
			return nil
		})
		if err != nil || cmds[len(cmds)-1].(*redis.IntCmd).Val() != 20000 {
			t.Fatalf("RESP%d: a pipeline of 20,000 HSETs: %v, last reply %v", protocol, err, cmds[len(cmds)-1])
		}
		if got := rdb.HGet(ctx, "h", "f199").Val(); got != strings.Repeat("v", 99) {
			t.Errorf("RESP%d: HGET = %q", protocol, got)
		}
	}
}
