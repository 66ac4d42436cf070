package inpage

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck/checkbuild"
	"github.com/redis-notebook/tutorial/site"
	"github.com/redis-notebook/tutorial/site/internal/browsertest"
)

// TestBrowserCheckInPage checks exercise 1 in its page, in Chromium, with
// no server but a static one: the check program, built here with the go
// command for js/wasm (the in-page compiler's part is stood in for by a
// NotebookCompiler that hands over that build), runs in the page's
// Worker. The stub is not done, the reference solution passes, each
// verdict is kept in the browser and the index shows the last.
func TestBrowserCheckInPage(t *testing.T) {
	ctx := browsertest.Browser(t, 5*time.Minute)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	set := m.Packages[0]
	ex := set.Exercises[0]
	opt := site.Options{Root: root, Out: filepath.Join(t.TempDir(), "public"), Run: browsertest.RecordedRun}
	if _, err := site.Render(context.Background(), opt); err != nil {
		t.Fatalf("build: %v", err)
	}

	bins := map[string]string{}
	mains := map[string]string{}
	for _, from := range []string{"exercises", "solutions"} {
		bin := filepath.Join(t.TempDir(), from+".wasm")
		main, err := checkbuild.Build(context.Background(), root, filepath.Join(root, from, set.Package), set,
			[]grade.Exercise{ex}, "js", "wasm", bin)
		if err != nil {
			t.Fatal(err)
		}
		bins[from], mains[from] = bin, string(main)
	}
	stub := browsertest.ReadFile(t, filepath.Join(root, "exercises", set.Package, ex.File))
	solution := browsertest.ReadFile(t, filepath.Join(root, "solutions", set.Package, ex.File))
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(opt.Out)))
	for from, bin := range bins {
		mux.HandleFunc("/_test/"+from+".wasm", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/wasm")
			http.ServeFile(w, r, bin)
		})
	}
	ts := httptest.NewServer(mux)
	defer ts.Close()

	// The stand-in compiler: the stub's build for the stub, the
	// solution's for anything else; it keeps what the page asked for.
	fake := fmt.Sprintf(`globalThis.NotebookCompiler = { asked: [], async build(req) {
  this.asked.push(req.packages);
  const src = req.packages[0].files[%q];
  const resp = await fetch(src === %q ? "/_test/exercises.wasm" : "/_test/solutions.wasm");
  return { wasm: new Uint8Array(await resp.arrayBuffer()) };
} };`, ex.File, stub)
	page := fmt.Sprintf("%s/exercise-%02d-%s.html", ts.URL, ex.ID, ex.Name)
	browsertest.Do(t, ctx, "open exercise 1", chromedp.Navigate(page))
	c, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](`document.querySelector(".nb-check textarea").value.includes("package ")`)); err != nil {
		t.Fatalf("the editor did not load the stub: %v", err)
	}
	if got := browsertest.Eval[string](t, ctx, `document.querySelector(".nb-check textarea").value`); got != stub {
		t.Errorf("the editor holds %q, not the stub", got)
	}
	for _, sel := range []string{".nb-check-run", ".nb-check-download", ".nb-check-seed", ".nb-check-note"} {
		if !browsertest.Eval[bool](t, ctx, fmt.Sprintf(`!!document.querySelector(%q)`, sel)) {
			t.Errorf("the page has no %s", sel)
		}
	}
	if note := browsertest.Eval[string](t, ctx, `document.querySelector(".nb-check-note").textContent`); !strings.Contains(note, "no one to cheat") {
		t.Errorf("the page does not say the check runs the code and the checks in this tab: %q", note)
	}
	check := func(want string) string {
		t.Helper()
		browsertest.Do(t, ctx, "check", chromedp.Evaluate[chromedp.Void](fake+`document.querySelector(".nb-check-report samp").textContent = "";`),
			chromedp.Click(chromedp.CSS(".nb-check-run")))
		if _, err := chromedp.Run(c, chromedp.Poll[bool](`document.querySelector(".nb-check-report samp").textContent !== ""`,
			chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
			t.Fatalf("no report: %v; status: %s", err, browsertest.Eval[string](t, ctx, `document.querySelector(".nb-status").textContent`))
		}
		report := browsertest.Eval[string](t, ctx, `document.querySelector(".nb-check-report samp").textContent`)
		if first, _, _ := strings.Cut(report, "\n"); !strings.Contains(first, want) {
			t.Errorf("the report says %q, want %q:\n%s", first, want, report)
		}
		if v := browsertest.Eval[string](t, ctx, fmt.Sprintf(`JSON.parse(localStorage.getItem("nb-check:%d:verdict")).status`, ex.ID)); !strings.Contains(want, v) {
			t.Errorf("the verdict kept is %q, want %q", v, want)
		}
		return report
	}
	check("not done")
	if got := browsertest.Eval[string](t, ctx, `NotebookCompiler.asked[0][1].files["main.go"]`); got != mains["exercises"] {
		t.Errorf("the page compiled another main than the generated one:\n%s", got)
	}
	if got := browsertest.Eval[string](t, ctx, `NotebookCompiler.asked[0][0].importPath`); got != grade.GraftImportPath {
		t.Errorf("the learner's package is compiled as %q, want %q", got, grade.GraftImportPath)
	}
	browsertest.Do(t, ctx, "write the solution", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`{
  const area = document.querySelector(".nb-check textarea");
  area.value = %q;
  area.dispatchEvent(new Event("input"));
}`, solution)))
	report := check("passed")
	if !strings.Contains(report, fmt.Sprintf("✓ %d %s", ex.ID, ex.Name)) {
		t.Errorf("the report is not check's:\n%s", report)
	}

	// Kept in the browser: the code on the page, the verdict on the index.
	browsertest.Do(t, ctx, "reload", chromedp.Navigate(page))
	if _, err := chromedp.Run(c, chromedp.Poll[bool](fmt.Sprintf(`document.querySelector(".nb-check textarea").value === %q`, solution))); err != nil {
		t.Errorf("the page did not keep the code: %v", err)
	}
	browsertest.Do(t, ctx, "open the index", chromedp.Navigate(ts.URL+"/index.html"))
	if _, err := chromedp.Run(c, chromedp.Poll[bool](fmt.Sprintf(`(document.querySelector('li[data-exercise="%d"] .nb-progress') || {}).textContent === "✓ passed"`, ex.ID))); err != nil {
		t.Errorf("the index does not show exercise %d passed: %v", ex.ID, err)
	}
	if _, err := os.Stat(filepath.Join(opt.Out, "check")); err != nil {
		t.Errorf("the site has no check bundles: %v", err)
	}
}
