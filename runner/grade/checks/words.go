package checks

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// bigGroups are the anagram groups of six words or more that the chapter
// finds in its word list.
var bigGroups = [][]string{
	{"abets", "baste", "bates", "beast", "beats", "betas"},
	{"aster", "rates", "stare", "tares", "taser", "tears"},
	{"caret", "cater", "crate", "react", "recta", "trace"},
	{"carets", "caster", "caters", "crates", "reacts", "recast", "traces"},
	{"drapes", "padres", "parsed", "rasped", "spared", "spread"},
	{"lapse", "leaps", "pales", "peals", "pleas", "sepal"},
	{"least", "slate", "stale", "steal", "tales", "teals"},
	{"opts", "post", "pots", "spot", "stop", "tops"},
	{"palest", "pastel", "petals", "plates", "pleats", "staple"},
	{"pares", "parse", "pears", "rapes", "reaps", "spare", "spear"},
}

// smallGroups are real anagram groups of fewer than six words; the first
// has five, one short of the chapter's six.
var smallGroups = [][]string{
	{"enlist", "inlets", "listen", "silent", "tinsel"},
	{"evil", "live", "veil", "vile"},
	{"meat", "mate", "tame", "team"},
	{"notes", "onset", "stone", "tones"},
	{"acres", "cares", "races", "scare"},
	{"ales", "leas", "sale", "seal"},
	{"angel", "angle", "glean"},
	{"below", "bowel", "elbow"},
	{"earth", "hater", "heart"},
	{"alert", "alter", "later"},
	{"night", "thing"},
	{"dusty", "study"},
	{"state", "taste"},
	{"sword", "words"},
	{"chin", "inch"},
	{"dog", "god"},
	{"act", "cat"},
	{"redis"},
}

// signature is a word's letters in order: anagrams share it.
func signature(word string) string {
	r := []rune(word)
	slices.Sort(r)
	return string(r)
}

// anagramSet makes groups of anagrams: the chapter's, and n made up from
// random letters, so that no answer written down in advance can pass. The
// made-up groups have 1 to 8 words; every word is in one group only.
func anagramSet(rnd *rand.Rand, n int) map[string][]string {
	groups := map[string][]string{}
	for _, g := range slices.Concat(bigGroups, smallGroups) {
		groups[signature(g[0])] = slices.Clone(g)
	}
	for len(groups) < len(bigGroups)+len(smallGroups)+n {
		letters := make([]byte, 5+rnd.IntN(4))
		for i := range letters {
			letters[i] = byte('a' + rnd.IntN(26))
		}
		sig := signature(string(letters))
		if groups[sig] != nil {
			continue
		}
		size := 1 + rnd.IntN(8)
		seen := map[string]bool{}
		var words []string
		for tries := 0; len(words) < size && tries < 100; tries++ {
			rnd.Shuffle(len(letters), func(i, j int) { letters[i], letters[j] = letters[j], letters[i] })
			if w := string(letters); !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
		groups[sig] = words
	}
	return groups
}

// bigOnes returns the groups of at least min words, sorted by first word:
// what exercises 4 and 6 must find.
func bigOnes(groups map[string][]string, min int) [][]string {
	var out [][]string
	for _, g := range groups {
		if len(g) >= min {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}
