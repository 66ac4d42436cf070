package kernel

import (
	"io"
	"net"
	"sync"
)

// bufferedConn is the client end of an in-memory connection to miniredis.
// miniredis's Dial uses net.Pipe, which is unbuffered: a pipeline of many
// commands deadlocks there, because the server blocks writing a reply that
// the client will read only after it has written every command. A goroutine
// drains the pipe into an unbounded buffer, so the server never blocks.
type bufferedConn struct {
	net.Conn

	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte
	err  error // from the underlying Read, returned once buf is drained
}

func newBufferedConn(c net.Conn) *bufferedConn {
	b := &bufferedConn{Conn: c}
	b.cond = sync.NewCond(&b.mu)
	go b.drain()
	return b
}

func (b *bufferedConn) drain() {
	chunk := make([]byte, 32<<10)
	for {
		n, err := b.Conn.Read(chunk)
		b.mu.Lock()
		b.buf = append(b.buf, chunk[:n]...)
		if err != nil {
			b.err = err
		}
		b.cond.Broadcast()
		b.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// Read returns buffered bytes, waiting for some if there are none.
func (b *bufferedConn) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.buf) == 0 && b.err == nil {
		b.cond.Wait()
	}
	if len(b.buf) == 0 {
		return 0, b.err
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	if len(b.buf) == 0 {
		b.buf = nil // let a large reply's memory go
	}
	return n, nil
}

// Close closes the pipe, which ends drain with io.EOF or io.ErrClosedPipe.
func (b *bufferedConn) Close() error {
	err := b.Conn.Close()
	b.mu.Lock()
	if b.err == nil {
		b.err = io.ErrClosedPipe
	}
	b.cond.Broadcast()
	b.mu.Unlock()
	return err
}
