package inpage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/site"
	"github.com/redis-notebook/tutorial/site/internal/browsertest"
)

// toolchainSiteOnce builds the tutorial's site with the in-page toolchain,
// once for the package's tests: it is the same site each time.
var toolchainSiteOnce struct {
	sync.Once
	dir string
	err error
}

// manifest is the part of the site's toolchain manifest (run/toolchain-*.json)
// the page reads to know what the first edit fetches.
type manifest struct {
	Worker  string `json:"worker"`
	Compile string `json:"compile"`
	Link    string `json:"link"`
	Gen     string `json:"gen"`
	Bundle  string `json:"bundle"`
	Extras  map[string]struct {
		Bundle string `json:"bundle"`
	} `json:"extras"`
	Chapters map[string]struct {
		Source    string            `json:"source"`
		DataFiles map[string]string `json:"dataFiles"`
	} `json:"chapters"`
}

// TestMain removes the toolchain site the tests shared.
func TestMain(m *testing.M) {
	code := m.Run()
	if d := toolchainSiteOnce.dir; d != "" {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// toolchainSite is the tutorial's site with chapter programs and the
// in-page toolchain, and chapter 1.
func toolchainSite(t *testing.T) (string, *chapter.Chapter) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := chapter.Load(filepath.Join(root, "chapters", "01-redis.md"))
	if err != nil {
		t.Fatal(err)
	}
	o := &toolchainSiteOnce
	o.Do(func() {
		o.dir, o.err = os.MkdirTemp("", "toolchain-site-")
		if o.err != nil {
			return
		}
		opt := site.Options{Root: root, Out: filepath.Join(o.dir, "public"), Run: browsertest.RecordedRun,
			Browser: func(ctx context.Context, ch *chapter.Chapter) (*site.BrowserProgram, error) {
				return site.CompileWasm(ctx, root, ch, nil)
			},
			Toolchain: func(ctx context.Context, roots []string, extras map[string][]string) (*site.Toolchain, error) {
				return site.BuildToolchain(ctx, root, roots, extras, nil)
			}}
		_, o.err = site.Render(context.Background(), opt)
	})
	if o.err != nil {
		t.Fatal(o.err)
	}
	return filepath.Join(o.dir, "public"), ch
}

// staticServer serves the site as any static server would: files, no
// Content-Encoding, no /_run.
func staticServer(t *testing.T, dir string) *httptest.Server {
	ts := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(ts.Close)
	return ts
}

// compileInNode runs jobs through compile-worker.js under node, as the
// page's Worker would, and returns each job's result file's folder.
func compileInNode(t *testing.T, site, manifest string, jobs []map[string]any) string {
	t.Helper()
	node := browsertest.Node(t)
	out := t.TempDir()
	js, _ := json.Marshal(jobs)
	jobsFile := filepath.Join(out, "jobs.json")
	if err := os.WriteFile(jobsFile, js, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "testdata/compile-node.js", site, manifest, jobsFile, out)
	b, err := cmd.CombinedOutput()
	t.Logf("node: %s", b)
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	return out
}

type nodeResult struct {
	Wasm   bool
	Ms     int
	Errors []struct {
		File    string
		Cell    int
		Line    int
		Col     int
		Message string
	}
}

func readResult(t *testing.T, dir, name string) nodeResult {
	t.Helper()
	var r nodeResult
	if err := json.Unmarshal([]byte(browsertest.ReadFile(t, filepath.Join(dir, name+".json"))), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// runWasmNode runs a program built for js/wasm under node and returns its
// output.
func runWasmNode(t *testing.T, wasm string) string {
	t.Helper()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	execNode := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec_node.js")
	out, err := exec.Command(browsertest.Node(t), execNode, wasm).CombinedOutput()
	if err != nil {
		t.Fatalf("running %s: %v\n%s", wasm, err, out)
	}
	return string(out)
}

// manifestURL is the toolchain manifest the chapter page names.
func manifestURL(t *testing.T, site, base string) string {
	t.Helper()
	page := browsertest.ReadFile(t, filepath.Join(site, "01-redis.html"))
	m := browsertest.Between(page, `data-toolchain="`, `"`)
	if m == "" {
		t.Fatal("the chapter page names no toolchain (data-toolchain)")
	}
	return base + "/" + m
}

// TestCompileInNode compiles and links, with the toolchain the site ships
// and compile-worker.js, a two-package go-redis program that embeds a file,
// and runs it; a program that does not compile gets its errors by file and
// line; an edited chapter builds, or names the edited cell's line.
func TestCompileInNode(t *testing.T) {
	site, ch := toolchainSite(t)
	ts := staticServer(t, site)
	manifest := manifestURL(t, site, ts.URL)
	var printCell int
	for _, c := range ch.Cells() {
		if c.Runs(chapter.Miniredis) && strings.Contains(c.Code, "fmt.Println") {
			printCell = c.Index
			break
		}
	}
	if printCell == 0 {
		t.Fatal("chapter 1 has no cell that prints with fmt.Println")
	}
	lib := map[string]any{"importPath": "example.com/greet", "files": map[string]string{
		"greet.go": "package greet\n\nimport _ \"embed\"\n\n//go:embed hello.txt\nvar Hello string\n",
	}, "embed": map[string]any{"hello.txt": map[string]string{"hello.txt": "hello from an embedded file"}}}
	mainPkg := map[string]any{"importPath": "main", "files": map[string]string{"main.go": `package main

import (
	"context"
	"fmt"

	"example.com/greet"
	"github.com/redis-notebook/tutorial/runner/embedded"
	"github.com/redis/go-redis/v9"
)

func main() {
	srv, err := embedded.New()
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	rdb := redis.NewClient(srv.ClientOptions())
	rdb.Set(ctx, "greeting", greet.Hello, 0)
	fmt.Println("GET greeting:", rdb.Get(ctx, "greeting").Val())
}
`}}
	broken := map[string]any{"importPath": "main", "files": map[string]string{"broken.go": "package main\n\nfunc main() {\n\tx := 1\n\tundefinedThing(x)\n}\n"}}
	out := compileInNode(t, site, manifest, []map[string]any{
		{"name": "redis", "type": "build", "packages": []any{lib, mainPkg}},
		{"name": "broken", "type": "build", "packages": []any{broken}},
		{"name": "chapter", "type": "buildChapter", "chapter": "01-redis.md", "cells": map[string]string{
			strconv.Itoa(printCell): "fmt.Println(\"edited in the page\")"}},
		{"name": "chapterBroken", "type": "buildChapter", "chapter": "01-redis.md", "cells": map[string]string{
			strconv.Itoa(printCell): "fmt.Println(\"fine\")\nnotDeclared++"}},
	})

	if r := readResult(t, out, "redis"); !r.Wasm {
		t.Fatalf("building the go-redis program: %+v", r)
	} else {
		t.Logf("go-redis program: built in %d ms", r.Ms)
	}
	if got := runWasmNode(t, filepath.Join(out, "redis.wasm")); !strings.Contains(got, "GET greeting: hello from an embedded file") {
		t.Errorf("the program built in node printed %q", got)
	}

	r := readResult(t, out, "broken")
	if r.Wasm || len(r.Errors) == 0 {
		t.Fatalf("a program calling an undefined function built: %+v", r)
	}
	if e := r.Errors[0]; e.File != "broken.go" || e.Line != 5 || e.Col != 2 || !strings.Contains(e.Message, "undefined: undefinedThing") {
		t.Errorf("the compile error is %+v, want broken.go:5:2 undefined: undefinedThing", e)
	}

	if r := readResult(t, out, "chapter"); !r.Wasm {
		t.Fatalf("building the edited chapter: %+v", r)
	} else {
		t.Logf("edited chapter: generated and built in %d ms", r.Ms)
	}
	r = readResult(t, out, "chapterBroken")
	if r.Wasm || len(r.Errors) == 0 {
		t.Fatalf("an edit using an undeclared name built: %+v", r)
	}
	if e := r.Errors[0]; e.Cell != printCell || e.Line != 2 || e.Col != 1 || !strings.Contains(e.Message, "undefined: notDeclared") {
		t.Errorf("the edited chapter's error is %+v, want cell %d line 2:1 undefined: notDeclared", e, printCell)
	}
}

// replaceCode puts code in place of a cell editor's whole text, as a
// reader's select-all and paste does.
func replaceCode(content, code string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, a := range []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(content)),
			chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), browsertest.InsertText(code)} {
			if _, err := a(ctx, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestBrowserEditStatic edits a cell of chapter 1 on a plain static server
// (no serve, no Go): the tab compiles the chapter with the edit and the
// cell shows its new output; an edit that does not compile shows the
// error at the cell, in the cell's own lines. Nothing of the compiler
// loads before the first edited Run.
func TestBrowserEditStatic(t *testing.T) {
	ctx := browsertest.Browser(t, 6*time.Minute)
	out, ch := toolchainSite(t)
	ts := staticServer(t, out)
	cell := browsertest.CellWhere(t, ch, "shows a signature", func(c *chapter.Cell) bool { return strings.Contains(c.Code, `signature("stare")`) })
	sel := func(s string) string { return fmt.Sprintf("#cell-%d %s", cell, s) }
	status := func() string {
		return browsertest.Eval[string](t, ctx, `document.querySelector(".nb-status").textContent`)
	}

	browsertest.Do(t, ctx, "open chapter 1", chromedp.Navigate(ts.URL+"/01-redis.html"), chromedp.Click(chromedp.CSS(sel(".nb-edit"))))
	if browsertest.Eval[bool](t, ctx, `!!globalThis.NotebookCompiler || !!document.querySelector('script[src*="compile."]')`) {
		t.Error("the in-page compiler loaded before any edited Run")
	}
	browsertest.Poll(t, ctx, "the editor opens on Edit", fmt.Sprintf(`!!document.querySelector(%q)`, sel(".cm-content")), 30*time.Second)
	original := ch.Cells()[cell-1].Code
	edited := strings.Replace(original, `signature("stare")`, `signature("dcba")`, 1)
	browsertest.Do(t, ctx, "edit the cell", replaceCode(sel(".cm-content"), edited), chromedp.Click(chromedp.CSS(sel(".nb-run"))))
	c, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](fmt.Sprintf(`!!document.querySelector(%q)`, sel(".cell-live[data-ms]")),
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(0))); err != nil {
		t.Fatalf("the edited cell did not run: %v; status: %s", err, status())
	}
	if live := browsertest.Eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).textContent`, sel(".cell-live samp"))); strings.TrimSpace(live) != `"abcd"` {
		t.Errorf("the edited cell printed %q, want \"abcd\"", live)
	}
	if label := browsertest.Eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).textContent`, sel(".cell-live .output-label"))); !strings.Contains(label, "in this tab, edited") || !strings.Contains(label, "differs") {
		t.Errorf("the edited cell's output is labelled %q, want it run in the browser, edited, differing from the recorded one", label)
	}
	// The cells before it ran too, as written: the first one's output is
	// the recorded one.
	first := browsertest.CellWhere(t, ch, "runs in the browser with a recorded output", func(c *chapter.Cell) bool {
		return c.Runs(chapter.Miniredis) && c.Expected != nil && strings.TrimSpace(c.Expected.Text) != ""
	})
	if first >= cell {
		t.Fatalf("the first cell with an output, %d, is not before the edited one, %d", first, cell)
	}
	if !browsertest.Eval[bool](t, ctx, fmt.Sprintf(`!!document.querySelector("#cell-%d .cell-live.live-same")`, first)) {
		t.Errorf("cell %d, before the edited one, did not run to its recorded output", first)
	}

	// The toolchain's files are kept in Cache Storage: a second visit
	// fetches nothing, whatever the server says of caching.
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`caches.open("notebook-compiler").then((c) => c.keys()).then((ks) => ks.map((r) => r.url))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"/run/compile-", "/run/link-", "/run/gen-", "/run/archives-", "/run/chapter-01-redis-"} {
		if !slices.ContainsFunc(kept, func(u string) bool { return strings.Contains(u, name) }) {
			t.Errorf("Cache Storage keeps %q, not %s*", kept, name)
		}
	}

	// An edit that does not compile: a comment line first, so the error's
	// line in the cell is not its line in the original.
	callLine := 0
	for i, l := range strings.Split(ch.Cells()[cell-1].Code, "\n") {
		if strings.Contains(l, `signature("stare")`) {
			callLine = i + 2
		}
	}
	broken := "// a comment first\n" + strings.Replace(original, `signature("stare")`, `signature(undefinedName)`, 1)
	browsertest.Do(t, ctx, "break the cell", replaceCode(sel(".cm-content"), broken), chromedp.Click(chromedp.CSS(sel(".nb-run"))))
	if _, err := chromedp.Run(c, chromedp.Poll[bool](fmt.Sprintf(`(() => {
		const b = document.querySelector(%q);
		return !!b && b.classList.contains("live-failed") && b.textContent.includes("undefinedName");
	})()`, sel(".cell-live")), chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(0))); err != nil {
		t.Fatalf("the compile error is not shown at the cell: %v; status: %s", err, status())
	}
	shown := browsertest.Eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).textContent`, sel(".cell-live")))
	if !strings.Contains(shown, "Does not compile") || !strings.Contains(shown, fmt.Sprintf("line %d:", callLine)) {
		t.Errorf("the cell shows %q, want \"Does not compile\" and its line %d", shown, callLine)
	}

	// Reverted, the chapter runs as written again.
	browsertest.Do(t, ctx, "reset and run", chromedp.Click(chromedp.CSS(sel(".nb-reset"))), chromedp.Click(chromedp.CSS(sel(".nb-run"))))
	if _, err := chromedp.Run(c, chromedp.Poll[bool](fmt.Sprintf(`!!document.querySelector(%q)`, sel(".cell-live.live-same")),
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(0))); err != nil {
		t.Fatalf("the reverted cell did not run to its recorded output: %v; status: %s", err, status())
	}
}

