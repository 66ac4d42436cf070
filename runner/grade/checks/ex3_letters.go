package checks

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

type (
	storeLetterCountsFunc = func(ctx context.Context, rdb *redis.Client, key, text string) error
	letterCountsFunc      = func(ctx context.Context, rdb *redis.Client, key string) (map[string]int, error)
)

func checkLetters(t *T) {
	store := lookup[storeLetterCountsFunc](t, "StoreLetterCounts")
	read := lookup[letterCountsFunc](t, "LetterCounts")
	storeCounts := func(key, text string) {
		t.mu.Lock()
		t.text = text
		t.mu.Unlock()
		err := t.call("StoreLetterCounts", []any{key, text}, func() error { return store(t.ctx, t.rdb, key, text) })
		hint := ""
		switch {
		case err != nil && strings.Contains(err.Error(), "WRONGTYPE"):
			hint = "the key held a value of another type: replacing it means deleting it first (DEL, then HSET)"
		case err != nil && strings.Contains(err.Error(), "wrong number of arguments"):
			hint = "with no letters there are no fields, and HSET needs at least one: only delete the key then"
		}
		t.noError("StoreLetterCounts", err, hint)
	}
	readCounts := func(key string) map[string]int {
		var got map[string]int
		err := t.call("LetterCounts", []any{key}, func() (err error) {
			got, err = read(t.ctx, t.rdb, key)
			return err
		})
		t.noError("LetterCounts", err, "")
		t.forbid(RuleHScan, "walk the hash with rdb.HScan(ctx, key, cursor, \"\", 100) until the cursor comes back 0",
			"hgetall", "hkeys", "hvals")
		return got
	}

	// Fixed texts, with case, punctuation and letters beyond ASCII.
	k := t.key(fmt.Sprintf("letters:%d", t.rnd.IntN(1000)))
	for _, text := range []string{"Hello, World!", "Ça va? Zoë sagt: Größe ÄÖÜ, ß; Жж 42"} {
		storeCounts(k, text)
		t.hashCounts(k, text)
	}

	// Replacing: fields that were there, and a value of another type.
	t.rdb.Del(t.ctx, k)
	t.rdb.HSet(t.ctx, k, "zz", "9", "H", "100")
	storeCounts(k, "Hah")
	t.hashCounts(k, "Hah")
	t.rdb.Set(t.ctx, k, "an old string", 0)
	storeCounts(k, "abba")
	t.hashCounts(k, "abba")
	storeCounts(k, "42 ?!")
	t.hashCounts(k, "42 ?!")

	// Generated text.
	text := t.randomText(300)
	storeCounts(k, text)
	t.hashCounts(k, text)

	// Reading: what StoreLetterCounts wrote, a big hash the grader wrote,
	// and a missing key.
	want := countLetters(text)
	if got := readCounts(k); !maps.Equal(got, want) {
		t.countsDiffer(k, want, got)
	}
	big := t.key(fmt.Sprintf("alphabet:%d", t.rnd.IntN(1000)))
	// Greek, Cyrillic, Armenian, Hebrew and more: more fields than a
	// real server keeps in its compact encoding (hash-max-listpack-entries,
	// 128 or 512), so that it answers HSCAN a page at a time.
	want = map[string]int{}
	for r, n := 'Ͱ', 600+t.rnd.IntN(100); len(want) < n; r++ {
		if unicode.IsLetter(r) {
			want[string(r)] = 1 + t.rnd.IntN(500)
		}
	}
	fields := map[string]any{}
	for l, n := range want {
		fields[l] = n
	}
	t.rdb.HSet(t.ctx, big, fields)
	if got := readCounts(big); !maps.Equal(got, want) {
		t.countsDiffer(big, want, got)
	}
	if got := readCounts(t.key("letters:missing")); len(got) != 0 {
		t.fail(Result{
			Message:  fmt.Sprintf("LetterCounts returned %s for a missing key", term.Plural(len(got), "field")),
			Expected: "an empty map",
			Got:      show(got),
		})
	}
}

// countLetters is the answer: each letter's count, case kept.
func countLetters(text string) map[string]int {
	counts := map[string]int{}
	for _, r := range text {
		if unicode.IsLetter(r) {
			counts[string(r)]++
		}
	}
	return counts
}

// randomText makes n runes of letters, digits, spaces and punctuation,
// in both cases and beyond ASCII.
func (t *T) randomText(n int) string {
	alphabet := []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèüßçñøÅЖжλΩ0123456789 .,;:!?'-\t")
	var b strings.Builder
	for range n {
		b.WriteRune(alphabet[t.rnd.IntN(len(alphabet))])
	}
	return b.String()
}

