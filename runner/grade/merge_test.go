package grade

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/build"
)

// mergeTricks are submissions whose merged package must read, and grade,
// as each does alone: panics in a method of its own type, in a closure
// and in a generic function; names of its own shadowed by a local
// variable, a field, a method, a label and a composite literal's key;
// type names printed with %T, %+v and in an error of encoding/json; and
// two submissions declaring one type name (and helpers alike), which
// cannot share a package. Each replaces a file of the solutions.
var mergeTricks = map[string]map[string]string{
	"mmethod": {"01_json.go": `package redisbasics

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// saver counts its saves in a map it never makes: its method panics.
type saver struct{ counts map[string]int }

func (s *saver) note(key string) {
	s.counts[key]++
}

var helper = "json"

func SaveJSON(ctx context.Context, rdb *redis.Client, key string, v any) error {
	var s saver
	s.note(key)
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return rdb.Set(ctx, key, b, 0).Err()
}

func LoadJSON(ctx context.Context, rdb *redis.Client, key string, dst any) error {
	b, err := rdb.Get(ctx, key).Bytes()
	if err != nil {
		return fmt.Errorf("loading %s (%s): %w", key, helper, err)
	}
	return json.Unmarshal(b, dst)
}
`},
	"mclosure": {"02_lists.go": `package redisbasics

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

func PushFront(ctx context.Context, rdb *redis.Client, key string, values ...string) error {
	pick := func(i int) string {
		return values[i+1] // one too far: the last one panics
	}
	reversed := make([]any, len(values))
	for i := range values {
		reversed[len(values)-1-i] = pick(i)
	}
	return rdb.LPush(ctx, key, reversed...).Err()
}

// head is generic, and panics: there is no element at len(xs).
func head[T any](xs []T) T {
	return xs[len(xs)]
}

func PopFront(ctx context.Context, rdb *redis.Client, key string, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	values, err := rdb.LPopCount(ctx, key, n).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	_ = head(values)
	return values, err
}
`},
	"mshadow": {"01_json.go": `package redisbasics

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"
)

const prefix = "saved"

var count = 0

var head = "head"

type entry struct {
	helper int
	count  int
}

func (e entry) helper2() int { return e.helper + e.count }

func (e entry) count2() int { return e.count }

func helper(n int) int { return n }

func helper2() int { return 2 }

func SaveJSON(ctx context.Context, rdb *redis.Client, key string, v any) error {
	table := map[string]int{prefix: 1}
	count := entry{helper: helper(1), count: table[prefix]}
	if count.helper2() != helper2() || count.count2() != 1 {
		panic("a name resolved to another")
	}
	prefix := key // the constant, shadowed
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("saving %s: %w", prefix, err)
	}
head:
	for range 1 {
		break head
	}
	return rdb.Set(ctx, prefix, b, 0).Err()
}

func LoadJSON(ctx context.Context, rdb *redis.Client, key string, dst any) error {
	count++
	b, err := rdb.Get(ctx, key).Bytes()
	if err != nil {
		return fmt.Errorf("loading %s (%d, %s): %w", key, helper(count)*0, head[:0], err)
	}
	return json.Unmarshal(b, dst)
}
`},
	"mtypes": {"01_json.go": `package redisbasics

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"
)

type record struct{ N int }

type wrapper struct {
	record
	Note string
}

func helper(n int) int { return n }

func SaveJSON(ctx context.Context, rdb *redis.Client, key string, v any) error {
	var r record
	if err := json.Unmarshal([]byte(` + "`" + `{"N":"x"}` + "`" + `), &r); err != nil {
		return fmt.Errorf("%T %+v: %w", r, wrapper{record: r}, err)
	}
	return nil
}

func LoadJSON(ctx context.Context, rdb *redis.Client, key string, dst any) error {
	b, err := rdb.Get(ctx, key).Bytes()
	if err != nil {
		return err
	}
	var w wrapper
	json.Unmarshal(b, &w)
	return fmt.Errorf("%T %#v", w, w.record)
}
`},
	"mtypes2": {"01_json.go": `package redisbasics

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"
)

type record struct{ Name string }

func helper(s string) string { return s }

func SaveJSON(ctx context.Context, rdb *redis.Client, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return rdb.Set(ctx, key, b, 0).Err()
}

func LoadJSON(ctx context.Context, rdb *redis.Client, key string, dst any) error {
	var r record
	err := json.Unmarshal([]byte(` + "`" + `{"Name":1}` + "`" + `), &r)
	return fmt.Errorf("%s: %T: %v", helper(key), r, err)
}
`},
}

