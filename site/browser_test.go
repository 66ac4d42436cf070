package site

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromium finds Debian's Chromium (or $CHROMIUM). In CI (CI=true) the
// browser test must run, so a missing browser fails it there; elsewhere
// the test is skipped with a word on how to install one.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found, and in CI the browser test must run: apt-get install -y chromium (or set $CHROMIUM)")
	}
	t.Skip("no Chromium found: apt-get install chromium (or set $CHROMIUM) to run the browser test")
	return ""
}

// browser starts a headless Chromium with the flags this machine needs (it
// runs as root, with no GPU and no network) and a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	return bctx
}

func fileURL(t *testing.T, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(abs)
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// screenshotDir is where screenshots go: $SITE_SCREENSHOTS to keep them,
// else a folder the test removes.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("SITE_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	// From the top, or sticky bars are drawn where the page was scrolled to.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		t.Fatalf("scroll: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// TestBrowser opens the built fixture site from disk, as a learner who
// downloaded it would, and uses it: the highlighted code and its output,
// search, a solution to unfold, the phone layout, the dark theme.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	root := course(t)
	opt := options(root, &fakeRunner{})
	mustBuild(t, opt)
	shots := screenshotDir(t)

	// The chapter: highlighted code, and the output under it.
	do(t, ctx, "open the chapter", chromedp.Navigate(fileURL(t, filepath.Join(opt.Out, "01-basics.html"))),
		chromedp.WaitVisible(chromedp.CSS("#cell-1 .cell-output")))
	if n := eval[int](t, ctx, `document.querySelectorAll("#cell-1 .cell-code span.hl-func").length`); n < 3 {
		t.Errorf("cell 1 has %d highlighted calls, want 3", n)
	}
	if plain, str := eval[string](t, ctx, `getComputedStyle(document.querySelector("#cell-1 code")).color`),
		eval[string](t, ctx, `getComputedStyle(document.querySelector("#cell-1 .hl-string")).color`); plain == str {
		t.Errorf("strings are drawn in the text's own color %s: the stylesheet did not load", plain)
	}
	out, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#cell-1 .cell-output samp")))
	if err != nil || strings.TrimSpace(out) != "hello <nil> 42" {
		t.Errorf("cell 1's output reads %q (%v), want %q", out, err, "hello <nil> 42")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("button.copy").length`); n == 0 {
		t.Error("no copy buttons: the script did not run")
	}
	screenshot(t, ctx, filepath.Join(shots, "chapter-light.png"))

	// Copy a cell's code.
	do(t, ctx, "copy a cell", chromedp.Click(chromedp.CSS("#cell-1 button.copy")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#cell-1 button.copy").textContent === "Copied"`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the copy button did not say Copied: %v", err)
	}

	// Search, and follow the first result to another page.
	do(t, ctx, "search", chromedp.SendKeys(chromedp.ID("search"), "haystack"),
		chromedp.WaitVisible(chromedp.CSS("#search-results a")))
	first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#search-results li:first-child a")))
	if err != nil || !strings.Contains(first, "Searching for needles") {
		t.Fatalf("the first search result reads %q (%v), want the section 'Searching for needles'", first, err)
	}
	screenshot(t, ctx, filepath.Join(shots, "search.png"))
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS("#search-results li:first-child a")))); err != nil {
		t.Fatalf("following the first result: %v", err)
	}
	if at := eval[string](t, ctx, "location.href"); !strings.HasSuffix(at, "/02-lists.html#searching-for-needles") {
		t.Fatalf("following the result opened %s, want 02-lists.html#searching-for-needles", at)
	}
	if title := eval[string](t, ctx, "document.title"); title != "Lists · Fixture course" {
		t.Errorf("the result opened a page titled %q", title)
	}

	// An exercise: the solution is folded until asked for.
	do(t, ctx, "open an exercise", chromedp.Navigate(fileURL(t, filepath.Join(opt.Out, "exercise-01-json.html"))),
		chromedp.WaitVisible(chromedp.ID("task")))
	if eval[bool](t, ctx, `document.querySelector("details.solution pre").checkVisibility()`) {
		t.Error("the solution shows before it is unfolded")
	}
	do(t, ctx, "unfold the solution", chromedp.Click(chromedp.CSS("details.solution > summary")),
		chromedp.WaitVisible(chromedp.CSS("details.solution pre")))
	if !eval[bool](t, ctx, `document.querySelector("details.solution").open`) {
		t.Error("the solution did not unfold")
	}
	screenshot(t, ctx, filepath.Join(shots, "exercise-light.png"))

	// Dark, following the system setting.
	do(t, ctx, "dark theme", colorScheme("dark"), chromedp.Navigate(fileURL(t, filepath.Join(opt.Out, "01-basics.html"))),
		chromedp.WaitVisible(chromedp.CSS("#cell-1")))
	if bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(15, 18, 22)" {
		t.Errorf("with a dark system theme the page's background is %s", bg)
	}
	screenshot(t, ctx, filepath.Join(shots, "chapter-dark.png"))

	// A phone: nothing wider than the screen, contents behind the menu.
	do(t, ctx, "phone", colorScheme("light"),
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulatePortrait),
		chromedp.Navigate(fileURL(t, filepath.Join(opt.Out, "01-basics.html"))), chromedp.WaitVisible(chromedp.CSS("#cell-1")))
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
		t.Errorf("on a phone the page is %dpx wider than the screen", w)
	}
	if d := eval[string](t, ctx, `getComputedStyle(document.querySelector(".sidebar")).display`); d != "none" {
		t.Errorf("on a phone the contents show (display %s) before the menu is opened", d)
	}
	screenshot(t, ctx, filepath.Join(shots, "chapter-phone.png"))
	do(t, ctx, "open the menu", chromedp.Click(chromedp.CSS(".menu-button")), chromedp.WaitVisible(chromedp.CSS(".sidebar")))
	screenshot(t, ctx, filepath.Join(shots, "menu-phone.png"))
}

// TestScreenshots photographs a site built for real, for a person to look
// at: SITE_DIR=$PWD/public SITE_SCREENSHOTS=/tmp/shots go test ./site -run Screenshots
func TestScreenshots(t *testing.T) {
	dir, shots := os.Getenv("SITE_DIR"), os.Getenv("SITE_SCREENSHOTS")
	if dir == "" || shots == "" {
		t.Skip("set SITE_DIR and SITE_SCREENSHOTS to photograph a built site")
	}
	ctx := browser(t)
	pages, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	for _, p := range pages {
		name := strings.TrimSuffix(filepath.Base(p), ".html")
		for _, v := range []struct {
			suffix, scheme string
			phone          bool
		}{{"light", "light", false}, {"dark", "dark", false}, {"phone", "light", true}} {
			steps := []chromedp.Action[chromedp.Void]{colorScheme(v.scheme)}
			if v.phone {
				steps = append(steps, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1), chromedp.EmulateMobile, chromedp.EmulatePortrait))
			} else {
				steps = append(steps, chromedp.EmulateViewport(1400, 1000))
			}
			steps = append(steps, chromedp.Navigate(fileURL(t, p)))
			do(t, ctx, "open "+p, steps...)
			screenshot(t, ctx, filepath.Join(shots, name+"-"+v.suffix+".png"))
		}
	}
}
