package console

import (
	"slices"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/redis-notebook/tutorial/runner/resp"
)

func TestSplit(t *testing.T) {
	for line, want := range map[string][]string{
		`LLEN Anagram:aerst`:             {"LLEN", "Anagram:aerst"},
		"  SET  k   v  ":                 {"SET", "k", "v"},
		`SET k "hello world"`:            {"SET", "k", "hello world"},
		`SET k "a\nb\t\"c\"\\ \x41\x4a"`: {"SET", "k", "a\nb\t\"c\"\\ AJ"},
		`SET k 'it\'s "raw" \n'`:         {"SET", "k", `it's "raw" \n`},
		`SET k ""`:                       {"SET", "k", ""},
		`SET pre"fix ed"`:                {"SET", "prefix ed"},
		"":                               nil,
		"   ":                            nil,
	} {
		got, err := Split(line)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Split(%q) = %q, %v; want %q", line, got, err, want)
		}
	}
	for _, bad := range []string{`SET k "open`, `SET k 'open`, `SET k "a"b`, `SET k 'a'b`} {
		if got, err := Split(bad); err == nil {
			t.Errorf("Split(%q) = %q, want an error", bad, got)
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"aster":      `"aster"`,
		"a \"b\" \\": `"a \"b\" \\"`,
		"l1\nl2\r\t": `"l1\nl2\r\t"`,
		"\x00\xffé":  `"\x00\xff\xc3\xa9"`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestDo: replies look as redis-cli shows them, on miniredis's in-memory
// connection as the page uses it.
func TestDo(t *testing.T) {
	mr := miniredis.RunT(t)
	nc, err := mr.Dial()
	if err != nil {
		t.Fatal(err)
	}
	c := New(nc)
	defer c.Close()
	for i, step := range []struct{ line, want string }{
		{`SET greeting "hello world"`, "OK"},
		{`GET greeting`, `"hello world"`},
		{`GET missing`, "(nil)"},
		{`RPUSH list a b c d e f g h i j`, "(integer) 10"},
		{`LLEN list`, "(integer) 10"},
		{`LRANGE list 0 1`, "1) \"a\"\n2) \"b\""},
		{`LRANGE list 0 -1`, " 1) \"a\"\n 2) \"b\"\n 3) \"c\"\n 4) \"d\"\n 5) \"e\"\n 6) \"f\"\n 7) \"g\"\n 8) \"h\"\n 9) \"i\"\n10) \"j\""},
		{`LRANGE nothing 0 -1`, "(empty array)"},
		{`INCR greeting`, "(error) ERR value is not an integer or out of range"},
		{`NOSUCHCOMMAND x`, "(error) ERR unknown command `NOSUCHCOMMAND`, with args beginning with: `x`, "},
		{`SET bin "a\x00b"`, "OK"},
		{`GET bin`, `"a\x00b"`},
		{`HSET h f v`, "(integer) 1"},
		{`HGETALL h`, "1) \"f\"\n2) \"v\""},
		{`SCAN 0 MATCH h`, "1) \"0\"\n2) 1) \"h\""},
	} {
		args, err := Split(step.line)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Do(args)
		if err != nil {
			t.Fatalf("%d: %s: %v", i, step.line, err)
		}
		if got != step.want {
			t.Errorf("%s:\n got %q\nwant %q", step.line, got, step.want)
		}
	}
	if v, _ := mr.Get("greeting"); v != "hello world" {
		t.Errorf("the console's SET did not reach the database: %q", v)
	}
}

func TestFormatNested(t *testing.T) {
	r := resp.Reply{Kind: '*', Elems: []resp.Reply{
		{Kind: ':', Text: "1"},
		{Kind: '*', Elems: []resp.Reply{{Kind: '$', Text: "x"}, {Kind: '$', Text: "y"}}},
		{Kind: '%', Elems: []resp.Reply{{Kind: '$', Text: "k"}, {Kind: '$', Text: "v"}}},
		{Kind: '$', Null: true},
		{Kind: '=', Text: "txt:v"},
	}}
	want := strings.Join([]string{
		`1) (integer) 1`,
		`2) 1) "x"`,
		`   2) "y"`,
		`3) 1# "k" => "v"`,
		`4) (nil)`,
		`5) "v"`,
	}, "\n") + "\n"
	if got := format(r, ""); got != want {
		t.Errorf("nested:\n%s\nwant\n%s", got, want)
	}
}
