package resp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// ServerLimits are a Redis server's own bounds, which its replies keep: a
// bulk string of at most proto-max-bulk-len's default, 512 MB, and
// aggregates of at most 2^24 elements. They stop a corrupt length from
// making a reader allocate without limit.
var ServerLimits = Limits{MaxArgs: 1 << 24, MaxBulk: 512 << 20}

// A Reply is one parsed reply, RESP2 or RESP3.
type Reply struct {
	// Kind is the RESP type byte: + - : $ * _ , # ( = ! % ~ >
	Kind byte
	// Text is a simple string's, an error's or a number's text, or a bulk,
	// verbatim (with its "txt:") or bulk error string's bytes.
	Text string
	// Null is a null: _, or a bulk string or an array of length -1.
	Null bool
	// Elems are an array's, a set's or a push's elements; a map's keys
	// and values alternate.
	Elems []Reply
}

// ReadReply reads and parses one reply. An attribute (|) that precedes a
// reply is read and dropped.
func ReadReply(r *bufio.Reader, lim Limits) (Reply, error) {
	line, err := ReadLine(r)
	if err != nil {
		return Reply{}, err
	}
	if len(line) == 0 {
		return Reply{}, fmt.Errorf("%w: empty reply line", ErrProtocol)
	}
	rep := Reply{Kind: line[0], Text: string(line[1:])}
	switch rep.Kind {
	case '+', '-', ':', ',', '#', '(':
		return rep, nil
	case '_':
		rep.Null = true
		return rep, nil
	case '$', '=', '!':
		n, err := length(rep.Text, lim.MaxBulk)
		if err != nil {
			return Reply{}, err
		}
		if n < 0 {
			rep.Null, rep.Text = true, ""
			return rep, nil
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(r, b); err != nil {
			return Reply{}, err
		}
		rep.Text = string(b[:n])
		return rep, nil
	case '*', '~', '>', '%', '|':
		n, err := length(rep.Text, lim.MaxArgs)
		if err != nil {
			return Reply{}, err
		}
		rep.Text = ""
		if n < 0 {
			rep.Null = true
			return rep, nil
		}
		if rep.Kind == '%' || rep.Kind == '|' {
			n *= 2
		}
		rep.Elems = make([]Reply, n)
		for i := range rep.Elems {
			if rep.Elems[i], err = ReadReply(r, lim); err != nil {
				return Reply{}, err
			}
		}
		if rep.Kind == '|' {
			return ReadReply(r, lim)
		}
		return rep, nil
	}
	return Reply{}, fmt.Errorf("%w: unknown reply type %q", ErrProtocol, rep.Kind)
}

// length reads the length a bulk or aggregate header announces: -1 for a
// null, else at most max.
func length(text string, max int) (int, error) {
	n, err := strconv.Atoi(text)
	if err != nil || n < -1 || n > max {
		return 0, fmt.Errorf("%w: bad length %q", ErrProtocol, text)
	}
	return n, nil
}

// AppendReply appends rep as RESP: what ReadReply read comes back as it
// was sent, but for an attribute, which ReadReply drops.
func AppendReply(b []byte, rep Reply) []byte {
	b = append(b, rep.Kind)
	switch rep.Kind {
	case '$', '=', '!':
		if rep.Null {
			return append(b, "-1\r\n"...)
		}
		b = strconv.AppendInt(b, int64(len(rep.Text)), 10)
		b = append(b, "\r\n"...)
		b = append(b, rep.Text...)
		return append(b, "\r\n"...)
	case '*', '~', '>', '%':
		if rep.Null {
			return append(b, "-1\r\n"...)
		}
		n := len(rep.Elems)
		if rep.Kind == '%' {
			n /= 2
		}
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, "\r\n"...)
		for _, e := range rep.Elems {
			b = AppendReply(b, e)
		}
		return b
	}
	b = append(b, rep.Text...)
	return append(b, "\r\n"...)
}

// ReadRaw appends one whole reply, as sent (RESP2 or RESP3, attributes
// included), to dst, without interpreting it.
func ReadRaw(r *bufio.Reader, dst []byte, lim Limits) ([]byte, error) {
	head, n, err := ReadHead(r, lim)
	if err != nil {
		return nil, err
	}
	return ReadRest(r, append(dst, head...), head[0], n, lim)
}

// ReadHead reads a reply's first line, with its \r\n, and the length it
// announces (for bulk and aggregate replies; -1 for a null; 0 for others).
func ReadHead(r *bufio.Reader, lim Limits) ([]byte, int, error) {
	line, err := r.ReadSlice('\n')
	line = slices.Clone(line) // the reader's buffer, which the next read reuses
	if errors.Is(err, bufio.ErrBufferFull) {
		var rest []byte
		rest, err = r.ReadBytes('\n')
		line = append(line, rest...)
	}
	if err != nil {
		return nil, 0, err
	}
	if len(line) < 3 {
		return nil, 0, fmt.Errorf("%w: short reply line %q", ErrProtocol, line)
	}
	switch line[0] {
	case '$', '=', '!':
		n, err := length(string(line[1:len(line)-2]), lim.MaxBulk)
		return line, n, err
	case '*', '~', '>', '%', '|':
		n, err := length(string(line[1:len(line)-2]), lim.MaxArgs)
		return line, n, err
	case '+', '-', ':', ',', '_', '#', '(':
		return line, 0, nil
	}
	return nil, 0, fmt.Errorf("%w: unknown reply type %q", ErrProtocol, line[0])
}

// ReadRest appends to out the rest of a reply of type kind whose head
// (ReadHead) announced n.
func ReadRest(r *bufio.Reader, out []byte, kind byte, n int, lim Limits) ([]byte, error) {
	switch kind {
	case '$', '=', '!':
		if n < 0 {
			return out, nil
		}
		start := len(out)
		out = slices.Grow(out, n+2)[:start+n+2]
		_, err := io.ReadFull(r, out[start:])
		return out, err
	case '*', '~', '>', '%', '|':
		if kind == '%' || kind == '|' {
			n *= 2
		}
		var err error
		for range max(n, 0) {
			if out, err = ReadRaw(r, out, lim); err != nil {
				return nil, err
			}
		}
		if kind == '|' { // an attribute precedes the reply it annotates
			return ReadRaw(r, out, lim)
		}
	}
	return out, nil
}

// IsError says whether a raw reply is an error (simple or bulk).
func IsError(raw []byte) bool { return len(raw) > 0 && (raw[0] == '-' || raw[0] == '!') }