func init() {
	// A second saver: mtypes2 and it share a second package. Its
	// PushFront right, PopFront panics in a generic function.
	mergeTricks["mtypes3"] = map[string]string{
		"01_json.go": strings.ReplaceAll(mergeTricks["mmethod"]["01_json.go"], `"json"`, `"JSON"`),
		"02_lists.go": strings.NewReplacer("values[i+1] // one too far: the last one panics", "values[i]",
			"\treversed := make", "\tif len(values) == 0 {\n\t\treturn nil\n\t}\n\treversed := make").
			Replace(mergeTricks["mclosure"]["02_lists.go"]),
	}
}

// tooLarge is a file that go/types accepts and the compiler does not (a
// local array larger than the address space): a package merged with it
// does not compile, and its batch is built again without merging.
const tooLarge = `package redisbasics

func tooLarge() int {
	var a [1 << 50]byte
	return len(a[:])
}
`

// addMergeTricks writes mergeTricks into the class in dir.
func addMergeTricks(t testing.TB, dir string) {
	for _, name := range slices.Sorted(maps.Keys(mergeTricks)) {
		var files []txtar.File
		for file, src := range mergeTricks[name] {
			files = append(files, txtar.File{Name: "redisbasics/" + file, Data: []byte(src)})
		}
		submission(t, dir, name, "solutions", files)
	}
}

// TestMergePlan: the tricky submissions are all merged, those that share
// a type name into different packages, each name marked where it is the
// package's own and only there.
func TestMergePlan(t *testing.T) {
	dir := t.TempDir()
	addMergeTricks(t, dir)
	names := slices.Sorted(maps.Keys(mergeTricks))
	pkgs := inertPackages(t, dir, names)
	var index []int
	for i := range names {
		index = append(index, 10+i)
	}
	plan := planMerge(root, manifest.Package, pkgs, index)
	if plan == nil {
		t.Fatal("nothing merged")
	}
	group := map[string]int{}
	for i, p := range pkgs {
		g, ok := plan.group(p)
		if !ok {
			t.Errorf("%s is not merged", names[i])
		}
		group[names[i]] = g
	}
	if group["mtypes"] == group["mtypes2"] || group["mtypes2"] != group["mtypes3"] {
		t.Errorf("mtypes and mtypes2 declare type record, mtypes3 and mmethod saver: in packages %v", group)
	}
	var shadow string
	for _, files := range plan.files {
		for name, src := range files {
			if name == "m12_01_json.go" { // mshadow's
				shadow = string(src)
			}
		}
	}
	for _, want := range []string{
		"/*line " + filepath.Join(root, BatchGraft(12), "01_json.go") + ":1:1*/package redisbasics\n",
		"const prefixǀ12 = \"saved\"", "var countǀ12 = 0", "type entry struct {\n\thelper int\n\tcount  int\n}",
		"func (e entry) helper2() int { return e.helper + e.count }", "func helperǀ12(n int) int",
		"func helper2ǀ12() int", "func SaveJSONǀ12(", "table := map[string]int{prefixǀ12: 1}",
		"count := entry{helper: helperǀ12(1), count: table[prefixǀ12]}",
		"count.helper2() != helper2ǀ12() || count.count2() != 1", "prefix := key //",
		"rdb.Set(ctx, prefix, b, 0)", "head:\n\tfor range 1 {\n\t\tbreak head\n", "countǀ12++",
		"helperǀ12(countǀ12)*0, headǀ12[:0]",
	} {
		if !strings.Contains(shadow, want) {
			t.Errorf("mshadow merged lacks %q:\n%s", want, shadow)
		}
	}
	if n := strings.Count(shadow, "\n"); n != strings.Count(mergeTricks["mshadow"]["01_json.go"], "\n") {
		t.Errorf("mshadow merged has %d lines", n)
	}
	// A call of mtypes's helper (of the same type) in mshadow's place
	// type-checks, but resolves to another member's function.
	m, err := newMerger(root, manifest.Package)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.goVersion, "go1.") {
		t.Errorf("checked as Go version %q, not the module's", m.goVersion)
	}
	var members []*mergeMember
	for i, p := range pkgs {
		if mm := m.member(index[i], p); mm != nil {
			members = append(members, mm)
		}
	}
	groups := m.group(members)
	if len(groups) != 2 {
		t.Fatalf("%d packages", len(groups))
	}
	g := groups[group["mshadow"]]
	if g != groups[group["mtypes"]] {
		t.Fatal("mshadow and mtypes in different packages")
	}
	src := string(g.files["m12_01_json.go"])
	g.files["m12_01_json.go"] = []byte(strings.Replace(src, "helperǀ12(1)", "helperǀ13(1)", 1))
	if m.verify(g) {
		t.Error("verify accepts a name that resolves to another member's")
	}
	g.files["m12_01_json.go"] = []byte(src)
	if !m.verify(g) {
		t.Error("verify refuses the package it accepted")
	}
}

