package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/grade/wire"
)

type (
	saveJSONFunc = func(ctx context.Context, rdb *redis.Client, key string, v any) error
	loadJSONFunc = func(ctx context.Context, rdb *redis.Client, key string, dst any) error
)

// A profile is a generated value for exercise 1; the shim builds one too.
type profile = wire.Profile

func checkJSON(t *T) {
	save := lookup[saveJSONFunc](t, "SaveJSON")
	load := lookup[loadJSONFunc](t, "LoadJSON")
	saveJSON := func(key string, v any) error {
		return t.call("SaveJSON", []any{key, v}, func() error { return save(t.ctx, t.rdb, key, v) })
	}
	loadJSON := func(key string, dst any) error {
		return t.call("LoadJSON", []any{key, dst}, func() error { return load(t.ctx, t.rdb, key, dst) })
	}

	// A fixed value, then a generated one.
	ada := map[string]any{"name": "Ada", "born": 1815, "langs": []string{"Analytical Engine"}, "admin": true, "score": 9.5, "boss": nil}
	gen := profile{
		ID:      t.rnd.IntN(100000),
		Name:    fmt.Sprintf("user %d", t.rnd.IntN(1000)),
		Admin:   t.rnd.IntN(2) == 0,
		Score:   float64(t.rnd.IntN(1000)) / 8,
		Tags:    []string{fmt.Sprintf("t%d", t.rnd.IntN(100)), "redis"},
		Address: map[string]string{"city": fmt.Sprintf("City %d", t.rnd.IntN(100))},
	}
	for _, c := range []struct {
		key string
		v   any
	}{
		{t.key("user:ada"), ada},
		{t.key(fmt.Sprintf("user:%d", gen.ID)), gen},
	} {
		t.noError("SaveJSON", saveJSON(c.key, c.v), "")
		t.storedJSON(c.key, c.v)
	}

	// Back again into a value of the same type: the generated profile.
	var back profile
	t.noError("LoadJSON", loadJSON(t.key(fmt.Sprintf("user:%d", gen.ID)), &back),
		"LoadJSON must read the key SaveJSON wrote")
	if !reflect.DeepEqual(back, gen) {
		t.fail(Result{
			Message:  "LoadJSON did not give back the value SaveJSON stored",
			Expected: showJSON(gen),
			Got:      showJSON(back),
			Hint:     "GET the key, then json.Unmarshal(b, dst): dst is already a pointer",
		})
	}

	// JSON that the grader wrote itself: LoadJSON must read Redis, not
	// remember what SaveJSON was given.
	key := t.key(fmt.Sprintf("order:%d", t.rnd.IntN(100000)))
	want := map[string]any{"id": float64(t.rnd.IntN(1000)), "items": []any{"tea", "milk"}, "paid": true}
	b, _ := json.Marshal(want)
	t.rdb.Set(t.ctx, key, b, 0)
	var got map[string]any
	t.noError("LoadJSON", loadJSON(key, &got), "")
	if !reflect.DeepEqual(got, want) {
		t.fail(Result{
			Message:  "LoadJSON did not read the JSON stored at the key",
			Expected: fmt.Sprintf("%s (GET %s)", b, key),
			Got:      showJSON(got),
			Hint:     "read the value with GET every time: other programs write to Redis too",
		})
	}

	// A missing key.
	missing := t.key(fmt.Sprintf("missing:%d", t.rnd.IntN(100000)))
	var nothing map[string]any
	err := loadJSON(missing, &nothing)
	switch {
	case err == nil:
		t.fail(Result{
			Message:  "LoadJSON returned no error for a missing key",
			Expected: "an error err for which errors.Is(err, redis.Nil) is true",
			Got:      fmt.Sprintf("no error, and dst is %s", show(nothing)),
			Hint:     "GET answers redis.Nil for a missing key: return that error instead of an empty value",
		})
	case !isNil(err):
		t.fail(Result{
			Message:  "LoadJSON's error for a missing key does not say redis.Nil",
			Expected: "an error err for which errors.Is(err, redis.Nil) is true",
			Got:      show(err) + ", for which errors.Is(err, redis.Nil) is false",
			Hint: "return GET's error as it is, or wrap it with fmt.Errorf(\"...: %w\", err); " +
				"%v or a new error loses redis.Nil, and the caller can no longer tell a missing key from a failure",
		})
	}

	// A value with no JSON form.
	bad := t.key("user:chan")
	err = saveJSON(bad, make(chan int))
	if err == nil {
		stored, _ := t.rdb.Get(t.ctx, bad).Result()
		t.fail(Result{
			Message:  "SaveJSON returned no error for a value that has no JSON form",
			Expected: "the error json.Marshal gives for a channel, and nothing stored",
			Got:      fmt.Sprintf("no error, and GET %s is %s", bad, quote(stored)),
			Hint:     "check json.Marshal's error and return it: `b, _ := json.Marshal(v)` stores an empty value and hides the problem",
		})
	}
	if n, _ := t.rdb.Exists(t.ctx, bad).Result(); n != 0 {
		t.fail(Result{
			Message:  "SaveJSON stored something for a value that has no JSON form",
			Expected: fmt.Sprintf("no key %s", bad),
			Got:      fmt.Sprintf("%s exists", bad),
			Hint:     "return json.Marshal's error before calling SET",
		})
	}
}

// storedJSON checks that key holds a string whose JSON means the same as v.
func (t *T) storedJSON(key string, v any) {
	typ, _ := t.rdb.Type(t.ctx, key).Result()
	if typ == "none" {
		t.fail(Result{
			Message:  fmt.Sprintf("SaveJSON stored nothing at %s", key),
			Expected: fmt.Sprintf("a string at %s holding the JSON", key),
			Got:      fmt.Sprintf("no key %s", key),
			Hint:     "json.Marshal(v) gives the bytes; SET key b stores them (rdb.Set(ctx, key, b, 0))",
		})
	}
	if typ != "string" {
		t.fail(Result{
			Message:  fmt.Sprintf("SaveJSON left a %s at %s, not a string", typ, key),
			Expected: fmt.Sprintf("TYPE %s is string: one string holding the JSON", key),
			Got:      fmt.Sprintf("TYPE %s is %s", key, typ),
			Hint:     "json.Marshal(v) gives the bytes; SET key b stores them as one string",
		})
	}
	stored, _ := t.rdb.Get(t.ctx, key).Result()
	var got, want any
	if err := json.Unmarshal([]byte(stored), &got); err != nil {
		t.fail(Result{
			Message:  fmt.Sprintf("SaveJSON stored something that is not JSON at %s", key),
			Expected: "JSON, as json.Marshal writes it",
			Got:      fmt.Sprintf("GET %s is %s (%v)", key, quote(stored), err),
			Hint:     "fmt.Sprint and %v write Go's own notation, which no other language reads: use json.Marshal",
		})
	}
	b, _ := json.Marshal(v)
	json.Unmarshal(b, &want)
	if !reflect.DeepEqual(got, want) {
		t.fail(Result{
			Message:  fmt.Sprintf("the JSON SaveJSON stored at %s is not the value it was given", key),
			Expected: string(b),
			Got:      stored,
			Hint:     "store json.Marshal(v) itself",
		})
	}
}

// showJSON writes v as JSON, as the learner's code sees it stored.
func showJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return show(v)
	}
	return string(b)
}
