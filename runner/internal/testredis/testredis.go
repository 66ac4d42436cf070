// Package testredis starts throw-away redis-server processes for tests
// that need a server set up as a hosted one is: a password, ACL users, one
// database, TLS with a certificate authority made in the test. Each server
// listens on a free loopback port, keeps nothing on disk, and is stopped
// when the test ends.
package testredis

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/internal/needs"
)

// Options say how to start a server.
type Options struct {
	Args []string // more redis-server arguments: "--requirepass", "pw", "--databases", "1"
	TLS  *Cert    // serve TLS only (no plain port), with this certificate
}

// A Server is a running redis-server.
type Server struct {
	Addr string // host:port, plain or TLS as started

	tls     *Cert
	cmd     *exec.Cmd
	exited  chan struct{}
	logFile string
}

// Start starts a redis-server as opt says and waits until it accepts
// connections. A test without redis-server skips, or fails in CI.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	bin := needs.RedisServer(t)
	// A free port can be taken between asking for it and the server binding
	// it; try a few.
	var lastErr error
	for range 3 {
		s, err := start(bin, t.TempDir(), opt)
		if err == nil {
			t.Cleanup(s.stop)
			return s
		}
		lastErr = err
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return nil
}

func start(bin, dir string, opt Options) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile := filepath.Join(dir, "redis.log")
	args := []string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--logfile", logFile}
	if opt.TLS != nil {
		args = append(args, "--port", "0", "--tls-port", strconv.Itoa(port),
			"--tls-cert-file", opt.TLS.CertFile, "--tls-key-file", opt.TLS.KeyFile,
			"--tls-ca-cert-file", opt.TLS.CAFile, "--tls-auth-clients", "no")
	} else {
		args = append(args, "--port", strconv.Itoa(port))
	}
	args = append(args, opt.Args...)
	s := &Server{
		Addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		tls:     opt.TLS,
		cmd:     exec.Command(bin, args...),
		exited:  make(chan struct{}),
		logFile: logFile,
	}
	dieWithTest(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("redis-server %s exited:\n%s", strings.Join(args, " "), s.log())
		default:
		}
		if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			c.Close()
			return s, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("redis-server did not listen on %s within 10s:\n%s", s.Addr, s.log())
}

func (s *Server) stop() {
	s.cmd.Process.Kill()
	<-s.exited
}

func (s *Server) log() string {
	b, _ := os.ReadFile(s.logFile)
	return string(b)
}

// URL is the server's redis:// URL (rediss:// when it serves TLS) with the
// given user information ("" for none, ":pw", "learner:pw") and path ("",
// "/0").
func (s *Server) URL(userinfo, path string) string {
	scheme := "redis"
	if s.tls != nil {
		scheme = "rediss"
	}
	if userinfo != "" {
		userinfo += "@"
	}
	return scheme + "://" + userinfo + s.Addr + path
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// dirOf is where a test's certificate files go.
func dirOf(t testing.TB) string { return filepath.Clean(t.TempDir()) }

// Client is a client of the server logged in with password as the default
// user, trusting the server's CA without SSL_CERT_FILE: for a test to set
// things up or look at the server.
func (s *Server) Client(t testing.TB, password string) *redis.Client {
	t.Helper()
	opt := &redis.Options{Addr: s.Addr, Password: password, DisableIdentity: true}
	if s.tls != nil {
		pem, err := os.ReadFile(s.tls.CAFile)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		opt.TLSConfig = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// CommandsProcessed is the server's count of commands it has run, to tell
// that a run really used it.
func (s *Server) CommandsProcessed(t testing.TB, password string) int {
	t.Helper()
	info, err := s.Client(t, password).Info(context.Background(), "stats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_commands_processed:"); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no total_commands_processed in INFO stats:\n%s", info)
	return 0
}
