package site

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/site/internal/browsertest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// course writes the fixture course (testdata/course.txtar) into a new
// folder and returns it.
func course(t testing.TB) string {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/course.txtar")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, f := range ar.Files {
		p := filepath.Join(root, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// fakeRunner stands for notebook.Run: each cell that runs on the backend
// prints its expected output, or what printed["01-basics.md:2"] says. It
// counts its runs.
type fakeRunner struct {
	mu      sync.Mutex
	printed map[string]string
	fail    map[string]error // chapter file name -> error to return
	runs    []string
	did     map[string]notebook.CellResult // "file:cell" -> Commands, Trips and Keys to report
}

func (f *fakeRunner) run(_ context.Context, ch *chapter.Chapter) (*notebook.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := filepath.Base(ch.Path)
	f.runs = append(f.runs, name)
	if err := f.fail[name]; err != nil {
		return nil, err
	}
	res := &notebook.Result{Chapter: ch, Backend: chapter.Miniredis}
	for _, c := range ch.Cells() {
		cr := &notebook.CellResult{Cell: c, Ran: c.Runs(chapter.Miniredis)}
		if cr.Ran {
			if out, ok := f.printed[fmt.Sprintf("%s:%d", name, c.Index)]; ok {
				cr.Output = out
			} else if c.Expected != nil {
				picturesAsExpected(cr, c.Expected.Text)
			}
			did := f.did[fmt.Sprintf("%s:%d", name, c.Index)]
			cr.Commands, cr.Trips, cr.Keys = did.Commands, did.Trips, did.Keys
		}
		res.Cells = append(res.Cells, cr)
	}
	return res, nil
}

func picturesAsExpected(cr *notebook.CellResult, expected string) {
	browsertest.AsRecorded(cr, expected)
}

func (f *fakeRunner) takeRuns() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.runs
	f.runs = nil
	return r
}

func options(root string, f *fakeRunner) Options {
	return Options{Root: root, Out: filepath.Join(root, "public"), Run: f.run, CacheDir: filepath.Join(root, ".cache")}
}

func mustBuild(t testing.TB, opt Options) *Report {
	t.Helper()
	rep, err := Render(context.Background(), opt)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return rep
}

func readFile(t testing.TB, p string) string {
	t.Helper()
	return browsertest.ReadFile(t, p)
}

// TestGolden renders the fixture course and compares pages with
// testdata/golden; go test ./site -run Golden -update rewrites them.
func TestGolden(t *testing.T) {
	root := course(t)
	opt := options(root, &fakeRunner{})
	mustBuild(t, opt)
	for _, name := range []string{"index.html", "01-basics.html", "02-lists.html", "exercise-01-json.html", "exercise-02-lists.html"} {
		got := readFile(t, filepath.Join(opt.Out, name))
		golden := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want := readFile(t, golden)
		if got != want {
			t.Errorf("%s differs from %s (go test ./site -run Golden -update rewrites it):\n%s", name, golden, firstDifference(want, got))
		}
	}
}

// firstDifference shows the first line that differs, for a readable
// failure.
func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, w, g)
		}
	}
	return "(same lines, different bytes)"
}

