// Package browsertest holds what the site's browser tests share: a
// headless Chromium started with the flags this machine needs, small
// actions on it, and a stand-in for the notebook runner that gives every
// cell its recorded output. The site's tests live in more than one package
// (site, and site/inpage for the in-page toolchain, which is slow to build
// from a cold cache and gets its own test binary and time limit), so
// these helpers are ordinary code, imported by tests only.
package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/picture"
)

// Chromium finds Debian's Chromium (or $CHROMIUM). In CI (CI=true) the
// browser tests must run, so a missing browser fails them there;
// elsewhere the test is skipped with a word on how to install one.
func Chromium(t testing.TB) string {
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

// Node finds node, which runs the in-page toolchain's worker outside a
// browser; as with Chromium, CI fails without it and a laptop skips.
func Node(t testing.TB) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("no node:", err)
		}
		t.Skip("no node: apt-get install nodejs to run this test")
	}
	return node
}

// Browser starts a headless Chromium with the flags this machine needs (it
// runs as root, with no GPU and no network) and a fresh profile, living at
// most d.
func Browser(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	exe := Chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), d)
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

// Eval evaluates js in the page and returns its value.
func Eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// Do runs steps, failing the test with what they were for.
func Do(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Poll waits up to d for js to be true, failing with what it waited for
// and the page's status line.
func Poll(t testing.TB, ctx context.Context, what, js string, d time.Duration) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("%s: %v; status: %q", what, err, Eval[string](t, ctx, `(document.querySelector(".nb-status") || {}).textContent`))
	}
}

// InsertText types text as a paste or an input method does: a key event
// for "\n" would give the editor two new lines (chromedp sends the key
// and its character apart, and the editor takes both).
func InsertText(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
		return err
	})
}

// Between is the text of s between the first from and the to after it.
func Between(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, to)
	return v
}

// ReadFile is the file's text, or the test's end.
func ReadFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// CellWhere is the index of the chapter's first cell for which ok holds.
func CellWhere(t testing.TB, ch *chapter.Chapter, what string, ok func(*chapter.Cell) bool) int {
	t.Helper()
	for _, c := range ch.Cells() {
		if ok(c) {
			return c.Index
		}
	}
	t.Fatalf("%s has no cell that %s", ch.Path, what)
	return 0
}

// RecordedRun stands for notebook.Run: every cell that runs on the
// embedded server prints its recorded output, and shows its recorded
// pictures.
func RecordedRun(_ context.Context, ch *chapter.Chapter) (*notebook.Result, error) {
	res := &notebook.Result{Chapter: ch, Backend: chapter.Miniredis}
	for _, c := range ch.Cells() {
		cr := &notebook.CellResult{Cell: c, Ran: c.Runs(chapter.Miniredis)}
		if cr.Ran && c.Expected != nil {
			AsRecorded(cr, c.Expected.Text)
		}
		res.Cells = append(res.Cells, cr)
	}
	return res, nil
}

// AsRecorded gives cr the expected output, each picture's line
// ("image/svg+xml 120×40") a picture of that kind and size, as a run that
// displayed it would.
func AsRecorded(cr *notebook.CellResult, expected string) {
	for line := range strings.Lines(expected) {
		text := strings.TrimSuffix(line, "\n")
		if !picture.IsLine(text) {
			cr.Output += line
			continue
		}
		var kind string
		var w, h int
		fmt.Sscanf(strings.Replace(text, "×", " ", 1), "%s %d %d", &kind, &w, &h)
		data := fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d"><rect width="%d" height="%d" fill="#1d5fc6"/></svg>`, w, h, w, h)
		if kind == picture.PNG {
			var buf bytes.Buffer
			png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)))
			data = buf.Bytes()
		}
		cr.AddImage(notebook.NewImage(kind, data, "the picture the cell was to draw"))
	}
}
