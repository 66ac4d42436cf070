package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

type storeAnagramHashFunc = func(ctx context.Context, rdb *redis.Client, key string, groups map[string][]string) error

func checkAnagramHash(t *T) {
	f := lookup[storeAnagramHashFunc](t, "StoreAnagramHash")
	store := func(key string, groups map[string][]string) {
		err := t.call("StoreAnagramHash", []any{key, groups}, func() error { return f(t.ctx, t.rdb, key, groups) })
		hint := ""
		if len(groups) == 0 {
			hint = "with no groups there is nothing to write, and HSET needs at least one field: return nil"
		}
		t.noError("StoreAnagramHash", err, hint)
		if cmds, trips := t.rec.sent(); trips > 1 {
			var each []string
			for _, c := range cmds {
				each = append(each, c.String())
			}
			r := Result{
				Message: fmt.Sprintf("broke a rule: %s (it took %d)", RuleOneTrip.Name, trips),
				Rule:    RuleOneTrip.Name,
				Why:     RuleOneTrip.Why,
				Sent:    each,
				Hint: "build a map[string]any from signature to JSON first, then send one " +
					"rdb.HSet(ctx, key, thatMap); or queue the HSETs in one rdb.Pipelined",
			}
			if len(each) > 5 {
				r.Sent = append(each[:4], fmt.Sprintf("… %s in %s", term.Plural(len(cmds), "command"), term.Plural(trips, "round trip")))
			}
			t.fail(r)
		}
	}

	// The chapter's groups, then a few hundred more.
	fixed := map[string][]string{}
	for _, g := range slices.Concat(bigGroups, smallGroups[:4]) {
		fixed[signature(g[0])] = g
	}
	k := t.key("AnagramHash")
	store(k, fixed)
	t.anagramHash(k, fixed)

	gen := anagramSet(t.rnd, 200+t.rnd.IntN(100))
	k2 := t.key(fmt.Sprintf("AnagramHash:%d", t.rnd.IntN(1000)))
	store(k2, gen)
	t.anagramHash(k2, gen)

	store(t.key("AnagramHash:empty"), map[string][]string{})
}

// anagramHash checks the hash StoreAnagramHash left at key.
func (t *T) anagramHash(key string, groups map[string][]string) {
	typ, _ := t.rdb.Type(t.ctx, key).Result()
	if typ != "hash" {
		t.fail(Result{
			Message:  fmt.Sprintf("StoreAnagramHash left a %s at %s, not a hash", typ, key),
			Expected: fmt.Sprintf("TYPE %s is hash", key),
			Got:      fmt.Sprintf("TYPE %s is %s", key, typ),
			Hint:     "one hash: HSET key signature json signature json ...",
		})
	}
	raw, _ := t.rdb.HGetAll(t.ctx, key).Result()
	var missing, extra []string
	for _, sig := range slices.Sorted(maps.Keys(groups)) {
		if _, ok := raw[sig]; !ok {
			missing = append(missing, quote(sig))
		}
	}
	for _, f := range slices.Sorted(maps.Keys(raw)) {
		if _, ok := groups[f]; !ok {
			extra = append(extra, quote(f))
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		r := Result{
			Message:  fmt.Sprintf("the hash at %s has %s; expected %d, one per signature", key, term.Plural(len(raw), "field"), len(groups)),
			Expected: "fields " + firstFew(quoteAll(slices.Sorted(maps.Keys(groups)))),
			Got:      "fields " + firstFew(quoteAll(slices.Sorted(maps.Keys(raw)))),
			Hint:     "the fields are the map's keys, the signatures",
		}
		if len(missing) > 0 {
			r.Got += "; missing " + firstFew(missing)
		}
		t.fail(r)
	}
	for _, sig := range slices.Sorted(maps.Keys(groups)) {
		var words []string
		if err := json.Unmarshal([]byte(raw[sig]), &words); err != nil {
			t.fail(Result{
				Message:  fmt.Sprintf("field %s of %s is not a JSON array of words", quote(sig), key),
				Expected: showJSON(groups[sig]),
				Got:      fmt.Sprintf("HGET %s %s is %s (%v)", key, sig, quote(raw[sig]), err),
				Hint:     "json.Marshal(words) writes the array; strings.Join and fmt.Sprint do not write JSON",
			})
		}
		if !slices.Equal(words, groups[sig]) {
			t.fail(Result{
				Message:  fmt.Sprintf("field %s of %s holds other words", quote(sig), key),
				Expected: showJSON(groups[sig]),
				Got:      raw[sig],
				Hint:     "store each group's words as they are, in their order",
			})
		}
	}
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = quote(v)
	}
	return out
}
