// Package console is the Redis console of a chapter page: it splits a
// typed line into arguments as redis-cli does, sends them over one RESP
// connection, and shows the reply as redis-cli shows it in a terminal
// ((integer) 7, quoted strings, numbered arrays, (nil), (error) ...).
//
// It speaks RESP itself rather than through go-redis, because go-redis
// hides what redis-cli shows: whether a string came as a status (OK) or as
// bulk data ("OK").
package console

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis-notebook/tutorial/runner/resp"
)

// Split splits a line into arguments the way redis-cli does (its
// sdssplitargs): spaces separate; "double quotes" understand \n, \r, \t,
// \b, \a, \\, \" and \xHH; 'single quotes' understand only \'; a closing
// quote must end the argument.
func Split(line string) ([]string, error) {
	var args []string
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return args, nil
		}
		var cur []byte
		inDouble, inSingle := false, false
		for done := false; !done; {
			if i == len(line) {
				if inDouble || inSingle {
					return nil, errors.New("unbalanced quotes in the command")
				}
				break
			}
			c := line[i]
			switch {
			case inDouble:
				switch {
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					b, _ := strconv.ParseUint(line[i+2:i+4], 16, 8)
					cur = append(cur, byte(b))
					i += 3
				case c == '\\' && i+1 < len(line):
					i++
					cur = append(cur, unescape(line[i]))
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, errors.New("a closing quote must be followed by a space")
					}
					done = true
				default:
					cur = append(cur, c)
				}
			case inSingle:
				switch {
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					cur = append(cur, '\'')
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, errors.New("a closing quote must be followed by a space")
					}
					done = true
				default:
					cur = append(cur, c)
				}
			default:
				switch {
				case isSpace(c):
					done = true
				case c == '"':
					inDouble = true
				case c == '\'':
					inSingle = true
				default:
					cur = append(cur, c)
				}
			}
			if i < len(line) {
				i++
			}
		}
		args = append(args, string(cur))
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

// A Conn is one console connection to Redis.
type Conn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

// New wraps a connection to a Redis server (miniredis's Dial, in the page).
func New(c net.Conn) *Conn { return &Conn{c: c, r: bufio.NewReader(c), w: bufio.NewWriter(c)} }

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// replyTimeout bounds a reply's wait: a blocking command (BLPOP key 0)
// must not hang the page's console for ever.
const replyTimeout = 5 * time.Second

// Do sends one command and returns its reply as redis-cli prints it,
// without the final newline. An error is a broken connection (or no
// reply in time), not a Redis error reply, which comes back as "(error) ...".
func (c *Conn) Do(args []string) (string, error) {
	raw := make([][]byte, len(args))
	for i, a := range args {
		raw[i] = []byte(a)
	}
	c.c.SetDeadline(time.Now().Add(replyTimeout))
	defer c.c.SetDeadline(time.Time{})
	resp.WriteCommand(c.w, raw)
	if err := c.w.Flush(); err != nil {
		return "", err
	}
	r, err := resp.ReadReply(c.r, resp.ServerLimits)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(format(r, ""), "\n"), nil
}

// format renders a reply as redis-cli does on a terminal
// (cliFormatReplyTTY); prefix indents the lines of a nested array.
func format(r resp.Reply, prefix string) string {
	if r.Null {
		return "(nil)\n"
	}
	switch r.Kind {
	case '+':
		return r.Text + "\n"
	case '-', '!':
		return "(error) " + r.Text + "\n"
	case ':':
		return "(integer) " + r.Text + "\n"
	case ',':
		return "(double) " + r.Text + "\n"
	case '(':
		return "(big number) " + r.Text + "\n"
	case '#':
		if r.Text == "t" {
			return "(true)\n"
		}
		return "(false)\n"
	case '$':
		return Quote(r.Text) + "\n"
	case '=':
		text := r.Text
		if len(text) >= 4 {
			text = text[4:] // "txt:" of a verbatim string
		}
		return Quote(text) + "\n"
	}
	if len(r.Elems) == 0 {
		switch r.Kind {
		case '%':
			return "(empty hash)\n"
		case '~':
			return "(empty set)\n"
		}
		return "(empty array)\n"
	}
	count, sep, step := len(r.Elems), ")", 1
	switch r.Kind {
	case '%':
		count, sep, step = count/2, "#", 2
	case '~':
		sep = "~"
	}
	width := len(strconv.Itoa(count))
	inner := prefix + strings.Repeat(" ", width+2)
	var b strings.Builder
	for i := 0; i < len(r.Elems); i += step {
		if i > 0 {
			b.WriteString(prefix)
		}
		fmt.Fprintf(&b, "%*d%s ", width, i/step+1, sep)
		if step == 2 {
			b.WriteString(strings.TrimSuffix(format(r.Elems[i], inner), "\n") + " => ")
			b.WriteString(format(r.Elems[i+1], inner))
		} else {
			b.WriteString(format(r.Elems[i], inner))
		}
	}
	return b.String()
}

// Quote quotes a string as redis-cli does (sdscatrepr): printable ASCII
// as is, \\ and \" escaped, \n \r \t \a \b by name, other bytes as \xHH.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
