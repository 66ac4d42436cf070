package resp

import (
	"bufio"
	"errors"
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