// TestPageContents checks what the golden files hold, so that an -update
// cannot quietly accept a page that lost its point.
func TestPageContents(t *testing.T) {
	root := course(t)
	opt := options(root, &fakeRunner{})
	mustBuild(t, opt)
	page := func(name string) string { return readFile(t, filepath.Join(opt.Out, name)) }

	basics := page("01-basics.html")
	for _, want := range []string{
		`<span class="hl-keyword">for</span>`, // Go highlighted
		`<span class="hl-comment">// A comment, and a string with &lt;html&gt; in it.</span>`,
		`<div class="output-label">Output</div><pre class="output"><samp>hello &lt;nil&gt; 42`, // the output under its cell
		`class="cell cell-norun" id="cell-2"`,
		`This cell runs only on a real Redis server`,
		`<code class="language-sh">redis-cli INCR counter`,
		`so is &lt;b&gt;inline HTML&lt;/b&gt; here`,                   // raw HTML escaped
		`<pre class="html-source">&lt;div class=&quot;note&quot;&gt;`, // HTML block escaped
		`<blockquote>`,
		`x <span class="hl-op">:=</span> <span class="hl-number">1</span>`, // a quoted go fence: highlighted
		`href="02-lists.html#pushing-and-popping"`,                         // .md links become pages
		`href="index.html"`,
		`href="exercise-01-json.html"`,
		`src="media/chapters/diagram.svg"`,
		`<a class="pager-prev" rel="prev" href="index.html">`,
		`<a class="pager-next" rel="next" href="02-lists.html">`,
		`<li class="outline-2"><a href="#setting-a-key">Setting a key</a></li>`,
		`<table>`,
		`<a class="cell-label" href="#cell-1" title="Link to cell 1" tabindex="-1">[1]</a>`,
		`<footer class="footer">Outputs recorded on miniredis`,
	} {
		if !strings.Contains(basics, want) {
			t.Errorf("01-basics.html lacks %s", want)
		}
	}
	if strings.Contains(basics, "```output") || strings.Contains(basics, `language-output`) {
		t.Error("01-basics.html shows an ```output fence; it should show only the run's output")
	}

	lists := page("02-lists.html")
	if !strings.Contains(lists, "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>") {
		t.Error("02-lists.html escaped the raw HTML of a chapter that allows it")
	}
	for _, want := range []string{
		// an error stands out, by its label and its line
		`<div class="cell-output cell-error"><div class="output-label">Output, with an error</div><pre class="output"><samp><span class="out-error">error: redis: can't marshal []int`,
		// the chapter's exercise links to its page, and is linked to
		`<p id="exercise-1"><a href="exercise-01-json.html"><strong>Exercise 1</strong></a>`,
	} {
		if !strings.Contains(lists, want) {
			t.Errorf("02-lists.html lacks %s", want)
		}
	}

	ex := page("exercise-01-json.html")
	for _, want := range []string{
		`<span class="hl-func">SaveJSON</span>`,
		`<p><code>SaveJSON</code> stores v at key as one JSON string.`, // Go in the docs is code
		`<p>Use <code>json.Marshal</code> and SET.`,
		`<p><code>json.Marshal</code>, then SET.</p>`, // and in the hint
		`Set in <a href="02-lists.html#exercise-1">Lists · Your turn</a>`,
		`<footer class="footer">Built by`,
		`A Redis string holds bytes, not Go values`,
		`<details class="solution">`,
		`<span class="hl-func">decode</span>`, // the solution's helper
		`<span class="hl-comment">// nothing stored</span>`,
		`go run ./runner check 1`,
		`<details class="hint">`,
	} {
		if !strings.Contains(ex, want) {
			t.Errorf("exercise-01-json.html lacks %s", want)
		}
	}
	if strings.Contains(ex, "Outputs recorded") {
		t.Error("the exercise page's footer speaks of outputs it does not show")
	}
	if strings.Contains(ex, "Exercise 1: store a value") {
		t.Error("the exercise page repeats the stub's 'Exercise 1:' line")
	}
	ex2 := page("exercise-02-lists.html")
	if !strings.Contains(ex2, `<span class="hl-keyword">type</span> Queue <span class="hl-keyword">struct</span>`) || strings.Contains(ex2, `class="solution"`) {
		t.Error("exercise-02-lists.html: want the stub's type, and no solution (there is none)")
	}

	index := page("index.html")
	for _, want := range []string{`href="01-basics.html"`, `href="01-basics.html#numbers"`, `href="exercise-02-lists.html"`, "<h1 id=\"contents\">Fixture course</h1>"} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %s", want)
		}
	}
}

