package site

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/redis-notebook/tutorial/site/internal/browsertest"
)

// chromium finds the browser the tests drive (browsertest.Chromium).
func chromium(t *testing.T) string { t.Helper(); return browsertest.Chromium(t) }

// browser is a headless Chromium living at most ten minutes.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, 10*time.Minute)
}

// browserFor is a headless Chromium living at most d.
func browserFor(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	return browsertest.Browser(t, d)
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
	return browsertest.Eval[T](t, ctx, js)
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browsertest.Do(t, ctx, what, steps...)
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
	// Permalinks are many, and duplicate the outline: no tab stops.
	if n := eval[int](t, ctx, `document.querySelectorAll(".cell-label:not([tabindex='-1']), .anchor:not([tabindex='-1'])").length`); n > 0 {
		t.Errorf("%d cell or section permalinks are tab stops", n)
	}
	screenshot(t, ctx, filepath.Join(shots, "chapter-light.png"))

	// On a wide screen the contents show until the menu button hides them.
	if eval[string](t, ctx, `document.getElementById("menu-button").getAttribute("aria-expanded")`) != "true" {
		t.Error("on a wide screen the menu button does not say the contents show")
	}
	do(t, ctx, "hide the contents", chromedp.Click(chromedp.ID("menu-button")))
	if d, e := eval[string](t, ctx, `getComputedStyle(document.querySelector(".sidebar")).display`),
		eval[string](t, ctx, `document.getElementById("menu-button").getAttribute("aria-expanded")`); d != "none" || e != "false" {
		t.Errorf("after the menu button, the contents are display %s, aria-expanded %s", d, e)
	}
	do(t, ctx, "show the contents", chromedp.Click(chromedp.ID("menu-button")))

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
	if at := eval[string](t, ctx, "location.href"); !strings.HasSuffix(at, "/02-lists.html?highlight=haystack#searching-for-needles") {
		t.Fatalf("following the result opened %s, want 02-lists.html?highlight=haystack#searching-for-needles", at)
	}
	if title := eval[string](t, ctx, "document.title"); title != "Lists · Fixture course" {
		t.Errorf("the result opened a page titled %q", title)
	}
	if hits := eval[[]string](t, ctx, `[...document.querySelectorAll("article mark.hit")].map(m => m.textContent)`); len(hits) != 1 || hits[0] != "haystack" {
		t.Errorf("the page marks %q, want the searched word once", hits)
	}

	// A word only an output holds leads to its cell, marked there.
	do(t, ctx, "search an output", chromedp.SendKeys(chromedp.ID("search"), "BinaryMarshaler"),
		chromedp.WaitVisible(chromedp.CSS("#search-results a")))
	first, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#search-results li:first-child a")))
	if err != nil || !strings.Contains(first, "Cell 3 · Your turn") {
		t.Fatalf("the first result for an output's word reads %q (%v), want cell 3 of section 'Your turn'", first, err)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#search-results li:first-child code.r-text").length`); n != 1 {
		t.Error("a cell's snippet is not shown as code")
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS("#search-results li:first-child a")))); err != nil {
		t.Fatalf("following the result: %v", err)
	}
	if at := eval[string](t, ctx, "location.href"); !strings.HasSuffix(at, "/02-lists.html?highlight=binarymarshaler#cell-3") {
		t.Fatalf("following the result opened %s, want the cell", at)
	}
	if !eval[bool](t, ctx, `(() => { const m = document.querySelector("#cell-3 .cell-output mark.hit"), r = m && m.getBoundingClientRect();
		return !!m && r.top >= 0 && r.bottom <= innerHeight; })()`) {
		t.Error("the searched word is not marked in the cell's output, in view")
	}

	// ← and → go to the previous and next page.
	do(t, ctx, "press →", chromedp.Navigate(fileURL(t, filepath.Join(opt.Out, "01-basics.html"))), chromedp.WaitVisible(chromedp.CSS("#cell-1")))
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.KeyEvent(kb.ArrowRight))); err != nil {
		t.Fatalf("pressing →: %v", err)
	}
	if at := eval[string](t, ctx, "location.href"); !strings.HasSuffix(at, "/02-lists.html") {
		t.Errorf("→ on chapter 1 opened %s, want chapter 2", at)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.KeyEvent(kb.ArrowLeft))); err != nil {
		t.Fatalf("pressing ←: %v", err)
	}
	if at := eval[string](t, ctx, "location.href"); !strings.HasSuffix(at, "/01-basics.html") {
		t.Errorf("← on chapter 2 opened %s, want chapter 1", at)
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

	// The chapter links to the exercise, and the exercise back to the chapter.
	if href := eval[string](t, ctx, `document.querySelector("h1").closest("main").querySelector("a[href='02-lists.html#exercise-1']").getAttribute("href")`); href == "" {
		t.Error("the exercise page does not link back to where the chapter sets it")
	}

	// Dark, following the system setting.
	do(t, ctx, "dark theme", colorScheme("dark"), chromedp.Navigate(fileURL(t, filepath.Join(opt.Out, "01-basics.html"))),
		chromedp.WaitVisible(chromedp.CSS("#cell-1")))
	if bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(15, 18, 22)" {
		t.Errorf("with a dark system theme the page's background is %s", bg)
	}
	if code, out := eval[string](t, ctx, `getComputedStyle(document.querySelector("#cell-1 pre.code")).backgroundColor`),
		eval[string](t, ctx, `getComputedStyle(document.querySelector("#cell-1 .cell-output")).backgroundColor`); code == out {
		t.Errorf("in the dark theme a cell's code and its output have one background, %s", code)
	}
	screenshot(t, ctx, filepath.Join(shots, "chapter-dark.png"))

	// The theme switch: light on a dark system, remembered on the next
	// page, and back to the system's.
	do(t, ctx, "choose light", chromedp.SetValue(chromedp.ID("theme"), "light"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("theme").dispatchEvent(new Event("change"))`))
	if bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(255, 255, 255)" {
		t.Errorf("after choosing light the background is %s", bg)
	}
	do(t, ctx, "next page", chromedp.Navigate(fileURL(t, filepath.Join(opt.Out, "02-lists.html"))), chromedp.WaitVisible(chromedp.ID("theme")))
	if theme, v := eval[string](t, ctx, `document.documentElement.dataset.theme`), eval[string](t, ctx, `document.getElementById("theme").value`); theme != "light" || v != "light" {
		t.Errorf("the next page's theme is %q and its switch says %q: the choice was not remembered", theme, v)
	}
	do(t, ctx, "choose system", chromedp.SetValue(chromedp.ID("theme"), ""),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("theme").dispatchEvent(new Event("change"))`))
	if theme := eval[string](t, ctx, `document.documentElement.dataset.theme`); theme != "dark" {
		t.Errorf("back on the system's theme, the page is %q, want the system's dark", theme)
	}

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
	if w := eval[float64](t, ctx, `document.getElementById("search").getBoundingClientRect().width`); w < 150 {
		t.Errorf("on a phone the search box is %.0fpx wide", w)
	}
	if !eval[bool](t, ctx, `document.querySelector("#cell-1 .cell-label").checkVisibility() && document.querySelector("#numbers .anchor").checkVisibility({opacityProperty: true})`) {
		t.Error("on a phone the cells' and sections' permalinks are hidden")
	}
	if over := eval[float64](t, ctx, `document.querySelector("#cell-1 button.copy").getBoundingClientRect().bottom - document.querySelector("#cell-1 pre").getBoundingClientRect().top`); over > 0 {
		t.Errorf("the copy button covers the code by %.0fpx", over)
	}
	screenshot(t, ctx, filepath.Join(shots, "chapter-phone.png"))
	// The menu is a button: the keyboard reaches it, and it says whether it is open.
	if eval[string](t, ctx, `document.getElementById("menu-button").getAttribute("aria-expanded")`) != "false" {
		t.Error("the closed menu's button does not say it is closed")
	}
	do(t, ctx, "focus the menu", chromedp.Focus(chromedp.ID("menu-button")))
	do(t, ctx, "open the menu", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(".sidebar")))
	if eval[string](t, ctx, `document.getElementById("menu-button").getAttribute("aria-expanded")`) != "true" {
		t.Error("the open menu's button does not say it is open")
	}
	if !eval[bool](t, ctx, `document.querySelector(".sidebar").contains(document.activeElement)`) {
		t.Error("opening the menu did not move the focus into it")
	}
	screenshot(t, ctx, filepath.Join(shots, "menu-phone.png"))
	do(t, ctx, "close the menu", chromedp.KeyEvent(kb.Escape))
	if d := eval[string](t, ctx, `getComputedStyle(document.querySelector(".sidebar")).display`); d != "none" || eval[string](t, ctx, `document.activeElement.id`) != "menu-button" {
		t.Errorf("Escape left the menu shown (display %s) or the focus elsewhere", d)
	}
}

