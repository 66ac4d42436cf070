//go:build unix

package redisconn

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

// TestSpinReads: a polled connection reads what the other side sends,
// whether it comes at once or long after the polling gave up, reports the
// end of the stream and the read deadline as a plain connection does, and
// is used only where it helps.
func TestSpinReads(t *testing.T) {
	if runtime.NumCPU() < 2 || runtime.GOMAXPROCS(0) < 2 {
		t.Skip("polling is off with fewer than 2 CPUs")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			served <- c
		}
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server := <-served
	defer server.Close()

	c := SpinReads(client)
	sc, ok := c.(*spinConn)
	if !ok {
		t.Fatalf("SpinReads left a TCP connection as %T", c)
	}
	read := func(want string) {
		t.Helper()
		buf := make([]byte, 64)
		n, err := c.Read(buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("read %q, %v; want %q", buf[:n], err, want)
		}
	}
	server.Write([]byte("+PONG\r\n"))
	read("+PONG\r\n")
	if sc.skip != 0 {
		t.Errorf("a reply already there counted as a miss (skip %d)", sc.skip)
	}

	go func() { time.Sleep(20 * time.Millisecond); server.Write([]byte(":1\r\n")) }()
	read(":1\r\n") // long after spinFor: the read parked and was woken
	if sc.skip != skipAfterMiss {
		t.Errorf("after a late reply, skip = %d, want %d", sc.skip, skipAfterMiss)
	}
	server.Write([]byte(":2\r\n"))
	read(":2\r\n") // a parked read, while skipping
	if sc.skip != skipAfterMiss-1 {
		t.Errorf("skip = %d after one parked read, want %d", sc.skip, skipAfterMiss-1)
	}

	sc.skip = 0
	c.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	_, err = c.Read(make([]byte, 8))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("a read past its deadline returned %v, want a timeout", err)
	}
	c.SetReadDeadline(time.Time{})

	sc.skip = 0
	server.Close()
	if _, err := c.Read(make([]byte, 8)); err != io.EOF {
		t.Errorf("a read after the other side closed returned %v, want io.EOF", err)
	}

	t.Setenv("NOTEBOOK_SPIN", "0")
	if got := SpinReads(client); got != client {
		t.Errorf("NOTEBOOK_SPIN=0: SpinReads returned %T, want the connection as it was", got)
	}
	t.Setenv("NOTEBOOK_SPIN", "")
	tc := tls.Client(client, &tls.Config{ServerName: "redis.example"})
	if got := SpinReads(tc); got != net.Conn(tc) {
		t.Errorf("SpinReads wrapped a TLS connection (%T): it would read the records' bytes from under TLS", got)
	}
}