// TestMergeRefused: a member that does not type-check, or holds the
// mark, or a file the go command leaves out, is not merged.
func TestMergeRefused(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(root, "solutions", "redisbasics", "01_json.go"))
	if err != nil {
		t.Fatal(err)
	}
	for name, files := range map[string]map[string]string{
		"does not compile":        {"a.go": "package redisbasics\n\nfunc F() int { return \"x\" }\n"},
		"holds the mark":          {"a.go": "package redisbasics\n\nvar s = \"" + mergeMark + "1\"\n"},
		"a file for windows":      {"a_windows.go": "package redisbasics\n\nfunc F() {}\n"},
		"shadows a universe type": {"a.go": "package redisbasics\n\ntype error interface{ Error() string }\n"},
		"a byte order mark":       {"a.go": "\uFEFFpackage redisbasics\n\nfunc F() {}\n"},
	} {
		bad := &Package{Files: map[string][]byte{}, Hash: name}
		for n, src := range files {
			bad.Files[n] = []byte(src)
		}
		ok := &Package{Files: map[string][]byte{"01_json.go": good}, Hash: "ok"}
		ok2 := &Package{Files: map[string][]byte{"01_json.go": good}, Hash: "ok2"}
		plan := planMerge(root, manifest.Package, []*Package{ok, bad, ok2}, []int{0, 1, 2})
		if plan == nil {
			t.Fatalf("%s: nothing merged", name)
		}
		if _, merged := plan.group(bad); merged {
			t.Errorf("%s: merged", name)
		}
		if _, merged := plan.group(ok); !merged {
			t.Errorf("%s: the good ones not merged", name)
		}
	}
}

func TestUnmerged(t *testing.T) {
	if len(mergedDir(7)) != len(graftDir) {
		t.Errorf("mergedDir(7) = %s, not as long as %s", mergedDir(7), graftDir)
	}
	in := "goroutine 7 [running]:\n" + ModulePath + "/" + mergedDir(1) + ".SaveJSONǀ3.func1()\n\t" +
		root + "/" + BatchGraft(3) + "/01_json.go:12 +0x1d"
	want := "goroutine 7 [running]:\n" + ModulePath + "/" + graftDir + ".SaveJSON.func1()\n\t" +
		root + "/" + BatchGraft(3) + "/01_json.go:12 +0x1d"
	if got := unmerged(in, mergedDir(1), "3"); got != want {
		t.Errorf("unmerged:\n%s\nwant:\n%s", got, want)
	}
}

