// Package resp is the Redis protocol (RESP2 and RESP3), both directions:
// reading the commands a client sends (RESP arrays of bulk strings, and
// where allowed inline commands) and writing them; reading a server's
// replies, parsed (Reply) or as sent (ReadRaw), and writing replies.
//
// Its users stand between a client and a server, or speak to one: the
// guard and the runner's proxy (redisproxy), the grader's gate
// (grade/redisgate) and the Redis it answers with (grade/checks), the
// console (kernel/console), and the embedded server's paging of scans
// (embedded). Every error about malformed input wraps ErrProtocol, and
// Limits bound what a corrupt length can make a reader allocate.
package resp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// ErrProtocol is wrapped by every error about malformed input.
var ErrProtocol = errors.New("protocol error")

// Limits bound what one command may hold, and say what forms it may take.
type Limits struct {
	MaxArgs int  // arguments in one command
	MaxBulk int  // bytes in one argument
	Inline  bool // accept inline commands (words on a line, as telnet sends)
}

// ReadCommand reads one command, returning its arguments and how many
// bytes it took on the wire. An empty command (a blank inline line, or an
// array of none) is skipped, as a server skips it.
func ReadCommand(r *bufio.Reader, lim Limits) (args [][]byte, size int, err error) {
	for {
		line, err := readLine(r, lim.Inline)
		if err != nil {
			return nil, 0, err
		}
		size += len(line) + 2
		switch {
		case len(line) > 0 && line[0] == '*':
			if string(line) == "*0" {
				continue
			}
			args, n, err := readArray(r, line, lim)
			return args, size + n, err
		case !lim.Inline:
			return nil, 0, fmt.Errorf("%w: commands must be RESP arrays, not inline", ErrProtocol)
		default:
			if words := bytes.Fields(line); len(words) > 0 {
				return words, size, nil
			}
		}
	}
}

// ParseCommand reads one command, a RESP array of bulk strings, from the
// front of b, as a client library writes it: n is 0 when b holds only part
// of it. The arguments point into b.
func ParseCommand(b []byte, lim Limits) (args [][]byte, n int, err error) {
	line, rest, ok := cutLine(b)
	if !ok {
		return nil, 0, nil
	}
	count, err := arrayHeader(line, lim)
	if err != nil {
		return nil, 0, err
	}
	args = make([][]byte, 0, count)
	for range count {
		if line, rest, ok = cutLine(rest); !ok {
			return nil, 0, nil
		}
		m, err := bulkHeader(line, lim)
		if err != nil {
			return nil, 0, err
		}
		if len(rest) < m+2 {
			return nil, 0, nil
		}
		args = append(args, rest[:m:m])
		rest = rest[m+2:]
	}
	return args, len(b) - len(rest), nil
}

// A CommandEnd finds where a command that arrives in pieces ends, going on
// from where the last piece stopped. Parsing it again from its start for
// every piece would take time quadratic in its size: one HSET of a
// chapter's hundred thousand fields comes in a hundred and sixty pieces.
// The zero value is ready for a command's first byte.
type CommandEnd struct {
	started bool
	pos     int // bytes of the command known to be whole: its header and arguments
	left    int // arguments after pos
}

// Find returns the length of the command at the front of b once b holds
// all of it, and 0 while it does not. Between calls b may only grow, by
// what came after it; after a length is returned, the next call starts a
// new command.
func (e *CommandEnd) Find(b []byte, lim Limits) (int, error) {
	if !e.started {
		line, rest, ok := cutLine(b)
		if !ok {
			return 0, nil
		}
		count, err := arrayHeader(line, lim)
		if err != nil {
			return 0, err
		}
		e.started, e.pos, e.left = true, len(b)-len(rest), count
	}
	for e.left > 0 {
		line, rest, ok := cutLine(b[e.pos:])
		if !ok {
			return 0, nil
		}
		m, err := bulkHeader(line, lim)
		if err != nil {
			return 0, err
		}
		if len(rest) < m+2 {
			return 0, nil
		}
		e.pos = len(b) - len(rest) + m + 2
		e.left--
	}
	n := e.pos
	*e = CommandEnd{}
	return n, nil
}

func arrayHeader(line []byte, lim Limits) (int, error) {
	if len(line) < 2 || line[0] != '*' {
		return 0, fmt.Errorf("%w: not a command: %q", ErrProtocol, line)
	}
	count, err := strconv.Atoi(string(line[1:]))
	if err != nil || count < 0 || count > lim.MaxArgs {
		return 0, fmt.Errorf("%w: bad array header %q", ErrProtocol, line)
	}
	return count, nil
}

func bulkHeader(line []byte, lim Limits) (int, error) {
	if len(line) < 2 || line[0] != '$' {
		return 0, fmt.Errorf("%w: expected a bulk string, got %q", ErrProtocol, line)
	}
	m, err := strconv.Atoi(string(line[1:]))
	if err != nil || m < 0 || m > lim.MaxBulk {
		return 0, fmt.Errorf("%w: bad bulk length %q", ErrProtocol, line)
	}
	return m, nil
}

func cutLine(b []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil, b, false
	}
	return bytes.TrimSuffix(b[:i], []byte("\r")), b[i+1:], true
}

// ReadLine reads one line without its \r\n, however long: a reply's
// header or status line, from a server.
func ReadLine(r *bufio.Reader) ([]byte, error) { return readLine(r, true) }

// readLine reads one line without its \r\n. A line longer than the
// reader's buffer is an error unless long lines are allowed.
func readLine(r *bufio.Reader, long bool) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		if !long {
			return nil, fmt.Errorf("%w: line too long", ErrProtocol)
		}
		// The slice is the reader's buffer, which the next read reuses.
		head := bytes.Clone(line)
		rest, err2 := r.ReadBytes('\n')
		line, err = append(head, rest...), err2
	}
	if err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r")), nil
}

// readArray reads the n bulk strings of an array whose header was read.
func readArray(r *bufio.Reader, header []byte, lim Limits) ([][]byte, int, error) {
	n, err := strconv.Atoi(string(header[1:]))
	if err != nil || n < 1 || n > lim.MaxArgs {
		return nil, 0, fmt.Errorf("%w: bad array header %q", ErrProtocol, header)
	}
	args := make([][]byte, 0, min(n, 64))
	size := 0
	for range n {
		h, err := readLine(r, false)
		if err != nil {
			return nil, 0, err
		}
		if len(h) == 0 || h[0] != '$' {
			return nil, 0, fmt.Errorf("%w: expected a bulk string, got %q", ErrProtocol, h)
		}
		m, err := strconv.Atoi(string(h[1:]))
		if err != nil || m < 0 || m > lim.MaxBulk {
			return nil, 0, fmt.Errorf("%w: bad bulk length %q", ErrProtocol, h)
		}
		b := make([]byte, m+2)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, 0, err
		}
		args = append(args, b[:m])
		size += len(h) + 2 + m + 2
	}
	return args, size, nil
}
