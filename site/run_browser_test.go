package site

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/site/internal/browsertest"
	"github.com/redis-notebook/tutorial/site/serve"
)

// realSite builds the tutorial's own site with chapter 1 built for the
// browser. The recorded outputs are the chapter's expected ones (the
// fake runner), so what the browser prints is compared with what the
// chapter promises.
func realSite(t *testing.T, serve bool) (string, *chapter.Chapter) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := chapter.Load(filepath.Join(root, "chapters", "01-redis.md"))
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Root: root, Out: filepath.Join(t.TempDir(), "public"), Run: (&fakeRunner{}).run, LiveReload: serve,
		Browser: func(ctx context.Context, ch *chapter.Chapter) (*BrowserProgram, error) {
			return CompileWasm(ctx, root, ch, nil)
		}}
	mustBuild(t, opt)
	return opt.Out, ch
}

func cellWhere(t *testing.T, ch *chapter.Chapter, what string, ok func(*chapter.Cell) bool) int {
	t.Helper()
	return browsertest.CellWhere(t, ch, what, ok)
}

// TestBrowserRun runs chapter 1's cells in Chromium, from the built site
// served over loopback behind serve's token check.
func TestBrowserRun(t *testing.T) {
	ctx := browserFor(t, 5*time.Minute)
	out, ch := realSite(t, false)
	aster := cellWhere(t, ch, "prints the aster group", func(c *chapter.Cell) bool {
		return c.Expected != nil && strings.Contains(c.Expected.Text, "7 [aster rates stare tares taser tears treas]")
	})
	rpush := cellWhere(t, ch, "RPUSHes the words", func(c *chapter.Cell) bool {
		return strings.Contains(c.Code, `rdb.RPush(ctx, "Anagram:"`)
	})
	if rpush <= aster {
		t.Fatalf("the RPUSH cell %d comes before the aster cell %d", rpush, aster)
	}

	ts, token := behindTokenCheck(t, serve.New(out))
	if code, _ := get(t, ts.URL+"/01-redis.html"); code != http.StatusForbidden {
		t.Errorf("the chapter without the token: %d, want 403", code)
	}

	// The program is served gzipped, as application/wasm.
	page := readFile(t, filepath.Join(out, "01-redis.html"))
	prog := between(page, `data-program="`, `"`)
	req, _ := http.NewRequest("GET", ts.URL+"/"+prog, nil)
	req.AddCookie(&http.Cookie{Name: serve.TokenCookie(strings.TrimPrefix(ts.URL, "http://")), Value: token})
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	gz, err := os.Stat(filepath.Join(out, prog+".gz"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/wasm" || resp.Header.Get("Content-Encoding") != "gzip" ||
		int64(len(body)) != gz.Size() {
		t.Errorf("%s: %d, %q, encoding %q, %d bytes; want 200, application/wasm, gzip, %d bytes", prog, resp.StatusCode,
			resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"), len(body), gz.Size())
	}
	t.Logf("chapter 1 for the browser: %s, %d bytes gzip", prog, gz.Size())

	do(t, ctx, "open chapter 1", chromedp.Navigate(ts.URL+"/01-redis.html?token="+token),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#cell-%d .nb-run", aster))))
	if !eval[bool](t, ctx, fmt.Sprintf(`(() => { const b = document.querySelector("#cell-%d .nb-run");
		return b.tagName === "BUTTON" && b.getAttribute("aria-label").startsWith("Run") })()`, aster)) {
		t.Error("the Run control is not a button whose accessible name starts with Run")
	}
	// Nothing is fetched before the first Run.
	if eval[bool](t, ctx, `performance.getEntriesByType("resource").some(e => /\.wasm|worker|wasm_exec/.test(e.name))`) {
		t.Error("the page fetched the program (or its scripts) before any Run")
	}

	runCell := func(n int, limit time.Duration) {
		t.Helper()
		do(t, ctx, fmt.Sprintf("run cell %d", n), chromedp.Click(chromedp.CSS(fmt.Sprintf("#cell-%d .nb-run", n))))
		js := fmt.Sprintf(`!!document.querySelector("#cell-%d .cell-live.live-same, #cell-%d .cell-live.live-differs, #cell-%d .cell-live.live-failed")`, n, n, n)
		c, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		if _, err := chromedp.Run(c, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			t.Fatalf("cell %d did not finish in %s: %v; status: %s", n, limit, err,
				eval[string](t, ctx, `document.querySelector(".nb-status").textContent`))
		}
	}

	began := time.Now()
	runCell(aster, 60*time.Second)
	// The download was shown as it went, up to the program's whole size.
	if loaded, size := eval[string](t, ctx, `document.querySelector(".nb-panel").dataset.loaded`), between(page, `data-size="`, `"`); loaded != size {
		t.Errorf("the download's progress ended at %q bytes, want the program's %s", loaded, size)
	}
	t.Logf("cells 1 to %d ran in %s; the program was ready %s ms after the first Run", aster, time.Since(began).Round(time.Millisecond),
		eval[string](t, ctx, `document.querySelector(".nb-panel").dataset.readyMs`))
	live := eval[string](t, ctx, fmt.Sprintf(`document.querySelector("#cell-%d .cell-live samp").textContent`, aster))
	recorded := eval[string](t, ctx, fmt.Sprintf(`document.querySelector("#cell-%d .cell-output samp").textContent`, aster))
	if !strings.Contains(live, "7 [aster rates stare tares taser tears treas]") || strings.TrimSpace(live) != strings.TrimSpace(recorded) {
		t.Errorf("cell %d's live output differs from the recorded one:\nlive:\n%s\nrecorded:\n%s", aster, live, recorded)
	}
	if !eval[bool](t, ctx, fmt.Sprintf(`document.querySelector("#cell-%d .cell-live").classList.contains("live-same")`, aster)) {
		t.Errorf("cell %d is not marked as the same as recorded: %s", aster,
			eval[string](t, ctx, fmt.Sprintf(`document.querySelector("#cell-%d .cell-live").outerHTML`, aster)))
	}
	// Every cell before it ran too, in order, each with its time.
	runnable := 0
	for _, c := range ch.Cells() {
		if c.Index <= aster && c.Runs(chapter.Miniredis) {
			runnable++
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".cell-live[data-ms]").length`); n != runnable {
		t.Errorf("%d cells ran, want %d (every cell up to %d that runs on miniredis)", n, runnable, aster)
	}
	t.Logf("the program's start took %s ms per MB; slowness %s", eval[string](t, ctx, `document.querySelector(".nb-panel").dataset.startMsPerMb`),
		eval[string](t, ctx, `document.querySelector(".nb-panel").dataset.slowness`))
	t.Logf("status after the first Run: %s", eval[string](t, ctx, `document.querySelector(".nb-status").textContent`))

	// While the long RPUSH cell runs, in the worker, the page answers a
	// timer. The same timer on the idle page first tells what the machine
	// itself costs: a loaded 2-core machine delays timers by itself.
	do(t, ctx, "watch the main thread", chromedp.Evaluate[chromedp.Void](`window.maxGap = 0;
		window.lastTick = performance.now();
		setInterval(() => { const now = performance.now(); maxGap = Math.max(maxGap, now - lastTick); lastTick = now; }, 10);
		window.longest = 0;
		new PerformanceObserver((list) => { for (const e of list.getEntries()) longest = Math.max(longest, e.duration); }).observe({ type: "longtask" });`))
	time.Sleep(2 * time.Second)
	idleGap := eval[float64](t, ctx, `(() => { const g = maxGap; maxGap = 0; longest = 0; return g })()`)
	runCell(rpush, 90*time.Second)
	ms := eval[float64](t, ctx, fmt.Sprintf(`+document.querySelector("#cell-%d .cell-live").dataset.ms`, rpush))
	gap := eval[float64](t, ctx, `maxGap`)
	t.Logf("the RPUSH cell took %.0f ms in the browser; meanwhile the page's timer waited at most %.0f ms (idle page: %.0f ms), its longest task took %.0f ms",
		ms, gap, idleGap, eval[float64](t, ctx, `longest`))
	if ms < 500 {
		t.Errorf("the RPUSH cell took %.0f ms: too short to show the page stays responsive", ms)
	}
	// A task of the page's own over 200 ms is a pause the page caused. A
	// late timer with no such task is the machine's load (two cores shared
	// by a compiler, Chromium's other processes and the worker), which this
	// test reports but cannot hold to 200 ms; a cell run on the main thread
	// would have stopped the timer for the whole cell.
	if long := eval[float64](t, ctx, `longest`); long > 200 {
		t.Errorf("the page's main thread ran a %.0f ms task while the RPUSH cell ran (budget 200 ms)", long)
	}
	if gap > 1000 || gap > ms/4 {
		t.Errorf("the page's timer waited %.0f ms while the RPUSH cell ran (%.0f ms): the page froze", gap, ms)
	}

	// The console, against the chapter's database as the cells left it.
	do(t, ctx, "send LLEN", chromedp.Click(chromedp.CSS(".nb-console-toggle")), chromedp.SendKeys(chromedp.CSS("#nb-command"), "LLEN Anagram:aerst\n"))
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](`document.querySelector(".nb-log").textContent.includes("(integer) 7")`)); err != nil {
		t.Errorf("LLEN Anagram:aerst in the console: %q, want (integer) 7", eval[string](t, ctx, `document.querySelector(".nb-log").textContent`))
	}
	do(t, ctx, "send LRANGE", chromedp.SendKeys(chromedp.CSS("#nb-command"), `LRANGE "Anagram:aerst" 0 1`+"\n"))
	if _, err := chromedp.Run(c, chromedp.Poll[bool](`document.querySelector(".nb-log").textContent.includes('1) "aster"\n2) "rates"')`)); err != nil {
		t.Errorf("LRANGE in the console: %q", eval[string](t, ctx, `document.querySelector(".nb-log").textContent`))
	}

	// Restart: the live outputs go, and the chapter runs afresh.
	do(t, ctx, "restart", chromedp.Click(chromedp.CSS(".nb-restart")))
	if n := eval[int](t, ctx, `document.querySelectorAll(".cell-live").length`); n != 0 {
		t.Errorf("after Restart, %d live outputs remain", n)
	}
	first := cellWhere(t, ch, "runs", func(c *chapter.Cell) bool { return c.Runs(chapter.Miniredis) })
	runCell(first, 30*time.Second)

	// From disk, Run says how to serve the folder.
	do(t, ctx, "open from disk", chromedp.Navigate(fileURL(t, filepath.Join(out, "01-redis.html"))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#cell-%d .nb-run", first))))
	if s := eval[string](t, ctx, `document.querySelector(".nb-status").textContent`); !strings.Contains(s, "runner serve") {
		t.Errorf("Run from file:// says %q, not how to serve the folder", s)
	}
}

// behindTokenCheck serves srv on a loopback port behind TokenCheck, as serve does.
func behindTokenCheck(t *testing.T, srv *serve.Server) (*httptest.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	token := serve.NewToken()
	ts := httptest.NewUnstartedServer(serve.TokenCheck(srv, ln.Addr().String(), token))
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(func() {
		ts.CloseClientConnections() // a served page's event stream never ends by itself
		ts.Close()
	})
	return ts, token
}

// TestBrowserEditUnderServe edits a cell on a page that serve serves, runs
// it, and sees the new output, computed natively by the server; the
// chapter's file stays as it was.
func TestBrowserEditUnderServe(t *testing.T) {
	ctx := browserFor(t, 4*time.Minute)
	out, ch := realSite(t, true)
	cell := cellWhere(t, ch, "shows a signature", func(c *chapter.Cell) bool { return strings.Contains(c.Code, `signature("stare")`) })
	before := readFile(t, ch.Path)
	root, _ := filepath.Abs("..")
	srv := serve.New(out)
	srv.Built()
	srv.ChaptersDir = filepath.Join(root, "chapters")
	srv.RunEdited = func(ctx context.Context, ch *chapter.Chapter, ev notebook.Events, step func(*chapter.Cell) bool) error {
		_, err := notebook.Run(ctx, ch, notebook.Options{Root: root, Events: ev, Step: step})
		return err
	}
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	srv.ExerciseSource, srv.CheckExercise = serve.ExerciseChecker(root, m, grade.RunConfig{})
	ts, token := behindTokenCheck(t, srv)

	sel := func(s string) string { return fmt.Sprintf("#cell-%d %s", cell, s) }
	next := cell + 1
	if !ch.Cells()[next-1].Runs(chapter.Miniredis) {
		t.Fatalf("cell %d, after the signature cell, does not run", next)
	}
	text := func(css string) string {
		return eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).textContent`, css))
	}
	fetched := func(name string) bool {
		return eval[bool](t, ctx, fmt.Sprintf(`performance.getEntriesByType("resource").some(e => e.name.includes(%q))`, "/assets/"+name))
	}
	focusIn := func(css string) bool {
		return eval[bool](t, ctx, fmt.Sprintf(`!!document.activeElement.closest(%q)`, css))
	}
	do(t, ctx, "open chapter 1", chromedp.Navigate(ts.URL+"/01-redis.html?token="+token), chromedp.WaitVisible(chromedp.CSS(sel(".nb-edit"))))
	eval[chromedp.Void](t, ctx, `localStorage.clear()`)
	if fetched("editor.") {
		t.Error("the page fetched the editor before any Edit")
	}
	do(t, ctx, "edit", chromedp.Click(chromedp.CSS(sel(".nb-edit"))))
	poll(t, ctx, "the editor opens on Edit", fmt.Sprintf(`!!document.querySelector(%q)`, sel(".cm-content")), 20*time.Second)
	if !fetched("editor.") || !focusIn(sel(".cm-editor")) {
		t.Errorf("Edit opened the editor without fetching editor.js (%t), or without the keyboard in it (%t)", fetched("editor."), focusIn(sel(".cm-editor")))
	}
	if ratio := eval[float64](t, ctx, fmt.Sprintf(`document.querySelector(%q).getBoundingClientRect().width / document.querySelector(%q).getBoundingClientRect().width`,
		sel(".cm-editor"), sel(".cell-code"))); ratio < 0.95 {
		t.Errorf("the cell's editor is %.0f%% of the cell's width: it sits in the button bar, not across the cell", ratio*100)
	}
	// Keys: to the end of the code, replace the word, Ctrl+Enter runs and stays.
	backspaces := strings.Repeat(kb.Backspace, len(`"stare")`))
	// The edit also leaves a key, for the console to find in the run's database.
	do(t, ctx, "edit the cell", chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(kb.Home),
		chromedp.KeyEvent(`rdb.Set(ctx, "edited", "yes", 0); `), chromedp.KeyEvent(kb.End), chromedp.KeyEvent(backspaces+`"dcba")`),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	poll(t, ctx, "the edited cell runs", fmt.Sprintf(`!!document.querySelector(%q)`, sel(".cell-live[data-ms]")), 3*time.Minute)
	if !focusIn(sel(".cm-editor")) {
		t.Error("after Ctrl+Enter the keyboard left the cell's editor")
	}
	if live := text(sel(".cell-live samp")); strings.TrimSpace(live) != `"abcd"` {
		t.Errorf("the edited cell printed %q, want \"abcd\"", live)
	}
	if !eval[bool](t, ctx, fmt.Sprintf(`document.querySelector(%q).classList.contains("live-differs")`, sel(".cell-live"))) {
		t.Error("the edited cell's new output is not marked as differing from the recorded one")
	}
	if label := text(sel(".cell-live .output-label")); !strings.Contains(label, "on this machine") || strings.Contains(label, "tab") {
		t.Errorf("the output of a run on the server is labelled %q, want it said to come from this machine", label)
	}
	poll(t, ctx, "the run's end", `document.querySelector(".nb-status").textContent.includes("console shows the database")`, 30*time.Second)
	if s := text(".nb-status"); strings.Contains(s, "browser") || strings.Contains(s, "in this tab") {
		t.Errorf("after a run on the server the status says %q", s)
	}
	// The console shows that run's database, where the edit set "edited";
	// a fresh database has none.
	do(t, ctx, "GET edited", chromedp.Click(chromedp.CSS(".nb-console-toggle")), chromedp.SendKeys(chromedp.CSS("#nb-command"), "GET edited\n"))
	poll(t, ctx, "the console answers", `document.querySelector(".nb-log").textContent.split("\n").length > 2`, 20*time.Second)
	if l := text(".nb-log"); !strings.Contains(l, `"yes"`) {
		t.Errorf("the console after the edited run: %q, want the run's database, where edited = \"yes\"", l)
	}

	// Shift+Enter runs and moves on, into the next cell's editor.
	do(t, ctx, "Shift+Enter", chromedp.Click(chromedp.CSS(sel(".cm-content"))), chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierShift)))
	poll(t, ctx, "the next cell's editor", fmt.Sprintf(`!!document.activeElement.closest("#cell-%d .cm-editor")`, next), 20*time.Second)
	poll(t, ctx, "the run of Shift+Enter", `document.querySelector(".nb-status").textContent.includes("console shows the database")`, 3*time.Minute)
	// Tab indents; the page's own keys (/ searches, ← goes back) stay out of the editor.
	nextCode := strings.TrimSuffix(ch.Cells()[next-1].Code, "\n")
	do(t, ctx, "Tab, / and ←", chromedp.KeyEvent(kb.Home, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(kb.Tab+"/"+kb.ArrowLeft))
	if got := eval[string](t, ctx, fmt.Sprintf(`document.querySelector("#cell-%d .cm-line").textContent`, next)); !strings.HasPrefix(got, "\t/") {
		t.Errorf("after Tab and / at its start, cell %d's first line is %q, want it indented by a tab, then /", next, got)
	}
	if p := eval[string](t, ctx, `location.pathname`); p != "/01-redis.html" || !focusIn(fmt.Sprintf("#cell-%d .cm-editor", next)) {
		t.Errorf("typing in the editor left it: now at %s", p)
	}
	do(t, ctx, "reset the next cell", chromedp.Click(chromedp.CSS(fmt.Sprintf("#cell-%d .nb-reset", next))))
	if got := eval[string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll("#cell-%d .cm-line")].map(l => l.textContent).join("\n")`, next)); got != nextCode {
		t.Errorf("Reset left cell %d's code as %q, want %q", next, got, nextCode)
	}

	// The edit survives a reload, shown as code until Edit; Reset restores the chapter's.
	do(t, ctx, "reload", chromedp.Navigate(ts.URL+"/01-redis.html"), chromedp.WaitVisible(chromedp.CSS(sel(".nb-run"))))
	if !eval[bool](t, ctx, fmt.Sprintf(`!document.querySelector(%q).hidden`, sel(".nb-reset"))) || !strings.Contains(text(sel(".cell-code pre")), `signature("dcba")`) || fetched("editor.") {
		t.Errorf("after a reload, the cell shows %q (want the edit), and the editor was fetched: %t", text(sel(".cell-code pre")), fetched("editor."))
	}
	if eval[bool](t, ctx, fmt.Sprintf(`!!document.querySelector("#cell-%d.nb-edited")`, next)) {
		t.Errorf("cell %d, reset, is still edited after a reload", next)
	}
	do(t, ctx, "reset", chromedp.Click(chromedp.CSS(sel(".nb-reset"))))
	if !strings.Contains(text(sel(".cell-code pre")), `signature("stare")`) || eval[int](t, ctx, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel(".cell-code pre [class^=hl-]"))) == 0 {
		t.Errorf("Reset shows %q, not the chapter's highlighted code", text(sel(".cell-code pre")))
	}
	do(t, ctx, "reload", chromedp.Navigate(ts.URL+"/01-redis.html"), chromedp.WaitVisible(chromedp.CSS(sel(".nb-edit"))))
	if eval[bool](t, ctx, `!!document.querySelector(".nb-edited")`) || eval[int](t, ctx, `localStorage.length`) != 0 {
		t.Error("after Reset and a reload, a cell is still edited")
	}
	// An edit made on other code than the chapter's now is dropped.
	eval[chromedp.Void](t, ctx, fmt.Sprintf(`localStorage.setItem("notebook-edit:01-redis.md:%d", JSON.stringify({orig: "0", code: "old edit"}))`, cell))
	do(t, ctx, "reload", chromedp.Navigate(ts.URL+"/01-redis.html"), chromedp.WaitVisible(chromedp.CSS(sel(".nb-edit"))))
	if eval[bool](t, ctx, `!!document.querySelector(".nb-edited")`) || eval[int](t, ctx, `localStorage.length`) != 0 {
		t.Error("an edit of code the chapter no longer has was applied, or kept")
	}

	// An edit that does not compile: the message at the cell, in the
	// cell's own lines (a comment line is added before the call), not the
	// chapter file's.
	callLine := 0
	for _, c := range ch.Cells() {
		for i, l := range strings.Split(c.Code, "\n") {
			if c.Index == cell && strings.Contains(l, `signature("stare")`) {
				callLine = i + 2
			}
		}
	}
	do(t, ctx, "break the cell", chromedp.Click(chromedp.CSS(sel(".nb-edit"))))
	poll(t, ctx, "the editor", fmt.Sprintf(`!!document.querySelector(%q)`, sel(".cm-content")), 20*time.Second)
	do(t, ctx, "type", chromedp.KeyEvent(kb.Home, chromedp.KeyModifiers(chromedp.ModifierCtrl)), insertText("// a comment first\n"),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(backspaces+"undefinedName)"),
		chromedp.Click(chromedp.CSS(sel(".nb-run"))))
	if got := eval[string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(l => l.textContent).join("\n")`, sel(".cm-line"))); !strings.HasPrefix(got, "// a comment first\nfunc") {
		t.Fatalf("the edited cell reads %q", got)
	}
	poll(t, ctx, "the compile error at the cell", fmt.Sprintf(`(() => {
		const b = document.querySelector(%q);
		return !!b && b.classList.contains("live-failed") && b.textContent.includes("undefinedName");
	})()`, sel(".cell-live")), 3*time.Minute)
	shown := text(sel(".cell-live"))
	if !strings.Contains(shown, "Does not compile") || !strings.Contains(shown, fmt.Sprintf("line %d:", callLine)) {
		t.Errorf("the cell shows %q, want \"Does not compile\" and its line %d", shown, callLine)
	}
	if status := text(".nb-status"); strings.Contains(status, ".md:") {
		t.Errorf("the status names the chapter file's lines: %q", status)
	}
	if readFile(t, ch.Path) != before {
		t.Error("running an edited cell changed the chapter's file")
	}
	c, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	// An exercise page: paste the reference solution into the editor, Check.
	stubPath := filepath.Join(root, "exercises", m.Packages[0].Package, m.Packages[0].Exercises[0].File)
	stub := readFile(t, stubPath)
	solution := readFile(t, filepath.Join(root, "solutions", m.Packages[0].Package, m.Packages[0].Exercises[0].File))
	do(t, ctx, "open exercise 1", chromedp.Navigate(ts.URL+"/exercise-01-json.html"))
	if _, err := chromedp.Run(c, chromedp.Poll[bool](`document.querySelector(".nb-check textarea").value.includes("package ")`)); err != nil {
		t.Fatalf("the exercise editor did not load the learner's file: %v", err)
	}
	if got := eval[string](t, ctx, `document.querySelector(".nb-check textarea").value`); got != stub {
		t.Errorf("the editor holds %q, not the learner's file", got)
	}
	styled, cancelStyled := context.WithTimeout(c, 20*time.Second)
	if _, err := chromedp.Run(styled, chromedp.Poll[bool](`getComputedStyle(document.querySelector(".nb-check textarea")).tabSize === "4"`)); err != nil {
		t.Errorf("the exercise editor is not styled (tab size %q): the page did not load run.css",
			eval[string](t, ctx, `getComputedStyle(document.querySelector(".nb-check textarea")).tabSize`))
	}
	cancelStyled()
	do(t, ctx, "paste the solution and check", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`document.querySelector(".nb-check textarea").value = %q`, solution)), chromedp.Click(chromedp.CSS(".nb-check-run")))
	if _, err := chromedp.Run(c, chromedp.Poll[bool](`document.querySelector(".nb-check-report samp").textContent.includes("passed")`,
		chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		t.Errorf("Check on the reference solution did not pass: %v; report: %s", err,
			eval[string](t, ctx, `document.querySelector(".nb-check-report samp").textContent`))
	}
	if readFile(t, stubPath) != stub {
		t.Error("Check wrote the learner's file")
	}
}

