package checks

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

type bigAnagramGroupsFunc = func(ctx context.Context, rdb *redis.Client, key string, min int) ([][]string, error)

func checkAnagramGroups(t *T) {
	f := lookup[bigAnagramGroupsFunc](t, "BigAnagramGroups")
	groups := func(key string, min int) [][]string {
		var got [][]string
		err := t.call("BigAnagramGroups", []any{key, min}, func() (err error) {
			got, err = f(t.ctx, t.rdb, key, min)
			return err
		})
		t.noError("BigAnagramGroups", err, "")
		return got
	}

	// A hash as StoreAnagramHash writes it, with more fields than a real
	// server keeps in its compact encoding (hash-max-listpack-entries, 128
	// or 512), so that it answers HSCAN a page at a time.
	set := anagramSet(t.rnd, 600+t.rnd.IntN(100))
	key := t.key("AnagramHash")
	fields := map[string]any{}
	for sig, words := range set {
		b, _ := json.Marshal(words)
		fields[sig] = b
	}
	t.rdb.HSet(t.ctx, key, fields)

	for _, min := range []int{6, 2 + t.rnd.IntN(4)} {
		got := groups(key, min)
		t.sameLists("BigAnagramGroups", bigOnes(set, min), got, min, "hscan")
		t.forbid(RuleHScan, "walk the hash with rdb.HScan(ctx, key, cursor, \"\", 100) until the cursor comes back 0",
			"hgetall", "hkeys", "hvals")
	}
	missing := t.key("AnagramHash:missing")
	if got := groups(missing, 1); len(got) != 0 {
		t.fail(Result{
			Message:  fmt.Sprintf("BigAnagramGroups returned %s for a missing key", term.Plural(len(got), "group")),
			Expected: "no groups",
			Got:      showLists(got, 4),
		})
	}
}