func TestExecutionCache(t *testing.T) {
	root := course(t)
	f := &fakeRunner{}
	opt := options(root, f)

	rep := mustBuild(t, opt)
	if got := f.takeRuns(); len(got) != 2 || len(rep.Reused) != 0 {
		t.Fatalf("cold build: ran %v, reused %v; want both chapters run", got, rep.Reused)
	}

	rep = mustBuild(t, opt)
	if got := f.takeRuns(); len(got) != 0 || len(rep.Reused) != 2 {
		t.Fatalf("warm build: ran %v, reused %v; want nothing run", got, rep.Reused)
	}
	if !strings.Contains(rep.Summary(), "reused 2 chapter runs") {
		t.Errorf("summary %q does not say what was reused", rep.Summary())
	}

	// A prose edit re-renders without running.
	basics := filepath.Join(root, "chapters", "01-basics.md")
	edit(t, basics, "Set a key, then read it back:", "Set a key, then read it back again:")
	rep = mustBuild(t, opt)
	if got := f.takeRuns(); len(got) != 0 {
		t.Fatalf("after a prose edit: ran %v, want nothing", got)
	}
	if !strings.Contains(readFile(t, filepath.Join(opt.Out, "01-basics.html")), "read it back again:") {
		t.Fatal("the page does not show the edited prose")
	}

	// A code edit runs that chapter only.
	edit(t, basics, `fmt.Println(n)`, `fmt.Println("n =", n)`)
	mustBuild(t, opt)
	if got := f.takeRuns(); len(got) != 1 || got[0] != "01-basics.md" {
		t.Fatalf("after a code edit in 01-basics.md: ran %v", got)
	}

	// A file the cells may read changes: every chapter runs.
	edit(t, filepath.Join(root, "chapters", "words.txt"), "two", "three")
	mustBuild(t, opt)
	if got := f.takeRuns(); len(got) != 2 {
		t.Fatalf("after editing chapters/words.txt: ran %v, want both chapters", got)
	}

	// Other backends are other runs.
	opt.Backend, opt.BackendID = chapter.Redis, "redis://localhost:6379"
	mustBuild(t, opt)
	if got := f.takeRuns(); len(got) != 2 {
		t.Fatalf("on another backend: ran %v, want both chapters", got)
	}
}

