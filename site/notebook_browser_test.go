package site

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/site/internal/browsertest"
	"github.com/redis-notebook/tutorial/site/serve"
)

// notebookChapter is a chapter of quick cells: one prints what was
// recorded, one prints something else, one leaves a key for the console;
// with prose enough to scroll past the drawer.
func notebookChapter() string {
	fence := "```"
	prose := strings.Repeat("A paragraph of prose, long enough to fill the column and to wrap over several lines on a phone. ", 6)
	return "# Notebook\n\n" + prose + "\n\n" +
		fence + "go\nfmt.Println(\"same\")\n" + fence + "\n\n" + fence + "output\nsame\n" + fence + "\n\n" + prose + "\n\n" +
		fence + "go\nfmt.Println(\"new\")\n" + fence + "\n\n" + fence + "output\nold\n" + fence + "\n\n" + prose + "\n\n" +
		fence + "go\nrdb.Set(ctx, \"k\", \"from the chapter\", 0).Err()\n" + fence + "\n\n" + prose + "\n\n" +
		fence + "go timeout=2s\ntime.Sleep(2500 * time.Millisecond)\nfmt.Println(\"slept\")\n" + fence + "\n\n" + fence + "output\nslept\n" + fence + "\n\n" + prose + "\n"
}

// notebookSite builds a course of notebookChapter for the browser.
func notebookSite(t *testing.T) string {
	t.Helper()
	modRoot, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for name, text := range map[string]string{"README.md": "# Notebook\n", "chapters/01-notebook.md": notebookChapter()} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opt := Options{Root: root, Out: filepath.Join(root, "public"), Run: (&fakeRunner{}).run, KeepGoing: true,
		Browser: func(ctx context.Context, ch *chapter.Chapter) (*BrowserProgram, error) {
			return CompileWasm(ctx, modRoot, ch, nil)
		}}
	mustBuild(t, opt)
	return opt.Out
}

// fakeCompiler stands for the in-page compiler (NotebookCompiler, which
// another part of the site provides) on a static site: it records what it
// was asked to build and returns the chapter's own program, so that the
// page's editing path can be tested on its own.
const fakeCompiler = `globalThis.NotebookCompiler = {
  asked: [],
  async buildChapter({ chapter, cells }) {
    this.asked.push({ chapter, cells });
    const conf = document.querySelector("script[data-program]");
    const resp = await fetch(conf.dataset.program);
    return { wasm: new Uint8Array(await resp.arrayBuffer()) };
  },
};`

// withCompiler gives every page opened after it the fake compiler.
func withCompiler() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: fakeCompiler})
		return err
	})
}

func poll(t *testing.T, ctx context.Context, what, js string, d time.Duration) {
	t.Helper()
	browsertest.Poll(t, ctx, what, js, d)
}

// overlap is how many pixels of the drawer cover the article where it is
// on the screen now.
const overlap = `(() => {
  const d = document.querySelector(".nb-panel").getBoundingClientRect();
  const a = document.querySelector("article.chapter").getBoundingClientRect();
  const w = Math.min(d.right, a.right) - Math.max(d.left, a.left);
  const h = Math.min(d.bottom, a.bottom, innerHeight) - Math.max(d.top, a.top, 0);
  return w > 0 && h > 0 ? Math.round(w * h) : 0;
})()`

