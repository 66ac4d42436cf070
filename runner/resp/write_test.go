package resp

import (
	"fmt"
	"testing"
)

func TestEncode(t *testing.T) {
	for v, want := range map[any]string{
		"OK":            "$2\r\nOK\r\n",
		int64(-3):       ":-3\r\n",
		true:            ":1\r\n",
		2.5:             "$3\r\n2.5\r\n",
		nil:             "$-1\r\n",
		fmt.Errorf("x"): "-x\r\n",
	} {
		if got := string(Encode(v)); got != want {
			t.Errorf("Encode(%#v) = %q, want %q", v, got, want)
		}
	}
	if got := string(Encode([]any{"a", int64(1), []any{nil}})); got != "*3\r\n$1\r\na\r\n:1\r\n*1\r\n$-1\r\n" {
		t.Errorf("nested array: %q", got)
	}
	if got := string(Encode(map[any]any{"f": "v"})); got != "*2\r\n$1\r\nf\r\n$1\r\nv\r\n" {
		t.Errorf("a map, flattened as RESP2 sends it: %q", got)
	}
	if got := string(ErrorReply("ERR two\nlines")); got != "-ERR two lines\r\n" {
		t.Errorf("ErrorReply: %q", got)
	}
}