// pdfPage finds a page object of a PDF (not the /Pages tree).
var pdfPage = regexp.MustCompile(`/Type\s*/Page\b`)

// TestPrint prints a chapter as a reader would (print media): no
// navigation, code wrapped rather than cut at the paper's edge.
func TestPrint(t *testing.T) {
	ctx := browser(t)
	root := course(t)
	opt := options(root, &fakeRunner{})
	mustBuild(t, opt)
	do(t, ctx, "print media", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}), chromedp.Navigate(fileURL(t, filepath.Join(opt.Out, "02-lists.html"))), chromedp.WaitReady(chromedp.CSS("#cell-1")))
	for _, sel := range []string{".topbar", ".sidebar", ".outline", ".pager", "button.copy"} {
		if eval[bool](t, ctx, `document.querySelector("`+sel+`").checkVisibility()`) {
			t.Errorf("the printed chapter shows %s", sel)
		}
	}
	if ws := eval[string](t, ctx, `getComputedStyle(document.querySelector("#cell-4 pre.code")).whiteSpace`); ws != "pre-wrap" {
		t.Errorf("printed code has white-space %s, want pre-wrap", ws)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatal(err)
	}
	if pages := len(pdfPage.FindAll(pdf, -1)); pages < 1 || pages > 3 {
		t.Errorf("the fixture's second chapter prints on %d A4 pages, want 1 to 3", pages)
	}
}

