// Command timing measures editing a chapter cell in the reader's tab: it
// serves a built site as a plain static server, drives headless Chromium
// through chapter 1 (edit the signature cell, Run) and prints how long the
// edited output took after the click, the first time (downloading and
// compiling the toolchain) and later, and the longest the page's main
// thread was blocked; then how long serve takes to run the same edit
// natively, for comparison.
//
//	go run ./runner site -o /tmp/site && go run ./site/timing -site /tmp/site
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/site/serve"
)

func main() {
	siteDir := flag.String("site", "", "a site built by 'go run ./runner site' (required)")
	chromium := flag.String("chromium", "/usr/bin/chromium", "the browser")
	edits := flag.Int("edits", 3, "edits to time: the first, and later ones")
	flag.Parse()
	if *siteDir == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*siteDir, *chromium, *edits); err != nil {
		fmt.Fprintln(os.Stderr, "timing:", err)
		os.Exit(1)
	}
}

// words are what each edit asks the signature of: each edit is new code.
var words = []string{"dcba", "zyxw", "hello", "world", "redis"}

func run(siteDir, chromium string, edits int) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	ch, err := chapter.Load(filepath.Join(root, "chapters", "01-redis.md"))
	if err != nil {
		return err
	}
	var cell *chapter.Cell
	for _, c := range ch.Cells() {
		if strings.Contains(c.Code, `signature("stare")`) {
			cell = c
		}
	}
	if cell == nil {
		return fmt.Errorf("chapter 1 has no cell with signature(\"stare\")")
	}
	ts := httptest.NewServer(http.FileServer(http.Dir(siteDir)))
	defer ts.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	profile, err := os.MkdirTemp("", "timing-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(profile))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()

	sel := fmt.Sprintf("#cell-%d", cell.Index)
	if err := chromedp.Do(bctx, chromedp.Navigate(ts.URL+"/01-redis.html"),
		chromedp.Evaluate[chromedp.Void](`window.longest = 0; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longest = Math.max(window.longest, e.duration); }).observe({type: "longtask", buffered: true})`),
		chromedp.Click(chromedp.CSS(sel+" .nb-edit"))); err != nil {
		return err
	}
	for i := 0; i < edits; i++ {
		word := words[i%len(words)]
		type result struct {
			Ms     float64
			Output string
			Status string
		}
		// The reader's select-all and paste, in the cell's editor.
		code := strings.Replace(cell.Code, `signature("stare")`, "signature("+strconv.Quote(word)+")", 1)
		if _, err := chromedp.Run(bctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			for _, a := range []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(chromedp.CSS(sel + " .cm-content")), chromedp.Click(chromedp.CSS(sel + " .cm-content")),
				chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl))} {
				if _, err := a(ctx, t); err != nil {
					return err
				}
			}
			_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: code})
			return err
		})); err != nil {
			return err
		}
		js := fmt.Sprintf(`new Promise((resolve) => {
			const t0 = performance.now();
			document.querySelector(%[1]q + " .nb-run").click();
			const check = () => {
				const live = document.querySelector(%[1]q + " .cell-live");
				if (live && (live.dataset.ms || live.classList.contains("live-failed"))) {
					resolve({ms: performance.now() - t0, output: live.textContent, status: document.querySelector(".nb-status").textContent});
				} else setTimeout(check, 10);
			};
			setTimeout(check, 50);
		})`, sel)
		res, err := chromedp.Run(bctx, chromedp.Evaluate[result](js, chromedp.EvalAwaitPromise))
		if err != nil {
			return err
		}
		what := "later edit"
		if i == 0 {
			what = "first edit (downloads and compiles the toolchain)"
		}
		fmt.Printf("%-50s %6.2f s   output: %s\n", what, res.Ms/1000, strings.Join(strings.Fields(res.Output), " "))
	}
	longest, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`window.longest`))
	if err != nil {
		return err
	}
	fmt.Printf("%-50s %6.0f ms\n", "longest main-thread block (long tasks)", longest)

	// serve, natively: the same edit, POST /_run, until the cell's end.
	fmt.Printf("%-50s %6.2f\n", "load average (1 min) now", loadAverage())
	srv := serve.New(siteDir)
	srv.Built()
	srv.ChaptersDir = filepath.Join(root, "chapters")
	srv.RunEdited = func(ctx context.Context, ch *chapter.Chapter, ev notebook.Events, step func(*chapter.Cell) bool) error {
		_, err := notebook.Run(ctx, ch, notebook.Options{Root: root, Events: ev, Step: step})
		return err
	}
	native := httptest.NewServer(srv)
	defer native.Close()
	for i := 0; i < 2; i++ {
		// A comment new at each run: serve compiles afresh, as for a new
		// edit, rather than reusing an earlier run's binary.
		code := strings.Replace(cell.Code, `signature("stare")`, "signature("+strconv.Quote(words[i])+")", 1) +
			fmt.Sprintf("// timing %d\n", time.Now().UnixNano())
		body, _ := json.Marshal(map[string]any{"chapter": "01-redis.md", "upTo": cell.Index, "cells": map[string]string{strconv.Itoa(cell.Index): code}})
		t0 := time.Now()
		resp, err := http.Post(native.URL+"/_run", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<24)
		ok := false
		for sc.Scan() {
			var m struct {
				Kind    string
				Cell    int
				Message string
			}
			json.Unmarshal(sc.Bytes(), &m)
			if m.Kind == "error" {
				resp.Body.Close()
				return fmt.Errorf("serve: %s", m.Message)
			}
			if m.Kind == "end" && m.Cell == cell.Index {
				ok = true
				break
			}
		}
		resp.Body.Close()
		if !ok {
			return fmt.Errorf("serve's run of the edit ended without the cell")
		}
		fmt.Printf("%-50s %6.2f s\n", fmt.Sprintf("serve, natively (edit %d)", i+1), time.Since(t0).Seconds())
	}
	return nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

// loadAverage is the machine's, for reading the figures: they are from a
// shared machine.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(data))[0], 64)
	return f
}
