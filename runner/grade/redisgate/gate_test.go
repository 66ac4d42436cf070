package redisgate

import (
	"bufio"
	"fmt"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/grade/wire"
	"github.com/redis-notebook/tutorial/runner/resp"
)

// trips records the round trips a gate saw, and answers each command
// with its name.
type trips struct {
	mu  sync.Mutex
	got [][]Command
}

func (r *trips) Trip(cmds []Command) [][]byte {
	r.mu.Lock()
	r.got = append(r.got, cmds)
	r.mu.Unlock()
	out := make([][]byte, len(cmds))
	for i, c := range cmds {
		out[i] = resp.Bulk(c[0])
	}
	return out
}

func (r *trips) Close() {}

func (r *trips) sizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n []int
	for _, t := range r.got {
		n = append(n, len(t))
	}
	return n
}

func serve(t *testing.T) (*trips, net.Conn) {
	t.Helper()
	l, err := net.Listen("unix", filepath.Join(t.TempDir(), "redis.sock"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &trips{}
	g := Serve(l, func() Session { return rec })
	t.Cleanup(g.Close)
	c, err := net.Dial("unix", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return rec, c
}

// encodeCommand writes args as a client sends a command.
func encodeCommand(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

// readReplies reads n bulk replies.
func readReplies(t *testing.T, r *bufio.Reader, n int) []string {
	t.Helper()
	var out []string
	for range n {
		head, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if head[0] != '$' {
			out = append(out, strings.TrimSpace(head))
			continue
		}
		body, _ := r.ReadString('\n')
		out = append(out, strings.TrimSpace(body))
	}
	return out
}

// TestTrips: commands sent before any reply could be read are one round
// trip; a command sent after reading the reply is another; a pipeline
// longer than a client's write buffer, written in parts, is still one.
func TestTrips(t *testing.T) {
	rec, c := serve(t)
	r := bufio.NewReader(c)
	c.Write([]byte(encodeCommand("PING")))
	readReplies(t, r, 1)
	c.Write([]byte(encodeCommand("SET", "a", "1") + encodeCommand("GET", "a") + encodeCommand("DEL", "a")))
	if got := readReplies(t, r, 3); strings.Join(got, " ") != "SET GET DEL" {
		t.Errorf("replies %q", got)
	}
	var big strings.Builder
	for i := range 2000 {
		big.WriteString(encodeCommand("HSET", "h", fmt.Sprintf("field%04d", i), strings.Repeat("v", 20)))
	}
	half := big.Len() / 2
	for half < big.Len() && big.String()[half] != '*' {
		half++
	}
	c.Write([]byte(big.String()[:half]))
	time.Sleep(2 * time.Millisecond) // go-redis writes its buffer out in parts too
	c.Write([]byte(big.String()[half:]))
	readReplies(t, r, 2000)
	if got := rec.sizes(); fmt.Sprint(got) != "[1 3 2000]" {
		t.Errorf("trips of %v commands, want [1 3 2000]", got)
	}
}

// TestInline: the gate takes RESP arrays only; anything else is an error,
// and the connection is closed.
func TestInline(t *testing.T) {
	_, c := serve(t)
	c.Write([]byte("PING\r\n"))
	line, _ := bufio.NewReader(c).ReadString('\n')
	if !strings.HasPrefix(line, "-ERR protocol error") {
		t.Errorf("reply %q, want a protocol error", line)
	}
}

// TestFramedTrips: a framed client's trips end where the client reads,
// however slowly a big pipeline arrives. Its pieces come here 50 ms
// apart, longer than the gate waits for an unframed client (tripWait),
// as on a loaded machine; and the machine is loaded meanwhile (a busy
// goroutine per CPU). Unframed, the same pieces make a trip each.
func TestFramedTrips(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	for range runtime.NumCPU() {
		go func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
	}
	var big strings.Builder
	for i := range 3000 {
		big.WriteString(encodeCommand("HSET", "h", fmt.Sprintf("field%04d", i), strings.Repeat("v", 20)))
	}
	// Split at command boundaries, into three pieces.
	var pieces []string
	rest := big.String()
	for range 2 {
		cut := len(rest) / 2
		for rest[cut] != '*' {
			cut++
		}
		pieces = append(pieces, rest[:cut])
		rest = rest[cut:]
	}
	pieces = append(pieces, rest)
	send := func(c net.Conn) {
		for _, p := range pieces {
			c.Write([]byte(p))
			time.Sleep(50 * time.Millisecond)
		}
	}

	rec, raw := serve(t)
	c, err := wire.Frame(raw)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	for range 3 {
		c.Write([]byte(encodeCommand("PING")))
		readReplies(t, r, 1)
		send(c)
		readReplies(t, r, 3000)
	}
	if got := rec.sizes(); fmt.Sprint(got) != "[1 3000 1 3000 1 3000]" {
		t.Errorf("framed: trips of %v commands, want [1 3000 1 3000 1 3000]", got)
	}

	rec, raw = serve(t)
	send(raw)
	readReplies(t, bufio.NewReader(raw), 3000)
	if got := rec.sizes(); len(got) < 2 {
		t.Errorf("unframed, pieces 50 ms apart: trips of %v commands, want the pipeline split (else this test proves nothing)", got)
	}
}