// maxEditDownload is what a reader's first edited Run may fetch, compressed:
// the compiler, linker, generator, the archives, and the chapter's own
// source and data files: the 25 MB. Compressed with the zstd
// command (runner site uses it where it is installed; CI installs it) it
// was 20.9 MB for chapter 1 when set; with gzip, 32.7 MB.
const maxEditDownload = 25_000_000

// maxFirstRun is what the first Run of chapter 1 as written fetches: its
// program, compressed, as before the in-page compiler (4.2 MB).
const maxFirstRun = 4_500_000

// editDownload measures the first edited Run of a chapter page of the
// site in dir, or the first Check of an exercise page: the bytes it
// fetches, and each file's share.
func editDownload(dir, page string) (total int64, report string, err error) {
	html, err := os.ReadFile(filepath.Join(dir, page))
	if err != nil {
		return 0, "", err
	}
	manifestPath := browsertest.Between(string(html), `data-toolchain="`, `"`)
	if manifestPath == "" {
		return 0, "", fmt.Errorf("%s names no toolchain", page)
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(manifestPath)))
	if err != nil {
		return 0, "", err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return 0, "", err
	}
	files := []string{m.Compile, m.Link, m.Bundle, m.Worker, "../" + browsertest.Between(string(html), `data-compile="`, `"`)}
	if strings.HasPrefix(page, "exercise-") {
		// A Check builds no chapter: no generator, but the check bundle.
		check, ok := m.Extras[site.CheckExtra]
		if !ok {
			return 0, "", fmt.Errorf("the toolchain manifest has no %q bundle for %s", site.CheckExtra, page)
		}
		files = append(files, check.Bundle)
	} else {
		ch, ok := m.Chapters[strings.TrimSuffix(page, ".html")+".md"]
		if !ok {
			return 0, "", fmt.Errorf("the toolchain manifest has no chapter for %s", page)
		}
		files = append(files, m.Gen, ch.Source)
		for _, f := range ch.DataFiles {
			files = append(files, f)
		}
	}
	total = int64(len(data))
	var parts []string
	for _, f := range files {
		st, err := os.Stat(filepath.Join(dir, "run", filepath.FromSlash(f)))
		if err != nil {
			return 0, "", err
		}
		total += st.Size()
		parts = append(parts, fmt.Sprintf("%s %.2f MB", path.Base(f), float64(st.Size())/1e6))
	}
	return total, fmt.Sprintf("first compile of %s fetches %.2f MB: %s", page, float64(total)/1e6, strings.Join(parts, ", ")), nil
}

