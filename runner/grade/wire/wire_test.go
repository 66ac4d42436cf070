package wire

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestRoundTrip: every value the checks pass can be described and built
// again, of the same type: a profile, maps, a pointer for a function to
// fill, and a channel, which has no JSON form.
func TestRoundTrip(t *testing.T) {
	boss := &Profile{ID: 1}
	for _, v := range []any{
		"key", 3, []string{"a", "b"}, map[string]any{"n": 1.5, "l": []any{"x"}},
		map[string][]string{"abt": {"bat", "tab"}}, Profile{ID: 7, Tags: []string{"t"}, Boss: boss}, &Profile{},
		new(map[string]any),
	} {
		enc, err := Encode(v)
		if err != nil {
			t.Fatalf("Encode(%#v): %v", v, err)
		}
		got, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(%+v): %v", enc, err)
		}
		if !reflect.DeepEqual(got.Interface(), v) {
			t.Errorf("%#v came back as %#v", v, got.Interface())
		}
	}
	enc, err := Encode(make(chan int))
	if err != nil || enc.Type != "chan int" || enc.JSON != nil {
		t.Fatalf("a channel: %+v, %v", enc, err)
	}
	if got, _ := Decode(enc); got.Kind() != reflect.Chan || got.IsNil() {
		t.Errorf("a channel came back as %v", got)
	}
	if _, err := Encode(struct{ X int }{}); err == nil {
		t.Error("a type wire does not know was encoded")
	}
}

// TestStrict: a line that is not the message asked for is an error, not
// an empty message.
func TestStrict(t *testing.T) {
	in := strings.NewReader(`{"exercise":1,"status":"passed"}` + "\n" + `{"funcs":{"F":"func()"}}` + "\n")
	c := NewConn(in, &bytes.Buffer{})
	var h Hello
	if err := c.Receive(&h); err == nil {
		t.Errorf("a forged verdict was read as a Hello: %+v", h)
	}
	if err := c.Receive(&h); err != nil || h.Funcs["F"] != "func()" {
		t.Errorf("Hello: %+v, %v", h, err)
	}
}
