package resp

import (
	"bufio"
	"errors"
	"slices"
	"strings"
	"testing"
)

var (
	strict  = Limits{MaxArgs: 3, MaxBulk: 5}
	lenient = Limits{MaxArgs: 3, MaxBulk: 5, Inline: true}
)

func read(input string, lim Limits) (string, int, error) {
	args, size, err := ReadCommand(bufio.NewReaderSize(strings.NewReader(input), 16), lim)
	var words []string
	for _, a := range args {
		words = append(words, string(a))
	}
	return strings.Join(words, "|"), size, err
}

func TestReadCommand(t *testing.T) {
	for _, c := range []struct {
		input string
		lim   Limits
		want  string
		size  int
		err   string
	}{
		{"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", strict, "GET|k", 20, ""},
		{"*0\r\n*1\r\n$4\r\nPING\r\n", strict, "PING", 18, ""},
		{"*1\r\n$0\r\n\r\n", strict, "", 10, ""},
		{"PING\r\n", strict, "", 0, "not inline"},
		{"\r\n  \r\nSET k  v\r\n", lenient, "SET|k|v", 16, ""},
		{"*4\r\n", strict, "", 0, "bad array header"},
		{"*1\r\n$6\r\nsixsix\r\n", strict, "", 0, "bad bulk length"},
		{"*1\r\n+OK\r\n", strict, "", 0, "expected a bulk string"},
		{"*1\r\n$" + strings.Repeat("9", 20) + "\r\n", strict, "", 0, "line too long"},
		{strings.Repeat("word ", 10) + "\r\n", lenient, strings.TrimSuffix(strings.Repeat("word|", 10), "|"), 52, ""},
	} {
		got, size, err := read(c.input, c.lim)
		if c.err != "" {
			if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want a protocol error saying %q", c.input, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want || size != c.size {
			t.Errorf("%q: %q, %d bytes, %v; want %q, %d bytes", c.input, got, size, err, c.want, c.size)
		}
	}
	if _, _, err := read("*1\r\n$3\r\nGE", strict); err == nil || errors.Is(err, ErrProtocol) {
		t.Errorf("a command cut short: error %v, want the reader's own (EOF)", err)
	}
}

func TestParseCommand(t *testing.T) {
	lim := Limits{MaxArgs: 3, MaxBulk: 5}
	whole := "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
	for i := range len(whole) {
		if args, n, err := ParseCommand([]byte(whole[:i]), lim); args != nil || n != 0 || err != nil {
			t.Errorf("%q: %q, %d, %v; want to wait for the rest", whole[:i], args, n, err)
		}
	}
	args, n, err := ParseCommand([]byte(whole+"*1\r\n"), lim)
	if err != nil || n != len(whole) || len(args) != 2 || string(args[0]) != "GET" || string(args[1]) != "k" {
		t.Errorf("%q: %q, %d, %v", whole, args, n, err)
	}
	for in, want := range map[string]string{
		"PING\r\n":               "not a command",
		"*4\r\n":                 "bad array header",
		"*1\r\n+OK\r\n":          "expected a bulk string",
		"*1\r\n$6\r\nsixsix\r\n": "bad bulk length",
		"*1\r\n$-1\r\n":          "bad bulk length",
		"*x\r\n$1\r\nk\r\n":      "bad array header",
	} {
		if _, _, err := ParseCommand([]byte(in), lim); !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want a protocol error saying %q", in, err, want)
		}
	}
}

// TestCommandEnd: fed a stream of commands in pieces of every size, Find
// reports each command's end exactly when its last byte has come, never
// before, whatever the pieces cut (a header, a length, the data, the
// final \r\n), and agrees with ParseCommand.
func TestCommandEnd(t *testing.T) {
	stream := "*3\r\n$4\r\nHSET\r\n$1\r\nh\r\n$10\r\n0123456789\r\n" +
		"*1\r\n$0\r\n\r\n" +
		"*2\r\n$3\r\nDEL\r\n$12\r\nline\r\nbreaks\r\n" +
		"*0\r\n"
	lim := Limits{MaxArgs: 8, MaxBulk: 64}
	var ends []int
	for b := []byte(stream); len(b) > 0; {
		_, n, err := ParseCommand(b, lim)
		if err != nil || n == 0 {
			t.Fatalf("ParseCommand(%q) = %d, %v", b, n, err)
		}
		ends = append(ends, n)
		b = b[n:]
	}
	for piece := 1; piece <= len(stream); piece++ {
		var (
			e     CommandEnd
			start int // of the command being found
			got   []int
		)
		for have := min(piece, len(stream)); ; have = min(have+piece, len(stream)) {
			for {
				n, err := e.Find([]byte(stream[start:have]), lim)
				if err != nil {
					t.Fatalf("pieces of %d: %v", piece, err)
				}
				if n == 0 {
					break
				}
				got = append(got, n)
				start += n
			}
			if have == len(stream) {
				break
			}
		}
		if !slices.Equal(got, ends) || start != len(stream) {
			t.Fatalf("pieces of %d: ends %v (%d of %d bytes), want %v", piece, got, start, len(stream), ends)
		}
	}

	var e CommandEnd
	for _, bad := range []string{"GET k\r\n", "*9\r\n", "*1\r\n+OK\r\n", "*1\r\n$65\r\n"} {
		e = CommandEnd{}
		if _, err := e.Find([]byte(bad), lim); !errors.Is(err, ErrProtocol) {
			t.Errorf("Find(%q) = %v, want a protocol error", bad, err)
		}
	}
}
