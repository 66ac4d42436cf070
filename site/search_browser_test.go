package site

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/site/serve"
)

// TestBrowserRunsSearchChapter runs chapter 3 whole in Chromium: its
// corpus is embedded in its program (and only in its), its cells parse
// every page and index them, and each prints what the chapter recorded.
func TestBrowserRunsSearchChapter(t *testing.T) {
	ctx := browserFor(t, 5*time.Minute)
	out, _ := realSite(t, false)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := chapter.Load(filepath.Join(root, "chapters", "03-search.md"))
	if err != nil {
		t.Fatal(err)
	}
	last, runnable := 0, 0
	for _, c := range ch.Cells() {
		if c.Runs(chapter.Miniredis) {
			last = c.Index
			runnable++
		}
	}
	ts, token := behindTokenCheck(t, serve.New(out))
	do(t, ctx, "open chapter 3", chromedp.Navigate(ts.URL+"/03-search.html?token="+token),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#cell-%d .nb-run", last))))
	js := fmt.Sprintf(`!!document.querySelector("#cell-%d .cell-live.live-same, #cell-%d .cell-live.live-differs, #cell-%d .cell-live.live-failed")`, last, last, last)
	c, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	began := time.Now()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](js, chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		t.Fatalf("cell %d did not finish: %v; status: %s", last, err, eval[string](t, ctx, `document.querySelector(".nb-status").textContent`))
	}
	t.Logf("chapter 3 ran in the browser in %s", time.Since(began).Round(time.Millisecond))
	if n := eval[int](t, ctx, `document.querySelectorAll(".cell-live[data-ms]").length`); n != runnable {
		t.Errorf("%d cells ran, want %d", n, runnable)
	}
	if bad := eval[string](t, ctx, `[...document.querySelectorAll(".cell-live.live-differs, .cell-live.live-failed")].map(e => e.closest("[id^=cell-]").id + ": " + e.textContent).join("\n")`); bad != "" {
		t.Errorf("cells whose live output differs from the recorded one:\n%s", bad)
	}
}