// TestBrowserNotebook: on a static site, the toolbar's Run all runs every
// cell, each live output in place of the recorded one with ✓ where they
// match; Restart clears them; the console drawer covers no text at a
// laptop's and a phone's width; with the in-page compiler present, Edit
// opens the editor and an edited Run goes to it.
func TestBrowserNotebook(t *testing.T) {
	ctx := browserFor(t, 5*time.Minute)
	out := notebookSite(t)
	ts, token := behindTokenCheck(t, serve.New(out))
	shots := screenshotDir(t)

	do(t, ctx, "open the chapter", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(ts.URL+"/01-notebook.html?token="+token),
		chromedp.WaitVisible(chromedp.CSS(".nb-toolbar .nb-runall")))
	if n := eval[int](t, ctx, `document.querySelectorAll(".nb-edit").length`); n != 0 {
		t.Errorf("a static site without the in-page compiler offers %d Edit buttons, which could not run", n)
	}
	if s := eval[string](t, ctx, `document.querySelector(".nb-where").textContent`); !strings.Contains(s, "in this tab") {
		t.Errorf("the toolbar says %q, not that cells run in this tab", s)
	}
	do(t, ctx, "Run all", chromedp.Click(chromedp.CSS(".nb-runall")))
	// The slow last cell shows its time against its limit, and takes more.
	poll(t, ctx, "the slow cell's progress", `!!document.querySelector("#cell-4 .nb-running progress")`, 2*time.Minute)
	do(t, ctx, "More time", chromedp.Click(chromedp.CSS("#cell-4 .nb-more")))
	if s := eval[string](t, ctx, `document.querySelector(".nb-status").textContent`); !strings.Contains(s, "Cell 4 may now run for") {
		t.Errorf("after More time the page says %q", s)
	}
	poll(t, ctx, "Run all", `document.querySelectorAll(".cell-live[data-ms]").length === 4`, 2*time.Minute)
	if !eval[bool](t, ctx, `document.querySelector("#cell-4 .cell-live").classList.contains("live-same") && !document.querySelector("#cell-4 .nb-running")`) {
		t.Errorf("the slow cell, given more time, did not finish as recorded: %s", eval[string](t, ctx, `document.getElementById("cell-4").outerHTML`))
	}
	// Cell 1 printed what was recorded: its output, marked ✓, in place of the recorded one.
	if !eval[bool](t, ctx, `(() => {
		const c = document.getElementById("cell-1"), live = c.querySelector(".cell-live");
		return live.classList.contains("live-same") && live.querySelector(".nb-match").textContent.includes("✓") &&
			getComputedStyle(c.querySelector(".cell-output:not(.cell-live)")).display === "none";
	})()`) {
		t.Errorf("cell 1 matches the recorded output, but is not shown with ✓ in its place: %s",
			eval[string](t, ctx, `document.getElementById("cell-1").outerHTML`))
	}
	// Cell 2 printed something else: no ✓, and the recorded output stays below it.
	if !eval[bool](t, ctx, `(() => {
		const c = document.getElementById("cell-2"), live = c.querySelector(".cell-live");
		return live.classList.contains("live-differs") && !live.querySelector(".nb-match") &&
			live.textContent.includes("new") && getComputedStyle(c.querySelector(".cell-output:not(.cell-live)")).display !== "none";
	})()`) {
		t.Errorf("cell 2 differs from the recorded output, but is not shown so: %s", eval[string](t, ctx, `document.getElementById("cell-2").outerHTML`))
	}
	eval[chromedp.Void](t, ctx, `document.querySelector(".nb-toolbar").scrollIntoView()`)
	saveShot(t, ctx, filepath.Join(shots, "notebook-1280-run.png"))
	// On a phone the live output's label stays on one line.
	do(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1), chromedp.EmulateMobile, chromedp.EmulatePortrait))
	eval[chromedp.Void](t, ctx, `document.querySelector("#cell-1").scrollIntoView()`)
	saveShot(t, ctx, filepath.Join(shots, "notebook-390-run.png"))
	if h := eval[float64](t, ctx, `(() => { const l = document.querySelector("#cell-1 .cell-live .output-label"); return l.getBoundingClientRect().height / parseFloat(getComputedStyle(l).lineHeight) })()`); h > 1.5 {
		t.Errorf("cell 1's live label takes %.1f lines on a phone", h)
	}

	// The console, in its drawer: at both widths it covers no text.
	do(t, ctx, "open the console", chromedp.Click(chromedp.CSS(".nb-console-toggle")), chromedp.SendKeys(chromedp.CSS("#nb-command"), "GET k\n"))
	poll(t, ctx, "GET k", `document.querySelector(".nb-log").textContent.includes('"from the chapter"')`, 20*time.Second)
	drawerCoversNothing(t, ctx, "390px, console open")
	saveShot(t, ctx, filepath.Join(shots, "notebook-390-console.png"))
	do(t, ctx, "close the console", chromedp.Click(chromedp.CSS(".nb-drawer-toggle")))
	if h := eval[float64](t, ctx, `document.querySelector(".nb-panel").getBoundingClientRect().height / innerHeight`); h > 0.07 {
		t.Errorf("the closed drawer takes %.0f%% of a phone's screen", h*100)
	}
	if !eval[bool](t, ctx, `getComputedStyle(document.querySelector(".nb-drawer-toggle")).borderTopLeftRadius === "6px"`) {
		t.Error("the drawer's buttons have the browser's default look, not the site's")
	}
	drawerCoversNothing(t, ctx, "390px, console closed")
	do(t, ctx, "laptop", chromedp.EmulateViewport(1280, 900))
	drawerCoversNothing(t, ctx, "1280px")
	for _, y := range []string{"0", "document.body.scrollHeight / 2", "document.body.scrollHeight"} {
		eval[chromedp.Void](t, ctx, `window.scrollTo(0, `+y+`)`)
		if px := eval[int](t, ctx, overlap); px > 0 {
			t.Errorf("at 1280px, scrolled to %s, the drawer covers %d px² of the article", y, px)
		}
	}
	saveShot(t, ctx, filepath.Join(shots, "notebook-1280-console.png"))

	// Restart: the live outputs go, the recorded ones come back.
	do(t, ctx, "restart", chromedp.Click(chromedp.CSS(".nb-restart")))
	if !eval[bool](t, ctx, `document.querySelectorAll(".cell-live").length === 0 &&
		[...document.querySelectorAll(".cell-output")].every(o => getComputedStyle(o).display !== "none")`) {
		t.Error("after Restart, live outputs remain or recorded ones stay hidden")
	}
	do(t, ctx, "run cell 1 again", chromedp.Click(chromedp.CSS("#cell-1 .nb-run")))
	poll(t, ctx, "cell 1 after Restart", `!!document.querySelector("#cell-1 .cell-live.live-same")`, time.Minute)

	// With the in-page compiler, Edit appears and an edited Run is built by it.
	do(t, ctx, "give the page a compiler", withCompiler(), chromedp.Navigate(ts.URL+"/01-notebook.html"), chromedp.WaitVisible(chromedp.CSS("#cell-2 .nb-edit")))
	do(t, ctx, "edit cell 2", chromedp.Click(chromedp.CSS("#cell-2 .nb-edit")))
	poll(t, ctx, "the editor", `!!document.querySelector("#cell-2 .cm-content")`, 20*time.Second)
	do(t, ctx, "type", chromedp.KeyEvent("/* edited */ "))
	do(t, ctx, "run", chromedp.Click(chromedp.CSS("#cell-2 .nb-run")))
	poll(t, ctx, "the edited run", `!!document.querySelector("#cell-2 .cell-live[data-ms]")`, time.Minute)
	asked := eval[string](t, ctx, `JSON.stringify(NotebookCompiler.asked)`)
	if want := `[{"chapter":"01-notebook.md","cells":{"2":"/* edited */ fmt.Println(\"new\")"}}]`; asked != want {
		t.Errorf("the compiler was asked for %s, want %s", asked, want)
	}
}

