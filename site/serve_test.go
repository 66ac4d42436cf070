package site

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/redis-notebook/tutorial/site/serve"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// event reads one server-sent event: its name and data.
func event(t *testing.T, r *bufio.Reader) (string, string) {
	t.Helper()
	var name string
	var data []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading events: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" && name != "":
			return name, strings.Join(data, "\n")
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		}
	}
}

func TestServer(t *testing.T) {
	root := course(t)
	opt := options(root, &fakeRunner{})
	opt.LiveReload = true
	srv := serve.New(opt.Out)
	ts := httptest.NewServer(srv)
	defer ts.Close()

	// Before the first build: a page that waits for it.
	code, body := get(t, ts.URL+"/")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "being built") || !strings.Contains(body, `src="/_live.js"`) {
		t.Errorf("before any build, / answers %d:\n%s", code, body)
	}
	srv.Failed(errors.New("chapters/01-basics.md:3: something is wrong"))
	if _, body := get(t, ts.URL+"/"); !strings.Contains(body, "chapters/01-basics.md:3: something is wrong") {
		t.Errorf("after a failed first build, / does not say why:\n%s", body)
	}
	if code, body := get(t, ts.URL+"/_live.js"); code != 200 || !strings.Contains(body, "EventSource") {
		t.Errorf("/_live.js: %d", code)
	}

	req, _ := http.NewRequestWithContext(t.Context(), "GET", ts.URL+"/_live", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewReader(resp.Body)
	if name, data := event(t, events); name != "failed" || !strings.Contains(data, "something is wrong") {
		t.Errorf("first event: %s %q, want the failure", name, data)
	}

	mustBuild(t, opt)
	srv.Built()
	name, v1 := event(t, events)
	if name != "version" || v1 == "" {
		t.Fatalf("after a build: event %s %q, want a version", name, v1)
	}
	code, body = get(t, ts.URL+"/")
	if code != 200 || !strings.Contains(body, `<script defer src="/_live.js"></script>`) {
		t.Errorf("the built index (%d) lacks the live reload script", code)
	}
	if code, _ := get(t, ts.URL+"/01-basics.html"); code != 200 {
		t.Errorf("a chapter page: %d", code)
	}
	time.Sleep(time.Millisecond) // versions are times
	srv.Built()
	if name, v2 := event(t, events); name != "version" || v2 == v1 {
		t.Errorf("after a rebuild: event %s %q, want a new version (was %q)", name, v2, v1)
	}
}

// TestBrowserLiveReload: a page served by serve reloads itself after a
// rebuild.
func TestBrowserLiveReload(t *testing.T) {
	ctx := browser(t)
	root := course(t)
	opt := options(root, &fakeRunner{})
	opt.LiveReload = true
	mustBuild(t, opt)
	srv := serve.New(opt.Out)
	srv.Built()
	ts := httptest.NewServer(srv)
	defer func() {
		ts.CloseClientConnections() // the page's event stream never ends by itself
		ts.Close()
	}()

	do(t, ctx, "open the chapter", chromedp.Navigate(ts.URL+"/01-basics.html"), chromedp.WaitVisible(chromedp.CSS("#cell-1")))
	// Wait until the page is listening, then mark it: a reload forgets the mark.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.getAttribute("data-live") === "connected"`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the page does not listen to /_live: %v", err)
	}
	do(t, ctx, "mark the page", chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`))

	edit(t, filepath.Join(root, "chapters", "01-basics.md"), "Set a key, then read it back:", "Set a key, then read it back, live:")
	mustBuild(t, opt)
	reload, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(reload, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Func(func(context.Context, *chromedp.Target) error {
		srv.Built()
		return nil
	}))); err != nil {
		t.Fatalf("the page did not reload after the rebuild: %v", err)
	}
	if eval[bool](t, ctx, `window.notReloaded === true`) {
		t.Error("the page kept its state: it did not reload")
	}
	if !eval[bool](t, ctx, `document.body.textContent.includes("read it back, live:")`) {
		t.Error("the reloaded page does not show the edit")
	}
}