// hashCounts checks the hash StoreLetterCounts left at key for text.
func (t *T) hashCounts(key, text string) {
	want := countLetters(text)
	typ, _ := t.rdb.Type(t.ctx, key).Result()
	if len(want) == 0 {
		if typ != "none" {
			t.fail(Result{
				Message:  "StoreLetterCounts left something at the key for a text with no letters",
				Expected: fmt.Sprintf("no key %s: the counts of no letters are an empty hash, which Redis deletes", key),
				Got:      fmt.Sprintf("TYPE %s is %s", key, typ),
				Hint:     "replace what was at the key: DEL it, and HSET only when there are letters",
			})
		}
		return
	}
	if typ != "hash" {
		t.fail(Result{
			Message:  fmt.Sprintf("StoreLetterCounts left a %s at %s, not a hash", typ, key),
			Expected: fmt.Sprintf("TYPE %s is hash", key),
			Got:      fmt.Sprintf("TYPE %s is %s", key, typ),
			Hint:     "store the counts with HSET key letter count letter count ... (rdb.HSet(ctx, key, map))",
		})
	}
	raw, _ := t.rdb.HGetAll(t.ctx, key).Result()
	got := map[string]int{}
	for f, v := range raw {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.fail(Result{
				Message:  fmt.Sprintf("StoreLetterCounts stored %s, not a count, in field %s", quote(v), quote(f)),
				Expected: "each field's value a whole number",
				Got:      fmt.Sprintf("HGET %s %s is %s", key, quote(f), quote(v)),
			})
		}
		got[f] = n
	}
	if !maps.Equal(got, want) {
		t.countsDiffer(key, want, got)
	}
}

// countsDiffer fails with the first differences between two counts, and a
// hint for the usual causes.
func (t *T) countsDiffer(key string, want, got map[string]int) {
	var missing, extra, wrong []string
	for _, l := range slices.Sorted(maps.Keys(want)) {
		if n, ok := got[l]; !ok {
			missing = append(missing, quote(l))
		} else if n != want[l] {
			wrong = append(wrong, fmt.Sprintf("%s: %d, not %d", quote(l), n, want[l]))
		}
	}
	for _, l := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[l]; !ok {
			extra = append(extra, quote(l))
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing "+firstFew(missing))
	}
	if len(extra) > 0 {
		parts = append(parts, "extra "+firstFew(extra))
	}
	if len(wrong) > 0 {
		parts = append(parts, "wrong counts "+firstFew(wrong))
	}
	r := Result{
		Message:  fmt.Sprintf("the counts at %s are wrong: %s", key, strings.Join(parts, "; ")),
		Expected: show(want),
		Got:      show(got),
	}
	t.mu.Lock()
	fn, text := t.fn, t.text
	t.mu.Unlock()
	switch {
	case fn == "LetterCounts" && len(missing) > 0 && len(got) > 0 && len(extra) == 0:
		r.Message = fmt.Sprintf("LetterCounts read %d of the %d fields at %s", len(got), len(want), key)
		r.Hint = "HSCAN answers a page of fields at a time: call it again with the cursor it returned, " +
			"until the cursor comes back 0"
		if c, ok := t.rec.unfinishedScan("hscan"); ok {
			r.Hint = fmt.Sprintf("your last HSCAN answered cursor %d, not 0, and LetterCounts stopped there: ", c) + r.Hint
		}
	case fn != "StoreLetterCounts":
	case maps.Equal(got, countBytes(text)):
		r.Hint = "count runes, not bytes: `for _, r := range text` gives runes; text[i] gives bytes, " +
			"and a letter such as é is two of them"
	case maps.Equal(got, countLetters(strings.ToLower(text))) || maps.Equal(got, countLetters(strings.ToUpper(text))):
		r.Hint = "keep each letter's case: \"H\" and \"h\" are different fields"
	case maps.Equal(got, countASCII(text)):
		r.Hint = "a letter is any rune for which unicode.IsLetter is true, not only a to z: é, ß and Ж count too"
	case len(extra) > 0 && len(missing) == 0 && len(wrong) == 0:
		r.Hint = "fields from before are still there: the hash must replace what was at the key (DEL it first)"
	}
	t.fail(r)
}

// countBytes is what counting bytes as runes gives: a wrong answer, for
// hints.
func countBytes(text string) map[string]int {
	counts := map[string]int{}
	for i := 0; i < len(text); i++ {
		if r := rune(text[i]); unicode.IsLetter(r) {
			counts[string(r)]++
		}
	}
	return counts
}

// countASCII counts only a to z and A to Z: another wrong answer.
func countASCII(text string) map[string]int {
	counts := map[string]int{}
	for _, r := range text {
		if r < 128 && unicode.IsLetter(r) {
			counts[string(r)]++
		}
	}
	return counts
}

// firstFew joins a few items, and says how many there are.
func firstFew(items []string) string {
	if len(items) <= 5 {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:5], ", ") + fmt.Sprintf(", … (%d in all)", len(items))
}
