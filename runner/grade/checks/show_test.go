package checks

import "testing"

func TestShow(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{"a\"b", `"a\"b"`},
		{[]string{"a", "b"}, `["a" "b"]`},
		{map[string]any{"name": "Ada", "born": 1815, "langs": []string{"x"}, "boss": nil}, `map[string]any{"born": 1815, "boss": nil, "langs": []string{"x"}, "name": "Ada"}`},
		{profile{ID: 3, Tags: []string{"t"}}, `profile{ID: 3, Name: "", Admin: false, Score: 0, Tags: []string{"t"}, Address: nil, Boss: nil}`},
		{&profile{}, `new(profile)`},
		{&profile{ID: 1}, `&profile{ID: 1, Name: "", Admin: false, Score: 0, Tags: nil, Address: nil, Boss: nil}`},
		{new(map[string]any), `new(map[string]any)`},
		{make(chan int), "make(chan int)"},
		{map[string]int{"b": 2, "a": 1}, `{"a": 1, "b": 2}`},
		{[][]string{{"a"}, {"b", "c"}}, `[["a"] ["b" "c"]]`},
	} {
		if got := show(c.v); got != c.want {
			t.Errorf("show(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
	if got := showCall("PushFront", "q", "a"); got != `PushFront(ctx, rdb, "q", "a")` {
		t.Errorf("showCall = %s", got)
	}
}