// TestMergePlanAnd: a plan added to another numbers its packages after
// the other's, keeps every member's mark, and is named by all the
// packages' sources, the first plan's name unchanged on its own.
func TestMergePlanAnd(t *testing.T) {
	p0, p1, p2, p3 := &Package{}, &Package{}, &Package{}, &Package{}
	first := &mergePlan{files: []map[string][]byte{{"m0_a.go": []byte("a")}, {"m1_a.go": []byte("b")}},
		byPkg: map[*Package]int{p0: 0, p1: 1}, marks: map[*Package]string{p0: mergeMark + "0", p1: mergeMark + "1"}}
	first.id = planID(first.files)
	more := &mergePlan{files: []map[string][]byte{{"m2_a.go": []byte("c"), "m3_a.go": []byte("d")}},
		byPkg: map[*Package]int{p2: 0, p3: 0}, marks: map[*Package]string{p2: mergeMark + "2", p3: mergeMark + "3"}}
	more.id = planID(more.files)
	if got := first.and(nil); got != first {
		t.Error("a plan and nil is not the plan")
	}
	if got := (*mergePlan)(nil).and(more); got != more {
		t.Error("nil and a plan is not the plan")
	}
	both := first.and(more)
	for p, want := range map[*Package]int{p0: 0, p1: 1, p2: 2, p3: 2} {
		if g, ok := both.group(p); !ok || g != want {
			t.Errorf("group %d, %v; want %d", g, ok, want)
		}
		if both.marks[p] != first.marks[p]+more.marks[p] {
			t.Errorf("mark %q, want %q", both.marks[p], first.marks[p]+more.marks[p])
		}
	}
	if len(both.files) != 3 || string(both.files[2]["m3_a.go"]) != "d" {
		t.Errorf("files %q", both.files)
	}
	if both.id != planID(both.files) || both.id == first.id || both.id == more.id {
		t.Errorf("id %s (first %s, more %s)", both.id, first.id, more.id)
	}
	if first.id != planID(first.files) || len(first.files) != 2 || len(first.byPkg) != 2 {
		t.Error("and changed the first plan")
	}
}

