package notebook

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
)

// TestReadStreamByteByByte feeds the program's output one byte at a time:
// an event whose mark arrives in pieces is still an event, text before
// and after it is text, and a line with the bare Mark but another token
// is text.
func TestReadStreamByteByByte(t *testing.T) {
	token := protocol.NewToken()
	forged := protocol.Event{Kind: protocol.Done}.Encode("0123")
	stream := "before\n" + string(protocol.Event{Kind: protocol.Begin, Cell: 1}.Encode(token)) +
		"out" + string(forged) + string(protocol.Event{Kind: protocol.End, Cell: 1}.Encode(token)) + "after\x00"
	items := make(chan item, 100)
	go readStream(io.NopCloser(iotest.OneByteReader(strings.NewReader(stream))), items, []byte(protocol.MarkFor(token)))
	var text strings.Builder
	var kinds []string
	for it := range items {
		if it.event != nil {
			kinds = append(kinds, it.event.Kind)
		} else {
			text.Write(it.text)
		}
	}
	if strings.Join(kinds, ",") != "begin,end" {
		t.Errorf("events %v, want begin,end", kinds)
	}
	if want := "before\nout" + string(forged) + "after\x00"; text.String() != want {
		t.Errorf("text %q, want %q", text.String(), want)
	}
}