func edit(t testing.TB, path, old, new string) {
	t.Helper()
	s := readFile(t, path)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(s, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A failed build leaves the previous site whole and no temporary folders.
func assertPreviousSite(t *testing.T, out, before string) {
	t.Helper()
	if got := readFile(t, filepath.Join(out, "01-basics.html")); got != before {
		t.Error("the failed build changed the previous site")
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".new-") || strings.Contains(e.Name(), ".old-") {
			t.Errorf("the failed build left %s behind", e.Name())
		}
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name      string
		file      string // relative to the course root
		old, new  string
		wantInErr string
	}{
		{"unclosed fence", "chapters/01-basics.md", "```sh\nredis-cli INCR counter\n```", "```sh\nredis-cli INCR counter\n",
			"01-basics.md:54: fence ```sh opened here is never closed"},
		{"cell inside a list", "chapters/01-basics.md", "Set a key, then read it back:\n\n```go\n", "- Set a key, then read it back:\n\n  ```go\n",
			"01-basics.md:11: this ```go cell is not a fenced code block at the top level"},
		{"link to a missing anchor", "chapters/02-lists.md", "[Basics](01-basics.md)", "[Basics](01-basics.md#nowhere)",
			`02-lists.md:30: link to 01-basics.md#nowhere: chapters/01-basics.md has no heading or cell with id "nowhere"`},
		{"link to a missing page", "chapters/01-basics.md", "the [README](../README.md)", "the [README](../NOTES.md)",
			"01-basics.md:4: link to ../NOTES.md: the site has no page for NOTES.md"},
		{"link to a missing anchor here", "chapters/01-basics.md", "[a cell](#cell-1)", "[a cell](#cell-9)",
			"01-basics.md:66: link to #cell-9: no heading or cell has that id on this page"},
		{"missing image", "chapters/01-basics.md", "(diagram.svg)", "(diagram.png)", "01-basics.md:68: image diagram.png: no such file"},
		{"manifest syntax", "exercises/exercises.json", `"points": 2,`, `"points": 2,,`,
			"exercises.json:8: invalid character ','"},
		{"exercise func missing", "exercises/exercises.json", `"funcs": ["PushFront"]`, `"funcs": ["PushBack"]`,
			"02_lists.go: exercise 2 lists func PushBack, which this file does not declare"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := course(t)
			f := &fakeRunner{}
			opt := options(root, f)
			mustBuild(t, opt)
			before := readFile(t, filepath.Join(opt.Out, "01-basics.html"))
			f.takeRuns()

			edit(t, filepath.Join(root, filepath.FromSlash(tc.file)), tc.old, tc.new)
			_, err := Render(context.Background(), opt)
			if err == nil {
				t.Fatal("the build succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantInErr) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tc.wantInErr)
			}
			if !IsInputError(err) {
				t.Errorf("IsInputError(%T) = false, want true (exit status 2)", err)
			}
			if runs := f.takeRuns(); len(runs) > 0 {
				t.Errorf("bad input still ran %v", runs)
			}
			assertPreviousSite(t, opt.Out, before)
		})
	}
}

func TestFailingCell(t *testing.T) {
	root := course(t)
	f := &fakeRunner{}
	opt := options(root, f)
	mustBuild(t, opt)
	before := readFile(t, filepath.Join(opt.Out, "01-basics.html"))

	edit(t, filepath.Join(root, "chapters", "01-basics.md"), "fmt.Println(n)", "panic(n)")
	cellErr := &notebook.CellError{Path: "chapters/01-basics.md", Line: 47, What: "panicked", Msg: "1",
		Cell: &chapter.Cell{Index: 4}}
	f.fail = map[string]error{"01-basics.md": cellErr}
	_, err := Render(context.Background(), opt)
	if !errors.Is(err, cellErr) {
		t.Fatalf("err = %v, want the cell's error", err)
	}
	if IsInputError(err) {
		t.Error("a failing cell counted as bad input")
	}
	if !strings.Contains(err.Error(), "chapters/01-basics.md:47: cell 4 panicked") {
		t.Errorf("error %q lacks file:line", err)
	}
	assertPreviousSite(t, opt.Out, before)

	// The failed run was not cached: fixed, it runs again.
	f.fail = nil
	edit(t, filepath.Join(root, "chapters", "01-basics.md"), "panic(n)", "fmt.Println(n)")
	f.takeRuns()
	mustBuild(t, opt)
	if runs := f.takeRuns(); len(runs) != 0 {
		t.Errorf("back to the cached code: ran %v, want the cached run", runs)
	}
}

func TestMismatch(t *testing.T) {
	root := course(t)
	f := &fakeRunner{printed: map[string]string{"01-basics.md:4": "2\n"}}
	opt := options(root, f)
	_, err := Render(context.Background(), opt)
	var me *MismatchError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a *MismatchError", err)
	}
	for _, want := range []string{"01-basics.md:48: cell 4 printed something else than expected", "- 1", "+ 2", "--keep-going"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error:\n%v\nlacks %q", err, want)
		}
	}
	if _, err := os.Stat(opt.Out); !os.IsNotExist(err) {
		t.Error("a build with differing outputs wrote the site")
	}

	opt.KeepGoing = true
	rep := mustBuild(t, opt)
	if len(rep.Mismatches) != 1 {
		t.Fatalf("keep going: %d mismatches reported, want 1", len(rep.Mismatches))
	}
	page := readFile(t, filepath.Join(opt.Out, "01-basics.html"))
	if !strings.Contains(page, `<div class="cell-output cell-differs">`) || !strings.Contains(page, "<samp>2\n</samp>") {
		t.Error("the page does not show the differing output")
	}

	// The unordered output of 02-lists.md matches in another order.
	f.printed = map[string]string{"02-lists.md:1": "one\n[a b c]\ntwo\n"}
	opt.CacheDir, opt.KeepGoing = "", false
	mustBuild(t, opt)
}

