package redisproxy

import (
	"bufio"
	"fmt"
	"net"
	"sync"
	"time"
)

// handle relays one client connection through a Session. Commands are
// checked and forwarded in order as they arrive, so pipelines stay
// pipelined; a second goroutine hands back the replies in the same order,
// a refusal in the place of the reply of a command that was not forwarded.
func (p *Proxy) handle(client net.Conn) {
	defer p.handlers.Done()
	defer p.forget(client)
	up, err := p.srv.dial(5 * time.Second)
	if err != nil {
		fmt.Fprintf(client, "-notebook: %s\r\n", oneLine(err.Error()))
		return
	}
	p.mu.Lock()
	p.conns[up] = true
	p.mu.Unlock()
	defer p.forget(up)

	s := NewSession(p.policy, p.rec)
	replies := make(chan struct{})
	go func() {
		defer close(replies)
		w := bufio.NewWriterSize(client, 64<<10)
		for {
			ok, err := s.Reply(up.r, w)
			if !ok {
				w.Flush()
				return
			}
			if err != nil {
				client.Close()
				return
			}
			if !s.HasPending() && w.Flush() != nil {
				return
			}
		}
	}()
	r := bufio.NewReaderSize(client, 64<<10)
	for {
		args, err := readCommand(r)
		if err != nil {
			break
		}
		s.Submit(args, nil, up.w)
		if r.Buffered() == 0 && up.w.Flush() != nil {
			break
		}
	}
	s.Close()
	<-replies
}

// fifo is the queue of commands awaiting their replies. It never blocks
// the reader: a client that writes a whole pipeline before it reads a
// reply (go-redis does) must be able to finish writing, or it would wait
// for the proxy as the proxy waits for it.
type fifo struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []*step
	closed bool
}

func newFIFO() *fifo {
	f := &fifo{}
	f.cond = sync.NewCond(&f.mu)
	return f
}

func (f *fifo) push(p *step) {
	f.mu.Lock()
	f.items = append(f.items, p)
	f.mu.Unlock()
	f.cond.Signal()
}

func (f *fifo) close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	f.cond.Signal()
}

// pop waits for the next item; ok is false once closed and drained.
func (f *fifo) pop() (p *step, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.items) == 0 && !f.closed {
		f.cond.Wait()
	}
	if len(f.items) == 0 {
		return nil, false
	}
	p = f.items[0]
	f.items[0] = nil
	f.items = f.items[1:]
	if len(f.items) == 0 {
		f.items = nil // let a long pipeline's queue go
	}
	return p, true
}

func (f *fifo) empty() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.items) == 0
}
