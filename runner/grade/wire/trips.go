package wire

import (
	"net"
	"sync"
)

// TripEnd is the command a framed client sends after each round trip's
// commands, before it reads their replies, and once when it connects, to
// say that it frames its trips: the gate then ends a trip there, and
// never by how long the rest of a big pipeline takes to arrive (which a
// loaded machine stretches). Redis has no command of this name; the gate
// answers it to nobody and forwards it nowhere.
const TripEnd = "__grader_trip_end"

// tripEndCommand is TripEnd as RESP.
var tripEndCommand = []byte("*1\r\n$17\r\n" + TripEnd + "\r\n")

// FramedConn wraps a client's connection to the gate: the first Read
// after any Write first writes TripEnd, since a client that reads is
// waiting for the replies of all it wrote. go-redis writes whole commands
// before it reads, so the marker falls between commands.
type FramedConn struct {
	net.Conn
	mu      sync.Mutex
	written bool
}

// Frame wraps c, and tells the gate it is framed.
func Frame(c net.Conn) (*FramedConn, error) {
	if _, err := c.Write(tripEndCommand); err != nil {
		return nil, err
	}
	return &FramedConn{Conn: c}, nil
}

func (f *FramedConn) Write(b []byte) (int, error) {
	f.mu.Lock()
	f.written = f.written || len(b) > 0
	f.mu.Unlock()
	return f.Conn.Write(b)
}

func (f *FramedConn) Read(b []byte) (int, error) {
	f.mu.Lock()
	end := f.written
	f.written = false
	f.mu.Unlock()
	if end {
		if _, err := f.Conn.Write(tripEndCommand); err != nil {
			return 0, err
		}
	}
	return f.Conn.Read(b)
}