func insertText(text string) chromedp.Action[chromedp.Void] { return browsertest.InsertText(text) }

func between(s, from, to string) string { return browsertest.Between(s, from, to) }

// writeTestFile writes text to p, making its folder.
func writeTestFile(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// compileWithModule builds a fixture course's chapters for the browser
// with this module (its kernel, go-redis, miniredis), as runner site does
// for the tutorial.
func compileWithModule(t *testing.T) func(context.Context, *chapter.Chapter) (*BrowserProgram, error) {
	t.Helper()
	modRoot, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context, ch *chapter.Chapter) (*BrowserProgram, error) {
		return CompileWasm(ctx, modRoot, ch, nil)
	}
}

// TestBrowserPanicAndTimeout: in the browser, a cell that panics is shown
// with its message and stack at the chapter's line, and a cell that runs
// past its time limit is stopped and named, as the walk reports them.
func TestBrowserPanicAndTimeout(t *testing.T) {
	ctx := browserFor(t, 4*time.Minute)
	root := t.TempDir()
	write := func(name, text string) { writeTestFile(t, filepath.Join(root, name), text) }
	fence := "```"
	write("README.md", "# Failing cells\n")
	write("chapters/01-panic.md", "# Panic\n\n"+fence+"go\nfmt.Println(\"before\")\n"+fence+"\n\n"+fence+
		"output\nbefore\n"+fence+"\n\n"+fence+"go\nvar m map[string]int\nm[\"x\"] = 1\n"+fence+"\n")
	write("chapters/02-slow.md", "# Slow\n\n"+fence+"go timeout=1s\ntime.Sleep(time.Minute)\n"+fence+"\n")
	opt := Options{Root: root, Out: filepath.Join(root, "public"), Run: (&fakeRunner{}).run,
		Browser: compileWithModule(t)}
	mustBuild(t, opt)
	ts, token := behindTokenCheck(t, serve.New(opt.Out))

	do(t, ctx, "run the panicking cell", chromedp.Navigate(ts.URL+"/01-panic.html?token="+token), chromedp.Click(chromedp.CSS("#cell-2 .nb-run")))
	c, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](`!!document.querySelector("#cell-2 .cell-live.live-failed")`)); err != nil {
		t.Fatalf("the panic is not shown: %v", err)
	}
	label := eval[string](t, ctx, `document.querySelector("#cell-2 .cell-live .output-label").textContent`)
	text := eval[string](t, ctx, `document.querySelector("#cell-2 .cell-live samp").textContent`)
	if !strings.Contains(label, "Panic in cell 2: assignment to entry in nil map") || !strings.Contains(text, "\tchapters/01-panic.md:13 ") {
		t.Errorf("the panic reads %q:\n%s\nwant its message and the chapter's line 13 in the stack", label, text)
	}
	if live := eval[string](t, ctx, `document.querySelector("#cell-1 .cell-live samp").textContent`); live != "before\n" {
		t.Errorf("cell 1 printed %q before the panic", live)
	}
	// The console still answers after a panic.
	do(t, ctx, "PING", chromedp.Click(chromedp.CSS(".nb-console-toggle")), chromedp.SendKeys(chromedp.CSS("#nb-command"), "PING\n"))
	if _, err := chromedp.Run(c, chromedp.Poll[bool](`document.querySelector(".nb-log").textContent.includes("PONG")`)); err != nil {
		t.Errorf("the console after a panic: %q", eval[string](t, ctx, `document.querySelector(".nb-log").textContent`))
	}

	do(t, ctx, "run the slow cell", chromedp.Navigate(ts.URL+"/02-slow.html"), chromedp.Click(chromedp.CSS("#cell-1 .nb-run")))
	if _, err := chromedp.Run(c, chromedp.Poll[bool](`!!document.querySelector("#cell-1 .cell-live.live-failed")`)); err != nil {
		t.Fatalf("the slow cell was not stopped: %v", err)
	}
	// The limit, 1s, is scaled by how slow this device measured itself.
	slowness, err := strconv.ParseFloat(eval[string](t, ctx, `document.querySelector(".nb-panel").dataset.slowness`), 64)
	if err != nil || slowness < 1 || slowness > 5 {
		t.Errorf("the page measured this device's slowness as %v (%v), want 1 to 5", slowness, err)
	}
	limit := strconv.FormatFloat(math.Round(slowness*10)/10, 'f', -1, 64) + "s"
	s := eval[string](t, ctx, `document.querySelector(".nb-status").textContent`)
	if !strings.Contains(s, "Cell 1 ran longer than "+limit) || !strings.Contains(s, "was stopped") {
		t.Errorf("after the time limit the page says %q, want cell 1 stopped after %s", s, limit)
	}
	t.Logf("slowness %.2f (start %s ms per MB): %s", slowness, eval[string](t, ctx, `document.querySelector(".nb-panel").dataset.startMsPerMb`), s)
}