// drawerCoversNothing: wherever the page is scrolled, every line of the
// chapter can be brought above the drawer: scrolled to the end, the last
// of the page (its footer) ends above the drawer's top.
func drawerCoversNothing(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	eval[chromedp.Void](t, ctx, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`)
	eval[chromedp.Void](t, ctx, `window.scrollTo(0, document.documentElement.scrollHeight)`)
	gap := eval[float64](t, ctx, `(() => {
		const d = document.querySelector(".nb-panel").getBoundingClientRect();
		const f = document.querySelector(".footer").getBoundingClientRect();
		const beside = d.left >= document.querySelector("article.chapter").getBoundingClientRect().right;
		return beside ? 1e9 : d.top - f.bottom;
	})()`)
	if gap < 0 {
		t.Errorf("%s: scrolled to the end, the drawer still covers the last %.0f px of the page", where, -gap)
	}
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w > 0 {
		t.Errorf("%s: the page is %d px wider than the screen", where, w)
	}
}

// saveShot writes the screen as the reader sees it (not the whole page).
func saveShot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// TestBrowserNotebookAccessibility runs axe on a chapter page with the
// editor open and the console's drawer shown, at a laptop's and a phone's
// width, light and dark.
func TestBrowserNotebookAccessibility(t *testing.T) {
	axe := axeScript(t)
	ctx := browserFor(t, 5*time.Minute)
	out := notebookSite(t)
	ts, token := behindTokenCheck(t, serve.New(out))
	do(t, ctx, "give the page a compiler", withCompiler(), chromedp.Navigate(ts.URL+"/index.html?token="+token))
	shots := screenshotDir(t)
	for _, m := range viewModes {
		steps := []chromedp.Action[chromedp.Void]{colorScheme(m.scheme)}
		if m.width < 900 {
			steps = append(steps, chromedp.EmulateViewport(m.width, 844, chromedp.EmulateScale(1), chromedp.EmulateMobile, chromedp.EmulatePortrait))
		} else {
			steps = append(steps, chromedp.EmulateViewport(m.width, 900))
		}
		steps = append(steps, chromedp.Navigate(ts.URL+"/01-notebook.html"), chromedp.WaitVisible(chromedp.CSS("#cell-2 .nb-edit")),
			chromedp.Click(chromedp.CSS("#cell-2 .nb-edit")), chromedp.Click(chromedp.CSS(".nb-console-toggle")))
		do(t, ctx, "open the editor and the console at "+m.String(), steps...)
		poll(t, ctx, "the editor", `!!document.querySelector("#cell-2 .cm-content")`, 20*time.Second)
		do(t, ctx, "edit", chromedp.Click(chromedp.CSS("#cell-2 .cm-content")), chromedp.KeyEvent("/* edited */ "))
		poll(t, ctx, "Reset shown", `!document.querySelector("#cell-2 .nb-reset").hidden`, 5*time.Second)
		for _, c := range eval[[]string](t, ctx, clippedPre) {
			t.Errorf("%s: %s", m, c)
		}
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w > 0 {
			t.Errorf("%s: the page is %dpx wider than the screen", m, w)
		}
		eval[chromedp.Void](t, ctx, axe)
		res, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](runAxe, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: running axe: %v", m, err)
		}
		for _, v := range res {
			t.Errorf("%s: axe %s (%s, %d nodes): %s: %s [%s]", m, v.ID, v.Impact, len(v.Targets), v.Help, v.Summary, strings.Join(v.Targets, "; "))
		}
		eval[chromedp.Void](t, ctx, `document.querySelector("#cell-2").scrollIntoView({block: "center"})`)
		saveShot(t, ctx, filepath.Join(shots, fmt.Sprintf("notebook-editor-%d-%s.png", m.width, m.scheme)))
	}
}
