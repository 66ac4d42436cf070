//go:build unix

package redisconn

import (
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"
)

// spinFor is how long a read polls the socket before it parks: far longer
// than a reply from a server on this machine takes to come back, far
// shorter than one across a network.
const spinFor = 200 * time.Microsecond

// skipAfterMiss is how many reads park at once after a reply that did not
// come back within spinFor: a distant server costs no spinning, and is
// tried again now and then.
const skipAfterMiss = 64

// SpinReads returns nc with reads that poll the socket for up to spinFor
// before they wait for the kernel to wake them. A program that sends one
// command per round trip to a server on this machine (a chapter's loops)
// spends most of its time waiting for replies that come back in tens of
// microseconds; on a virtual machine, parking a thread and being woken
// again costs about as much as the round trip itself. Measured on the
// project's 2-core machine: 57-65 µs per RPUSH parked, 23-28 µs polled.
// The cost is a core kept busy while a reply is on its way, so it is used
// only where there is a second core for the server, and on plain
// connections (TCP, Unix sockets): a TLS connection is left as it is.
// NOTEBOOK_SPIN=0 turns it off (to compare, or on a machine shared with
// others).
func SpinReads(nc net.Conn) net.Conn {
	if runtime.NumCPU() < 2 || runtime.GOMAXPROCS(0) < 2 || os.Getenv("NOTEBOOK_SPIN") == "0" {
		return nc
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nc
	}
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return nc // a TLS connection reads records, not the socket's bytes
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nc
	}
	return &spinConn{Conn: nc, raw: raw}
}

type spinConn struct {
	net.Conn
	raw  syscall.RawConn
	skip int // reads left to park without polling, after a miss
}

func (c *spinConn) Read(p []byte) (int, error) {
	if len(p) == 0 || c.skip > 0 {
		if c.skip > 0 {
			c.skip--
		}
		return c.Conn.Read(p)
	}
	var (
		n       int
		readErr error
		parked  bool
	)
	deadline := time.Now().Add(spinFor)
	err := c.raw.Read(func(fd uintptr) bool {
		for {
			n, readErr = syscall.Read(int(fd), p)
			switch {
			case readErr == syscall.EINTR:
				continue
			case readErr != syscall.EAGAIN:
				return true
			case parked:
				return false // woken without data: wait again
			case time.Now().After(deadline):
				parked, c.skip = true, skipAfterMiss
				return false // let the runtime wait for the socket
			}
		}
	})
	switch {
	case err != nil:
		return 0, err // the read deadline, or a closed connection
	case readErr != nil:
		return 0, os.NewSyscallError("read", readErr)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}