// TestEditingBudget: the first edit's download stays within its budget,
// and the first Run as written is what it was: the compiler adds nothing
// to it.
func TestEditingBudget(t *testing.T) {
	site, _ := toolchainSite(t)
	total, report, err := editDownload(site, "01-redis.html")
	if err != nil {
		t.Fatal(err)
	}
	t.Log(report)
	if !strings.Contains(report, ".zst") {
		// gzip: the site was built where the zstd command is not installed.
		if os.Getenv("CI") == "true" {
			t.Fatal("the toolchain's files are not zstd-compressed: CI must install zstd (apt-get install zstd)")
		}
		t.Skip("the zstd command is not installed, so the toolchain is gzip-compressed and over the budget: apt-get install zstd to test it")
	}
	if total > maxEditDownload {
		t.Errorf("the first edit fetches %.2f MB compressed, over the budget of %.2f MB", float64(total)/1e6, float64(maxEditDownload)/1e6)
	}
	// An exercise's first Check, held to the same budget.
	exercises, _ := filepath.Glob(filepath.Join(site, "exercise-01-*.html"))
	if len(exercises) != 1 {
		t.Fatalf("the site has %d pages for exercise 1", len(exercises))
	}
	total, report, err = editDownload(site, filepath.Base(exercises[0]))
	if err != nil {
		t.Fatal(err)
	}
	t.Log(report)
	if total > maxEditDownload {
		t.Errorf("an exercise's first Check fetches %.2f MB compressed, over the budget of %.2f MB", float64(total)/1e6, float64(maxEditDownload)/1e6)
	}
	html := browsertest.ReadFile(t, filepath.Join(site, "01-redis.html"))
	prog := browsertest.Between(html, `data-program="`, `"`)
	st, err := os.Stat(filepath.Join(site, filepath.FromSlash(prog)+".gz"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first Run as written fetches %.2f MB", float64(st.Size())/1e6)
	if st.Size() > maxFirstRun {
		t.Errorf("the first Run as written fetches %.2f MB, over %.2f MB", float64(st.Size())/1e6, float64(maxFirstRun)/1e6)
	}
	for _, name := range []string{"compile-", "link-", "gen-", "archives-", "compile-worker"} {
		if strings.Contains(html, name) {
			t.Errorf("the chapter page names %s itself: it would load before the first edit", name)
		}
	}
}

// TestEditingBudgetCatchesOversize: editDownload counts every file the
// first edit fetches, so a bundle over the budget is caught.
func TestEditingBudgetCatchesOversize(t *testing.T) {
	dir := t.TempDir()
	js := []byte(`{"compile": "c.wasm.zst", "link": "l.wasm.zst", "gen": "g.wasm.zst", "bundle": "a.bin.zst", "worker": "../assets/w.js",
		"chapters": {"01-x.md": {"source": "x.md", "dataFiles": {"words": "d.bin.gz"}}}}`)
	sizes := map[string]int{"run/c.wasm.zst": 10, "run/l.wasm.zst": 10, "run/g.wasm.zst": 10, "run/a.bin.zst": maxEditDownload,
		"assets/w.js": 10, "assets/c.js": 10, "run/x.md": 10, "run/d.bin.gz": 10, "run/t.json": len(js)}
	for name, size := range sizes {
		content := make([]byte, size)
		if name == "run/t.json" {
			content = js
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "01-x.html"), []byte(`<script data-toolchain="run/t.json" data-compile="assets/c.js"></script>`), 0o644); err != nil {
		t.Fatal(err)
	}
	total, report, err := editDownload(dir, "01-x.html")
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(maxEditDownload + 70 + len(js)); total != want || total <= maxEditDownload {
		t.Errorf("editDownload counted %d bytes, want %d, over the budget (%s)", total, want, report)
	}
}
