package embedded

import "testing"

// TestMatch holds the pager's MATCH to Redis's glob rules (stringmatchlen).
func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern string
		yes, no []string
	}{
		{"h?llo", []string{"hello", "hallo", "hxllo"}, []string{"hllo", "heello"}},
		{"h*llo", []string{"hllo", "heeeello", "hello"}, []string{"hell", "helloo"}},
		{"h[ae]llo", []string{"hello", "hallo"}, []string{"hillo", "hllo"}},
		{"h[^e]llo", []string{"hallo", "hbllo"}, []string{"hello", "hllo"}},
		{"h[a-b]llo", []string{"hallo", "hbllo"}, []string{"hcllo"}},
		{"h[b-a]llo", []string{"hallo", "hbllo"}, []string{"hcllo"}}, // a reversed range
		{`h\*llo`, []string{"h*llo"}, []string{"hello"}},
		{`h[\]]llo`, []string{"h]llo"}, []string{"hallo"}},
		{"Anagram:*", []string{"Anagram:", "Anagram:aerst"}, []string{"anagram:aerst", "AnagramHash"}},
		{"*:*", []string{"a:b", ":"}, []string{"ab"}},
		{"a**b", []string{"ab", "axxb"}, []string{"axxc"}},
		{"*a", []string{"a", "bba"}, []string{"ab", ""}},
		{"[abc", []string{"a", "c"}, []string{"ab", "d"}}, // unclosed: the class ends the pattern
		{`ab\`, []string{`ab\`}, []string{"ab"}},
		{"", []string{""}, []string{"a"}},
	} {
		for _, s := range c.yes {
			if !match(c.pattern, s) {
				t.Errorf("%q does not match %q; Redis matches it", c.pattern, s)
			}
		}
		for _, s := range c.no {
			if match(c.pattern, s) {
				t.Errorf("%q matches %q; Redis does not", c.pattern, s)
			}
		}
	}
}
