package checks

import (
	"context"
	"io"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/grade/redisgate"
	"github.com/redis-notebook/tutorial/runner/grade/wire"
)

// Local runs the learner's package in the checker's own process, for the
// in-page check (package browsercheck): in the learner's own browser tab
// there is nobody to cheat but the learner, and no process to start. The
// package is served exactly as in the shim's process (package shim's
// Serve, over pipes), and its Redis client reaches the same gate, over an
// in-memory connection: the checks see the same requests, answers and
// commands, and so give the same verdicts.
type Local struct {
	// Serve is package shim's Serve with the package's functions: it
	// answers requests on responses, its client dialing Redis with
	// opt's Dialer, until requests end.
	Serve func(requests io.Reader, responses io.Writer, opt redis.Options) error
	// Capture sends what the program prints (standard output and error)
	// to w, until restore is called: what the learner's code printed,
	// for the report, as the shim's process's output is.
	Capture func(w io.Writer) (restore func())
}

// startLocal serves the learner's package in this process, as startShim
// does in the sandbox.
func startLocal(cfg Config, client *redis.Client, rec *recorder) *shimProc {
	l := newPipeListener()
	s := &shimProc{out: &capped{max: 16 << 10}, rec: rec, exited: make(chan struct{})}
	s.gate = redisgate.Serve(l, func() redisgate.Session {
		return &learnerSession{conn: client.Conn(), rec: rec, real: cfg.RedisURL != ""}
	})
	reqR, reqW := io.Pipe()
	respR, respW := io.Pipe()
	restore := func() {}
	if cfg.Local.Capture != nil {
		restore = cfg.Local.Capture(s.out)
	}
	go func() {
		defer close(s.exited)
		defer respW.Close()
		s.waitErr = cfg.Local.Serve(reqR, respW, redis.Options{Network: "pipe", Addr: "checker", Dialer: l.dial})
	}()
	s.conn = wire.NewConn(respR, reqW)
	s.local = func() {
		// Ends the serving loop, unless a call of the learner's hangs,
		// which then goes on until the program ends.
		reqW.Close()
		select {
		case <-s.exited:
		case <-time.After(time.Second):
		}
		restore()
		s.gate.Close()
	}
	return s
}

// A pipeListener hands the gate in-memory connections, one per dial.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial is the learner's client's Dialer.
func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "checker" }