func TestRefusesToReplaceOtherFolders(t *testing.T) {
	root := course(t)
	opt := options(root, &fakeRunner{})
	opt.Out = filepath.Join(root, "chapters")
	_, err := Render(context.Background(), opt)
	if err == nil || !strings.Contains(err.Error(), "refusing to replace") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(root, "chapters", "01-basics.md")); err != nil {
		t.Fatal("the build touched a folder that is not a site")
	}
}

func TestReplacesItsOwnSite(t *testing.T) {
	root := course(t)
	opt := options(root, &fakeRunner{})
	mustBuild(t, opt)
	stale := filepath.Join(opt.Out, "stale.html")
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, opt)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("a file of the previous build survived the next one")
	}
}

func TestSearchIndex(t *testing.T) {
	root := course(t)
	opt := options(root, &fakeRunner{})
	mustBuild(t, opt)
	matches, _ := filepath.Glob(filepath.Join(opt.Out, "assets", "search-index.*.js"))
	if len(matches) != 1 {
		t.Fatalf("search index files: %v", matches)
	}
	js := readFile(t, matches[0])
	for _, want := range []string{
		`"pages":["Basics: strings & numbers","Lists","Exercise 1: Store a value as JSON","Exercise 2: Push to the front"]`,
		`"t":"Searching for needles","u":"02-lists.html#searching-for-needles","x":"Search the course for the word haystack; a needle is in this section. Previous: Basics."`,
		`{"p":2,"u":"exercise-01-json.html"`,
		// a cell, with its output, leads to the cell
		`{"p":1,"u":"02-lists.html#cell-3","x":"rdb.Set(ctx, \"t\", []int{1, 2, 3}, 0).Err() error: redis: can't marshal []int (implement encoding.BinaryMarshaler)","c":true}`,
		// a shell block is code too, under its section
		`{"p":0,"u":"01-basics.html#numbers","x":"redis-cli INCR counter","c":true}`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("search index lacks %s", want)
		}
	}
	// Prose entries hold no code.
	if strings.Contains(js, `A long line scrolls rather than being cut off, and wraps in its output: fmt`) {
		t.Error("a prose entry of the search index holds a cell's code")
	}
	if !bytes.HasPrefix([]byte(js), []byte("window.SEARCH_INDEX = {")) {
		t.Error("the search index is not a script setting window.SEARCH_INDEX")
	}
}

// TestCellFacts: under a cell's output the page says what the cell did to
// Redis in the recorded run, as walk --keys does, also when the run comes
// from the execution cache.
func TestCellFacts(t *testing.T) {
	root := course(t)
	f := &fakeRunner{did: map[string]notebook.CellResult{
		"01-basics.md:1": {Commands: 3, Trips: 1, Keys: &protocol.KeyChanges{
			Created: []protocol.Key{{Name: "greeting", Type: "string", Size: 5}}, CreatedN: 4,
			Deleted: []protocol.Key{{Name: "old", Type: "hash"}}, DeletedN: 1,
		}},
	}}
	opt := options(root, f)
	want := `<p class="cell-facts">+ greeting (string, 5 bytes), and 3 more<br>- old (hash)<br>sent 3 commands in 1 round trip</p>`
	for _, build := range []string{"a run", "the cache"} {
		mustBuild(t, opt)
		page := readFile(t, filepath.Join(opt.Out, "01-basics.html"))
		if !strings.Contains(page, want) {
			t.Errorf("from %s, the page does not show cell 1's facts %s", build, want)
		}
		if strings.Count(page, `class="cell-facts"`) != 1 {
			t.Errorf("from %s, cells that sent nothing show facts too", build)
		}
	}
	if runs := f.takeRuns(); len(runs) != 2 {
		t.Errorf("ran %v; want each chapter once, then the cache", runs)
	}
}
