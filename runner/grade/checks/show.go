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
	s := goValue(reflect.ValueOf(v))
	if len(s) > 300 {
		s = s[:297] + "…"
	}
	return s
}

// goValue writes v as a Go literal: map[string]any{"a": 1}, profile{ID: 3}.
func goValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Invalid:
		return "nil"
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		if v.Kind() == reflect.Pointer {
			if v.Elem().IsZero() {
				return "new(" + typeName(v.Elem().Type()) + ")"
			}
			return "&" + goValue(v.Elem())
		}
		return goValue(v.Elem())
	case reflect.String:
		return quote(v.String())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return "nil"
		}
		var parts []string
		for i := range v.Len() {
			if i == 8 {
				parts = append(parts, fmt.Sprintf("… (%d in all)", v.Len()))
				break
			}
			parts = append(parts, goValue(v.Index(i)))
		}
		return typeName(v.Type()) + "{" + strings.Join(parts, ", ") + "}"
	case reflect.Map:
		if v.IsNil() {
			return "nil"
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		var parts []string
		for i, k := range keys {
			if i == 8 {
				parts = append(parts, fmt.Sprintf("… (%d in all)", len(keys)))
				break
			}
			parts = append(parts, goValue(k)+": "+goValue(v.MapIndex(k)))
		}
		return typeName(v.Type()) + "{" + strings.Join(parts, ", ") + "}"
	case reflect.Struct:
		var parts []string
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				parts = append(parts, f.Name+": "+goValue(v.Field(i)))
			}
		}
		return typeName(v.Type()) + "{" + strings.Join(parts, ", ") + "}"
	case reflect.Chan, reflect.Func:
		return "make(" + typeName(v.Type()) + ")"
	}
	return fmt.Sprint(v.Interface())
}

// typeName writes a type as a learner would: any, not interface {}; no
// package names.
func typeName(t reflect.Type) string {
	s := strings.ReplaceAll(t.String(), "interface {}", "any")
	s = strings.ReplaceAll(s, "wire.Profile", "profile")
	return strings.ReplaceAll(s, "checks.", "")
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
