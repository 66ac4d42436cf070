package redisproxy

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/redis-notebook/tutorial/runner/resp"
)

// maxBulk bounds one bulk string, as the server's own proto-max-bulk-len
// does by default, so that a corrupt length cannot make the proxy allocate
// without limit.
const maxBulk = 512 << 20

// maxArgs bounds the number of arguments of one command.
const maxArgs = 1 << 24

// commandLimits bound what a chapter's program may send in one command;
// it may type inline commands too, as redis-cli and telnet send them.
var commandLimits = resp.Limits{MaxArgs: maxArgs, MaxBulk: maxBulk, Inline: true}

// readCommand reads one command a client sent.
func readCommand(r *bufio.Reader) ([][]byte, error) {
	args, _, err := resp.ReadCommand(r, commandLimits)
	return args, err
}

// writeCommand writes args as a RESP array of bulk strings.
func writeCommand(w *bufio.Writer, args [][]byte) error {
	w.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		w.WriteString("$" + strconv.Itoa(len(a)) + "\r\n")
		w.Write(a)
		w.WriteString("\r\n")
	}
	return nil
}

// copyReply copies exactly one reply (RESP2 or RESP3, attributes
// included) from r to w, without interpreting it.
func copyReply(w *bufio.Writer, r *bufio.Reader) error {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return err
	}
	if len(line) < 3 {
		return fmt.Errorf("%w: short reply line %q", resp.ErrProtocol, line)
	}
	w.Write(line)
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-', ':', ',', '_', '#', '(':
		return nil
	case '$', '=', '!': // bulk string, verbatim string, bulk error
		n, err := strconv.Atoi(string(body))
		if err != nil || n > maxBulk {
			return fmt.Errorf("%w: bad bulk length %q", resp.ErrProtocol, body)
		}
		if n < 0 {
			return nil // RESP2 null
		}
		_, err = io.CopyN(w, r, int64(n)+2)
		return err
	case '*', '~', '>', '%', '|': // array, set, push, map, attribute
		n, err := strconv.Atoi(string(body))
		if err != nil || n > maxArgs {
			return fmt.Errorf("%w: bad aggregate length %q", resp.ErrProtocol, body)
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for range max(n, 0) {
			if err := copyReply(w, r); err != nil {
				return err
			}
		}
		if line[0] == '|' { // an attribute precedes the reply it annotates
			return copyReply(w, r)
		}
		return nil
	}
	return fmt.Errorf("%w: unknown reply type %q", resp.ErrProtocol, line[0])
}

// A Value is a parsed reply: string, int64, []Value, nil, or a *ReplyError.
type Value = any

// A ReplyError is an error reply from the server.
type ReplyError struct{ Msg string }

func (e *ReplyError) Error() string { return e.Msg }

// readValue parses one reply, for the proxy's own commands.
func readValue(r *bufio.Reader) (Value, error) {
	line, err := resp.ReadLine(r)
	if err != nil {
		return nil, err
	}
	if len(line) == 0 {
		return nil, fmt.Errorf("%w: empty reply line", resp.ErrProtocol)
	}
	body := string(line[1:])
	switch line[0] {
	case '+', '(', ',':
		return body, nil
	case '-', '!':
		if line[0] == '!' {
			s, err := readBulk(r, body)
			if err != nil {
				return nil, err
			}
			body, _ = s.(string)
		}
		return &ReplyError{Msg: body}, nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '_':
		return nil, nil
	case '#':
		return body == "t", nil
	case '$', '=':
		return readBulk(r, body)
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil || n > maxArgs {
			return nil, fmt.Errorf("%w: bad aggregate length %q", resp.ErrProtocol, body)
		}
		if n < 0 {
			return nil, nil
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		vals := make([]Value, n)
		for i := range vals {
			if vals[i], err = readValue(r); err != nil {
				return nil, err
			}
		}
		if line[0] == '|' {
			return readValue(r)
		}
		return vals, nil
	}
	return nil, fmt.Errorf("%w: unknown reply type %q", resp.ErrProtocol, line[0])
}

func readBulk(r *bufio.Reader, header string) (Value, error) {
	n, err := strconv.Atoi(header)
	if err != nil || n > maxBulk {
		return nil, fmt.Errorf("%w: bad bulk length %q", resp.ErrProtocol, header)
	}
	if n < 0 {
		return nil, nil
	}
	b := make([]byte, n+2)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return string(b[:n]), nil
}
