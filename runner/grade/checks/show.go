package checks

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// show writes v the way a Go programmer reads it, shortened when long:
// strings quoted, slices in brackets, maps with sorted keys.
func show(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case string:
		return quote(v)
	case error:
		return "error " + quote(v.Error())
	case []string:
		return showStrings(v)
	case [][]string:
		return showLists(v, 4)
	case map[string]int:
		keys := slices.Sorted(maps.Keys(v))
		parts := make([]string, 0, len(keys))
		for i, k := range keys {
			if i == 12 {
				parts = append(parts, fmt.Sprintf("… (%d fields)", len(keys)))
				break
			}
			parts = append(parts, fmt.Sprintf("%s: %d", quote(k), v[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case map[string][]string:
		keys := slices.Sorted(maps.Keys(v))
		parts := make([]string, 0, len(keys))
		for i, k := range keys {
			if i == 2 {
				parts = append(parts, fmt.Sprintf("… (%d groups)", len(keys)))
				break
			}
			parts = append(parts, fmt.Sprintf("%s: %s", quote(k), showStrings(v[k])))
		}
		return "map[string][]string{" + strings.Join(parts, ", ") + "}"
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return "&" + show(rv.Elem().Interface())
	}
	s := fmt.Sprintf("%#v", v)
	if len(s) > 200 {
		s = s[:197] + "…"
	}
	return s
}

func quote(s string) string {
	if len(s) > 200 {
		return strconv.Quote(s[:197]) + "…"
	}
	return strconv.Quote(s)
}

func showStrings(v []string) string {
	if v == nil {
		return "[]"
	}
	parts := make([]string, 0, len(v))
	for i, s := range v {
		if i == 12 {
			parts = append(parts, fmt.Sprintf("… (%d in all)", len(v)))
			break
		}
		parts = append(parts, quote(s))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// showLists writes at most max lists, and how many there are.
func showLists(v [][]string, max int) string {
	parts := make([]string, 0, len(v))
	for i, l := range v {
		if i == max {
			parts = append(parts, fmt.Sprintf("… (%d lists)", len(v)))
			break
		}
		parts = append(parts, showStrings(l))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// showCall writes a call of the learner's function fn as Go.
func showCall(fn string, args ...any) string {
	parts := []string{"ctx", "rdb"}
	for _, a := range args {
		parts = append(parts, show(a))
	}
	return fn + "(" + strings.Join(parts, ", ") + ")"
}

// plural writes n and a noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