// TestBrowserPictures: in the browser, a picture a cell displays is shown
// in its live output where the cell displayed it, as an <img> with the
// cell's alt text, and its line matches the recorded one; garbage is
// shown as a line that says it does not decode, and differs.
func TestBrowserPictures(t *testing.T) {
	ctx := browserFor(t, 4*time.Minute)
	root := t.TempDir()
	write := func(name, text string) { writeTestFile(t, filepath.Join(root, name), text) }
	fence := "```"
	write("README.md", "# Pictures\n")
	write("chapters/01-plot.md", "# Plot\n\n"+fence+"go\nfmt.Println(\"before\")\n"+
		"kernel.Image(\"image/svg+xml\", []byte(`<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"40\"><rect width=\"10\" height=\"10\"/></svg>`), \"a black square\")\n"+
		"fmt.Println(\"after\")\n"+fence+"\n\n"+fence+"output\nbefore\nimage/svg+xml 64×40\nafter\n"+fence+"\n\n"+
		fence+"go\nkernel.Image(\"image/png\", []byte(\"garbage\"), \"nothing\")\n"+fence+"\n\n"+fence+"output\nimage/png 1×1\n"+fence+"\n")
	f := &fakeRunner{printed: map[string]string{"01-plot.md:2": ""}} // cell 2's recorded picture is left out
	opt := Options{Root: root, Out: filepath.Join(root, "public"), Run: f.run, KeepGoing: true,
		Browser: compileWithModule(t)}
	mustBuild(t, opt)
	ts, token := behindTokenCheck(t, serve.New(opt.Out))

	do(t, ctx, "run the cells", chromedp.Navigate(ts.URL+"/01-plot.html?token="+token), chromedp.Click(chromedp.CSS("#cell-2 .nb-run")))
	c, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](`!!document.querySelector("#cell-2 .cell-live.live-differs, #cell-2 .cell-live.live-same")`)); err != nil {
		t.Fatalf("the cells did not finish: %v; status: %s", err, eval[string](t, ctx, `document.querySelector(".nb-status").textContent`))
	}
	if !eval[bool](t, ctx, `!!document.querySelector("#cell-1 .cell-live.live-same")`) {
		t.Errorf("cell 1's live output differs from the recorded one: %q", eval[string](t, ctx, `document.querySelector("#cell-1 .cell-live").innerHTML`))
	}
	// The picture decoded in the page, between the lines printed before and after it.
	if _, err := chromedp.Run(c, chromedp.Poll[bool](`(() => { const i = document.querySelector("#cell-1 .cell-live img.output-image"); return !!i && i.complete })()`)); err != nil {
		t.Fatalf("no picture in cell 1's live output: %v: %q", err, eval[string](t, ctx, `document.querySelector("#cell-1 .cell-live").innerHTML`))
	}
	got := eval[string](t, ctx, `[...document.querySelector("#cell-1 .cell-live .live-out").children].map((e) => e.tagName === "IMG" ?
		"IMG " + e.alt + " " + e.naturalWidth + "x" + e.naturalHeight + " " + e.src.slice(0, 5) : e.textContent).join("|")`)
	if got != "before\n|IMG a black square 64x40 blob:|after\n" {
		t.Errorf("cell 1's live output reads %q", got)
	}
	if s := eval[string](t, ctx, `document.querySelector("#cell-2 .cell-live").textContent`); !strings.Contains(s, "image/png that does not decode: not a PNG") || !strings.Contains(s, "differs") {
		t.Errorf("cell 2's live output reads %q, want a picture that does not decode, and differing", s)
	}
}
