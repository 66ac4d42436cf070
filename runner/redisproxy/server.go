package redisproxy

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis-notebook/tutorial/runner/redisurl"
	"github.com/redis-notebook/tutorial/runner/resp"
)

// A Server is where the proxy forwards commands: a Redis URL, as package
// redisurl reads it.
type Server struct{ redisurl.URL }

// parseServer reads the server's URL.
func parseServer(raw string) (*Server, error) {
	u, err := redisurl.Parse(raw)
	if err != nil {
		return nil, err
	}
	return &Server{URL: *u}, nil
}

// Where names the server and database for messages.
func (s *Server) Where() string { return fmt.Sprintf("%s database %d", s.Addr, s.DB) }

// conn is a plain connection to the server, in the run's database.
type conn struct {
	net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

// dial connects, authenticates and selects the run's database.
func (s *Server) dial(timeout time.Duration) (*conn, error) {
	d := net.Dialer{Timeout: timeout}
	var nc net.Conn
	var err error
	if s.TLS {
		nc, err = (&tls.Dialer{NetDialer: &d, Config: s.TLSConfig()}).Dial(s.Network, s.Addr)
	} else {
		nc, err = d.Dial(s.Network, s.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot reach Redis at %s: %v", s.Addr, err)
	}
	c := &conn{Conn: nc, r: bufio.NewReaderSize(nc, 64<<10), w: bufio.NewWriterSize(nc, 64<<10)}
	nc.SetDeadline(time.Now().Add(timeout + 3*time.Second))
	if s.Password != "" {
		args := []string{"AUTH", s.Password}
		if s.Username != "" {
			args = []string{"AUTH", s.Username, s.Password}
		}
		if _, err := c.do(args...); err != nil {
			nc.Close()
			return nil, fmt.Errorf("logging in to Redis at %s: %v", s.Addr, err)
		}
	}
	if _, err := c.do("PING"); err != nil {
		nc.Close()
		return nil, fmt.Errorf("cannot reach Redis at %s: %v", s.Addr, err)
	}
	if s.DB != 0 {
		if _, err := c.do("SELECT", strconv.Itoa(s.DB)); err != nil {
			nc.Close()
			return nil, fmt.Errorf("selecting %s: %v", s.Where(), err)
		}
	}
	nc.SetDeadline(time.Time{})
	return c, nil
}

// do sends one command and returns its reply; an error reply is an error.
func (c *conn) do(args ...string) (Value, error) {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	resp.WriteCommand(c.w, b)
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	v, err := readValue(c.r)
	if err != nil {
		return nil, err
	}
	if e, ok := v.(*ReplyError); ok {
		return nil, e
	}
	return v, nil
}

// scanKeys lists every key of the database with SCAN, which, unlike KEYS,
// never blocks the server for long.
func (c *conn) scanKeys() (map[string]bool, error) {
	keys := map[string]bool{}
	cursor := "0"
	for {
		v, err := c.do("SCAN", cursor, "COUNT", "1000")
		if err != nil {
			return nil, err
		}
		parts, ok := v.([]Value)
		if !ok || len(parts) != 2 {
			return nil, fmt.Errorf("unexpected SCAN reply %v", v)
		}
		cursor, _ = parts[0].(string)
		names, _ := parts[1].([]Value)
		for _, n := range names {
			if s, ok := n.(string); ok {
				keys[s] = true
			}
		}
		if cursor == "0" {
			return keys, nil
		}
	}
}

// unlink deletes keys in batches and returns how many existed. It falls
// back to DEL for a user whose ACL allows DEL but not UNLINK.
func (c *conn) unlink(keys []string) (int, error) {
	n := 0
	verb := "UNLINK"
	for start := 0; start < len(keys); start += 1000 {
		batch := append([]string{verb}, keys[start:min(start+1000, len(keys))]...)
		v, err := c.do(batch...)
		if e, ok := err.(*ReplyError); ok && verb == "UNLINK" && strings.HasPrefix(e.Msg, "NOPERM") {
			verb = "DEL"
			batch[0] = verb
			v, err = c.do(batch...)
		}
		if err != nil {
			return n, err
		}
		k, _ := v.(int64)
		n += int(k)
	}
	return n, nil
}

// existingOf returns those of keys that exist now.
func (c *conn) existingOf(keys []string) []string {
	var out []string
	for _, k := range keys {
		if v, err := c.do("EXISTS", k); err == nil && v == int64(1) {
			out = append(out, k)
		}
	}
	return out
}