func TestUnmark(t *testing.T) {
	for in, want := range map[string]string{
		"redisbasics.SaveJSONǀ3(...)":      "redisbasics.SaveJSON(...)",
		"redisbasics.headǀ3[...](...)":     "redisbasics.head[...](...)",
		"redisbasics.SaveJSONǀ3.func1()":   "redisbasics.SaveJSON.func1()",
		"aǀ3bǀ3 _ǀ3 é1ǀ3":                  "ab _ é1",
		"a word: ǀ3, ǀ3x, xǀ31, yǀ4 and ǀ": "a word: ǀ3, ǀ3x, xǀ31, yǀ4 and ǀ",
		"nothing marked":                   "nothing marked",
		"xǀ3":                              "x",
	} {
		if got := unmark(in, mergeMark+"3"); got != want {
			t.Errorf("unmark(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBatchFailureKept: a batch whose first build fails (a member does
// not compile) builds once when it is built again, its failure kept, and
// comes to the same harnesses.
func TestBatchFailureKept(t *testing.T) {
	dir := t.TempDir()
	broken, err := txtar.ParseFile("testdata/compile-error.txtar")
	if err != nil {
		t.Fatal(err)
	}
	submission(t, dir, "a", "solutions", nil)
	submission(t, dir, "b", "solutions", broken.Files)
	submission(t, dir, "c", "exercises", nil)
	pkgs := inertPackages(t, dir, []string{"a", "b", "c"})
	build := func() (int64, string) {
		t.Helper()
		before := batchBuilds.Load()
		var mu sync.Mutex
		got := map[string]string{}
		buildBatches(context.Background(), Options{Root: root, Isolated: classBuilds}, manifest, pkgs, make(chan struct{}, 1),
			func(p *Package, b *built) {
				mu.Lock()
				defer mu.Unlock()
				if b == nil {
					got[p.Display] = "alone"
					return
				}
				got[p.Display] = fmt.Sprintf("%s %s merged=%v broken=%v", filepath.Base(b.h.Shim), b.h.sub, b.h.merged != "", b.broken)
			})
		return batchBuilds.Load() - before, fmt.Sprint(got)
	}
	n1, first := build()
	n2, again := build()
	if n1 != 2 || n2 != 1 {
		t.Errorf("%d builds, and %d built again; want 2 (one failed), and 1", n1, n2)
	}
	if first != again {
		t.Errorf("built again:\n%s\nfirst:\n%s", again, first)
	}
	if !strings.Contains(first, "merged=true") {
		t.Errorf("none merged: %s", first)
	}
}

// keptMerged says whether the build cache holds a merged package (see
// merge.go) of a built batch with pkg's files in it, and whether a
// batch's overlay names it.
func keptMerged(pkg *Package) bool {
	dirs, _ := filepath.Glob(filepath.Join(build.CacheDir(), "sources", "grade", "merge-*"))
	overlays, _ := filepath.Glob(filepath.Join(build.CacheDir(), "sources", "grade", "batch-*.json"))
	bins, _ := filepath.Glob(filepath.Join(build.CacheDir(), classBuilds+"b*"))
	if len(bins) == 0 {
		return false
	}
	for _, d := range dirs {
		named := slices.ContainsFunc(overlays, func(o string) bool {
			b, _ := os.ReadFile(o)
			return bytes.Contains(b, []byte(d+string(filepath.Separator)))
		})
		if !named {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(d, "g*", "m*_*.go"))
		found := map[string]bool{}
		for _, f := range files {
			b, _ := os.ReadFile(f)
			_, src, ok := strings.Cut(string(b), ":1:1*/")
			index, name, _ := strings.Cut(strings.TrimPrefix(filepath.Base(f), "m"), "_")
			if ok && unmark(src, mergeMark+index) == string(pkg.Files[name]) {
				found[name] = true
			}
		}
		if len(found) == len(pkg.Files) {
			return true
		}
	}
	return false
}

// TestMergedPackageFails: a batch whose merged package does not compile
// is built again with a package per member, as before merging: here the
// compiler's message is in no member's files (alone too, it names the
// graft), so each is built alone, and reads as it does alone.
func TestMergedPackageFails(t *testing.T) {
	dir := t.TempDir()
	submission(t, dir, "a", "solutions", nil)
	submission(t, dir, "huge", "solutions", []txtar.File{{Name: "redisbasics/huge.go", Data: []byte(tooLarge)}})
	submission(t, dir, "c", "exercises", nil)
	var pkgs []*Package
	for _, name := range []string{"a", "huge", "c"} {
		p, err := ReadPackage(filepath.Join(dir, name, "redisbasics"), name, "")
		if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if plan := planMerge(root, manifest.Package, pkgs, []int{0, 1, 2}); plan == nil || len(plan.marks) != 3 {
		t.Fatal("go/types does not accept the three: the test tests nothing")
	}
	opt := Options{Root: root, Isolated: classBuilds}
	var mu sync.Mutex
	got := map[string]*built{}
	before := batchBuilds.Load()
	buildBatches(context.Background(), opt, manifest, pkgs, make(chan struct{}, 1), func(p *Package, b *built) {
		mu.Lock()
		defer mu.Unlock()
		got[p.Display] = b
	})
	if n := batchBuilds.Load() - before; n != 2 {
		t.Errorf("%d builds, want 2: merged, and not", n)
	}
	for _, name := range []string{"a", "huge", "c"} {
		if b, ok := got[name]; !ok || b != nil {
			t.Errorf("%s: %v, want to be built alone", name, b)
		}
	}
	_, err := buildGraded(context.Background(), pkgs[1], manifest, opt)
	defer RemoveIsolated(classBuilds, pkgs[1])
	if _, ok := errors.AsType[*build.CompileError](err); !ok {
		t.Errorf("huge alone: %v, want it not to compile", err)
	}
}

// inertPackages reads the submissions names of dir, each of which must be
// inert (see inert): a test of merging that merged none tests nothing.
func inertPackages(t *testing.T, dir string, names []string) []*Package {
	t.Helper()
	var pkgs []*Package
	for _, name := range names {
		p, err := ReadPackage(filepath.Join(dir, name, "redisbasics"), name, "")
		if err != nil {
			t.Fatal(err)
		}
		if !Inert(p, manifest.Package) {
			t.Fatalf("%s is not inert", name)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}