// TestScreenshots photographs every page, at a laptop's and a phone's
// width, light and dark, and fails on a picture that a page which did not
// render would give (see shotProblem): blank, not as wide as the screen,
// or with a background that does not follow the theme. It photographs the
// fixture course's site, or a site built for real (SITE_DIR); with
// SITE_SCREENSHOTS it also writes the pictures there, for a person to look
// at: the top of each page, then each place SITE_SHOT_AT names (ids, by
// commas), and each chapter printed on A4 (NAME.pdf):
//
//	SITE_DIR=$PWD/public SITE_SCREENSHOTS=/tmp/shots SITE_SHOT_AT=cell-8,solution go test ./site -run Screenshots
func TestScreenshots(t *testing.T) {
	dir, shots := os.Getenv("SITE_DIR"), os.Getenv("SITE_SCREENSHOTS")
	ctx := browser(t)
	if dir == "" {
		opt := options(course(t), &fakeRunner{})
		mustBuild(t, opt)
		dir = opt.Out
	}
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var at []string
	if v := os.Getenv("SITE_SHOT_AT"); v != "" {
		at = strings.Split(v, ",")
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	if len(pages) == 0 {
		t.Fatalf("no pages in %s", dir)
	}
	for _, p := range pages {
		name := strings.TrimSuffix(filepath.Base(p), ".html")
		for _, m := range viewModes {
			openInMode(t, ctx, p, m)
			prefix := fmt.Sprintf("%s-%d-%s", name, m.width, m.scheme)
			shot := func(what string) {
				png := viewportShot(t, ctx)
				if problem := shotProblem(png, m); problem != "" {
					t.Errorf("%s.html at %s, %s: %s", name, m, what, problem)
				}
				if shots != "" {
					if err := os.WriteFile(filepath.Join(shots, prefix+"-"+what+".png"), png, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			shot("top")
			for _, id := range at {
				if eval[bool](t, ctx, `(() => { const e = document.getElementById(`+strconv.Quote(id)+`); if (e) { e.scrollIntoView(); scrollBy(0, -70); } return !!e; })()`) {
					shot(id)
				}
			}
		}
		if shots != "" && strings.HasPrefix(name, "0") { // a chapter
			do(t, ctx, "print "+name, colorScheme("light"), chromedp.EmulateViewport(1280, 900), chromedp.Navigate(fileURL(t, p)), chromedp.WaitReady(chromedp.CSS("body")))
			pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(shots, name+".pdf"), pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s prints on %d A4 pages", name, len(pdfPage.FindAll(pdf, -1)))
		}
	}
}

func viewportShot(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return png
}

// minDrawn is the share of a screenshot's pixels that must differ from its
// background: a page's text, code and bars draw several percent of the
// top of any page; one that did not render draws none.
const minDrawn = 0.01

// shotProblem says what is wrong with a screenshot, taken in mode m, that
// a broken page would give, or "": not a PNG, not as wide as the screen,
// blank (fewer than minDrawn of its pixels differ from the commonest
// colour, its background), or a background that does not follow the theme
// (bright in light, dark in dark).
func shotProblem(b []byte, m viewMode) string {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return "not a PNG: " + err.Error()
	}
	r := img.Bounds()
	if int64(r.Dx()) != m.width || r.Dy() == 0 {
		return fmt.Sprintf("the picture is %dx%d, want %d wide", r.Dx(), r.Dy(), m.width)
	}
	counts := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			counts[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	var bg color.RGBA
	for c, n := range counts {
		if n > counts[bg] {
			bg = c
		}
	}
	total := r.Dx() * r.Dy()
	if drawn := float64(total-counts[bg]) / float64(total); drawn < minDrawn {
		return fmt.Sprintf("blank: %.2f%% of it differs from its background %v, want %.0f%% or more", 100*drawn, bg, 100*minDrawn)
	}
	light := (299*int(bg.R)+587*int(bg.G)+114*int(bg.B))/1000 > 128
	if light != (m.scheme == "light") {
		return fmt.Sprintf("its background %v does not follow the %s theme", bg, m.scheme)
	}
	return ""
}

// TestShotProblem: the pictures a broken page gives are caught.
func TestShotProblem(t *testing.T) {
	page := func(w, h int, bg, ink color.RGBA, inked int) []byte {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := range w * h {
			c := bg
			if i%100 < inked {
				c = ink
			}
			img.SetRGBA(i%w, i/w, c)
		}
		var b bytes.Buffer
		png.Encode(&b, img)
		return b.Bytes()
	}
	white, black := color.RGBA{255, 255, 255, 255}, color.RGBA{20, 20, 20, 255}
	light, dark := viewMode{390, "light"}, viewMode{390, "dark"}
	for _, tc := range []struct {
		name string
		png  []byte
		m    viewMode
		want string
	}{
		{"a page", page(390, 200, white, black, 8), light, ""},
		{"a dark page", page(390, 200, black, white, 8), dark, ""},
		{"blank", page(390, 200, white, black, 0), light, "blank"},
		{"all but blank", page(390, 200, black, white, 0), dark, "blank"},
		{"light in dark", page(390, 200, white, black, 8), dark, "does not follow the dark theme"},
		{"too narrow", page(200, 200, white, black, 8), light, "want 390 wide"},
		{"not a picture", []byte("<html>"), light, "not a PNG"},
	} {
		got := shotProblem(tc.png, tc.m)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
