package resp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// replies are one reply of each RESP2 and RESP3 type, as a server sends
// them.
var replies = []string{
	"+OK\r\n",
	"-ERR wrong\r\n",
	":-42\r\n",
	"$5\r\nhello\r\n",
	"$0\r\n\r\n",
	"$-1\r\n",
	"*-1\r\n",
	"*0\r\n",
	"*3\r\n$1\r\na\r\n:1\r\n*1\r\n$-1\r\n",
	"_\r\n",
	",3.14\r\n",
	"#t\r\n",
	"(3492890328409238509324850943850943825024385\r\n",
	"=15\r\ntxt:Some string\r\n",
	"!21\r\nSYNTAX invalid syntax\r\n",
	"%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n:2\r\n",
	"~2\r\n+a\r\n+b\r\n",
	">2\r\n+message\r\n$2\r\nhi\r\n",
	"$6\r\na\r\nb\x00c\r\n", // a bulk string holds any bytes
}

func reader(s string) *bufio.Reader { return bufio.NewReaderSize(strings.NewReader(s), 16) }

// TestReplyRoundTrip: every reply reads whole, and writes back as it came.
func TestReplyRoundTrip(t *testing.T) {
	for _, in := range replies {
		r := reader(in + "+next\r\n")
		rep, err := ReadReply(r, ServerLimits)
		if err != nil {
			t.Errorf("ReadReply(%q): %v", in, err)
			continue
		}
		if got := string(AppendReply(nil, rep)); got != in {
			t.Errorf("ReadReply(%q) writes back as %q", in, got)
		}
		if next, _ := ReadLine(r); string(next) != "+next" {
			t.Errorf("ReadReply(%q) left %q, want the next reply", in, next)
		}
		raw, err := ReadRaw(reader(in+"+next\r\n"), []byte("before"), ServerLimits)
		if err != nil || string(raw) != "before"+in {
			t.Errorf("ReadRaw(%q) = %q, %v", in, raw, err)
		}
	}
}

func TestReadReply(t *testing.T) {
	rep, err := ReadReply(reader("%1\r\n+k\r\n*2\r\n:1\r\n$-1\r\n"), ServerLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := Reply{Kind: '%', Elems: []Reply{{Kind: '+', Text: "k"}, {Kind: '*', Elems: []Reply{{Kind: ':', Text: "1"}, {Kind: '$', Null: true}}}}}
	if string(AppendReply(nil, rep)) != string(AppendReply(nil, want)) || rep.Elems[1].Elems[1].Null != true {
		t.Errorf("got %+v, want %+v", rep, want)
	}
	// An attribute is read and dropped; ReadRaw keeps it.
	attr := "|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n"
	if rep, err := ReadReply(reader(attr), ServerLimits); err != nil || rep.Kind != '$' || rep.Text != "v" {
		t.Errorf("after an attribute: %+v, %v", rep, err)
	}
	if raw, err := ReadRaw(reader(attr), nil, ServerLimits); err != nil || string(raw) != attr {
		t.Errorf("ReadRaw of an attribute and its reply: %q, %v", raw, err)
	}
}

func TestReplyErrors(t *testing.T) {
	small := Limits{MaxArgs: 2, MaxBulk: 4}
	for _, c := range []struct{ in, err string }{
		{"\r\n", "empty reply line"},
		{"?what\r\n", "unknown reply type"},
		{"$x\r\n", "bad length"},
		{"$-2\r\n", "bad length"},
		{"$5\r\nhello\r\n", "bad length"},          // past MaxBulk
		{"*3\r\n:1\r\n:2\r\n:3\r\n", "bad length"}, // past MaxArgs
		{"*1\r\n?\r\n", "unknown reply type"},
	} {
		_, err := ReadReply(reader(c.in), small)
		if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), c.err) {
			t.Errorf("ReadReply(%q): %v, want a protocol error saying %q", c.in, err, c.err)
		}
		if c.in == "\r\n" {
			continue // ReadRaw reads a line of at least a type byte: see below
		}
		if _, err := ReadRaw(reader(c.in), nil, small); !errors.Is(err, ErrProtocol) {
			t.Errorf("ReadRaw(%q): %v, want a protocol error", c.in, err)
		}
	}
	if _, err := ReadRaw(reader("+\n"), nil, small); !errors.Is(err, ErrProtocol) {
		t.Errorf("ReadRaw of a short line: %v, want a protocol error", err)
	}
	for _, cut := range []string{"$5\r\nhel", "*2\r\n:1\r\n", "+OK"} {
		if _, err := ReadReply(reader(cut), ServerLimits); !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("ReadReply(%q) cut short: %v, want the reader's own EOF", cut, err)
		}
		if _, err := ReadRaw(reader(cut), nil, ServerLimits); !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("ReadRaw(%q) cut short: %v, want the reader's own EOF", cut, err)
		}
	}
}

// TestCommandRoundTrip: what WriteCommand writes, ReadCommand reads back.
func TestCommandRoundTrip(t *testing.T) {
	args := [][]byte{[]byte("SET"), []byte("k\r\n"), {}, []byte("\x00\xff")}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	WriteCommand(w, args)
	w.Flush()
	if want := "*4\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$0\r\n\r\n$2\r\n\x00\xff\r\n"; buf.String() != want {
		t.Errorf("WriteCommand: %q, want %q", buf.String(), want)
	}
	got, size, err := ReadCommand(bufio.NewReader(&buf), ServerLimits)
	if err != nil || size != 36 || len(got) != len(args) {
		t.Fatalf("ReadCommand: %q, %d bytes, %v", got, size, err)
	}
	for i := range args {
		if !bytes.Equal(got[i], args[i]) {
			t.Errorf("argument %d: %q, want %q", i, got[i], args[i])
		}
	}
}
