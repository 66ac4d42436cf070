package inpage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck"
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
	root, m := course(t)
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

// course is the repository's root and its exercises' manifest.
func course(t *testing.T) (string, *grade.Manifest) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	return root, m
}

// wrongJSON is a wrong answer to exercise 1: LoadJSON takes a missing key
// for an empty value and says nothing, where the exercise asks for
// redis.Nil, so that the caller can tell "no such key".
const wrongJSON = `package redisbasics

import (
	"context"
	"encoding/json"

	"github.com/redis/go-redis/v9"
)

func SaveJSON(ctx context.Context, rdb *redis.Client, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return rdb.Set(ctx, key, b, 0).Err()
}

func LoadJSON(ctx context.Context, rdb *redis.Client, key string, dst any) error {
	b, err := rdb.Get(ctx, key).Bytes()
	if err == redis.Nil {
		return nil // nothing stored: nothing to load
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}
`

// nativeFirstLine grades exercise ex of set with file as the learner's
// file, as ` + "`go run ./runner check`" + ` does (built natively, in the
// grader's sandbox), on seed, and returns its report's first line.
func nativeFirstLine(root string, set *grade.PackageExercises, ex grade.Exercise, file string, seed uint64) (string, error) {
	dir, err := os.MkdirTemp("", "excheck-native-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	pkgDir := filepath.Join(dir, "exercises", set.Package)
	if err := os.MkdirAll(pkgDir, 0o755); err != nil {
		return "", err
	}
	stubs, err := filepath.Glob(filepath.Join(root, "exercises", set.Package, "*.go"))
	if err != nil {
		return "", err
	}
	for _, s := range stubs {
		data, err := os.ReadFile(s)
		if err != nil {
			return "", err
		}
		if filepath.Base(s) == ex.File {
			data = []byte(file)
		}
		if err := os.WriteFile(filepath.Join(pkgDir, filepath.Base(s)), data, 0o644); err != nil {
			return "", err
		}
	}
	opt := grade.Options{Root: root, Isolated: "inpagechecktest", RunConfig: grade.RunConfig{Seed: seed}}
	rep, _, err := grade.Check(context.Background(), pkgDir, []grade.Exercise{ex}, opt)
	if pkg, perr := grade.ReadPackage(pkgDir, pkgDir, ""); perr == nil {
		defer grade.RemoveIsolated("inpagechecktest", pkg)
	}
	if err != nil {
		return "", err
	}
	if rep.Compile != nil {
		return "", fmt.Errorf("the wrong answer does not compile natively:\n%s", rep.Compile)
	}
	var b strings.Builder
	rep.WriteText(&b, browsercheck.TextOptions)
	first, _, _ := strings.Cut(strings.ReplaceAll(b.String(), dir+string(filepath.Separator), ""), "\n")
	return first, nil
}

// TestBrowserCheckCompiled checks exercise 1 in its page, in Chromium, on
// a plain static server, with the site's own in-page compiler (no
// stand-in, no Go at run time): nothing of the compiler loads before the
// first Check; the stub is not done, the reference solution passes, a
// wrong answer fails with the first line the grader gives it natively on
// the same seed, and a file that does not compile says so at its line.
func TestBrowserCheckCompiled(t *testing.T) {
	ctx := browsertest.Browser(t, 8*time.Minute)
	out, _ := toolchainSite(t)
	root, m := course(t)
	set := m.Packages[0]
	ex := set.Exercises[0]
	stub := browsertest.ReadFile(t, filepath.Join(root, "exercises", set.Package, ex.File))
	solution := browsertest.ReadFile(t, filepath.Join(root, "solutions", set.Package, ex.File))
	seed := 1 + rand.Uint64N(999_999_999)
	t.Logf("seed %d", seed)

	// The grader's own verdict on the wrong answer, meanwhile.
	type nativeResult struct {
		line string
		err  error
	}
	native := make(chan nativeResult, 1)
	go func() {
		line, err := nativeFirstLine(root, set, ex, wrongJSON, seed)
		native <- nativeResult{line, err}
	}()

	ts := staticServer(t, out)
	page := fmt.Sprintf("%s/exercise-%02d-%s.html", ts.URL, ex.ID, ex.Name)
	browsertest.Do(t, ctx, "open exercise 1", chromedp.Navigate(page))
	browsertest.Poll(t, ctx, "the editor loads the stub", `document.querySelector(".nb-check textarea").value.includes("package ")`, time.Minute)
	if browsertest.Eval[bool](t, ctx, `!!globalThis.NotebookCompiler || !!document.querySelector('script[src*="compile."]')`) {
		t.Error("the in-page compiler loaded before the first Check")
	}
	// Every status the page shows, to see the download's progress.
	browsertest.Do(t, ctx, "watch the status", chromedp.Evaluate[chromedp.Void](`{
  globalThis.statuses = [];
  const s = document.querySelector(".nb-check .nb-status");
  new MutationObserver(() => statuses.push(s.textContent)).observe(s, { childList: true, characterData: true, subtree: true });
}`))

	check := func(what, code, want string) string {
		t.Helper()
		start := time.Now()
		browsertest.Do(t, ctx, what, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`{
  const area = document.querySelector(".nb-check textarea");
  area.value = %q;
  area.dispatchEvent(new Event("input"));
  document.querySelector(".nb-check-seed").value = "%d";
  document.querySelector(".nb-check-report samp").textContent = "";
}`, code, seed)), chromedp.Click(chromedp.CSS(".nb-check-run")))
		browsertest.Poll(t, ctx, what+": a report", `document.querySelector(".nb-check-report samp").textContent !== ""`, 4*time.Minute)
		report := browsertest.Eval[string](t, ctx, `document.querySelector(".nb-check-report samp").textContent`)
		t.Logf("%s: checked in %.1f s", what, time.Since(start).Seconds())
		first, _, _ := strings.Cut(report, "\n")
		if !strings.Contains(first, want) {
			t.Errorf("%s: the report says %q, want %q:\n%s", what, first, want, report)
		}
		if v := browsertest.Eval[string](t, ctx, fmt.Sprintf(`JSON.parse(localStorage.getItem("nb-check:%d:verdict")).status`, ex.ID)); v != want {
			t.Errorf("%s: the verdict kept is %q, want %q", what, v, want)
		}
		return report
	}

	check("the stub", stub, "not done")
	statuses := browsertest.Eval[[]string](t, ctx, `statuses`)
	fetching := slices.ContainsFunc(statuses, func(s string) bool {
		return strings.HasPrefix(s, "Fetching the Go compiler") && strings.Contains(s, " MB")
	})
	compiling := slices.ContainsFunc(statuses, func(s string) bool { return strings.HasPrefix(s, "Compiling") })
	if !fetching || !compiling {
		t.Errorf("the page did not show the compiler's download and the compile: %q", statuses)
	}
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`caches.open("notebook-compiler").then((c) => c.keys()).then((ks) => ks.map((r) => r.url))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"/run/compile-", "/run/link-", "/run/archives-check-"} {
		if !slices.ContainsFunc(kept, func(u string) bool { return strings.Contains(u, name) }) {
			t.Errorf("Cache Storage keeps %q, not %s*", kept, name)
		}
	}
	if slices.ContainsFunc(kept, func(u string) bool { return strings.Contains(u, "/run/gen-") }) {
		t.Errorf("a Check fetched the chapters' generator, which it does not need: %q", kept)
	}

	report := check("the reference solution", solution, "passed")
	if !strings.Contains(report, fmt.Sprintf("✓ %d %s", ex.ID, ex.Name)) {
		t.Errorf("the report is not check's:\n%s", report)
	}

	report = check("a wrong answer", wrongJSON, "failed")
	n := <-native
	if n.err != nil {
		t.Fatalf("grading the wrong answer natively: %v", n.err)
	}
	t.Logf("the grader natively, on seed %d: %s", seed, n.line)
	if first, _, _ := strings.Cut(report, "\n"); first != n.line {
		t.Errorf("on seed %d the page says\n\t%s\nand the grader\n\t%s", seed, first, n.line)
	}

	// A file that does not compile: named as go build names it, in the
	// learner's folder, at its line.
	brokenLine := 0
	lines := strings.Split(stub, "\n")
	for i, l := range lines {
		if strings.Contains(l, "not done yet: write SaveJSON") {
			lines[i] = "\treturn undefinedName"
			brokenLine = i + 1
		}
	}
	if brokenLine == 0 {
		t.Fatal("the stub of exercise 1 has no \"not done yet\" line for SaveJSON")
	}
	report = check("a file that does not compile", strings.Join(lines, "\n"), "does not compile")
	if want := fmt.Sprintf("exercises/%s/%s:%d:", set.Package, ex.File, brokenLine); !strings.Contains(report, want) || !strings.Contains(report, "undefinedName") {
		t.Errorf("the report does not name %s and undefinedName:\n%s", want, report)
	}
}

// TestBrowserCheckEveryPackage: the check bundle holds what every
// exercise package needs, so that the last exercise of each package, its
// reference solution in the page, compiles with the in-page compiler and
// passes there (a package missing from the bundle fails the compile).
func TestBrowserCheckEveryPackage(t *testing.T) {
	ctx := browsertest.Browser(t, 8*time.Minute)
	out, _ := toolchainSite(t)
	root, m := course(t)
	ts := staticServer(t, out)
	for _, set := range m.Packages {
		ex := set.Exercises[len(set.Exercises)-1]
		solution := browsertest.ReadFile(t, filepath.Join(root, "solutions", set.Package, ex.File))
		start := time.Now()
		browsertest.Do(t, ctx, fmt.Sprintf("open exercise %d", ex.ID),
			chromedp.Navigate(fmt.Sprintf("%s/exercise-%02d-%s.html", ts.URL, ex.ID, ex.Name)))
		browsertest.Poll(t, ctx, "the editor loads", `document.querySelector(".nb-check textarea").value.includes("package ")`, time.Minute)
		browsertest.Do(t, ctx, fmt.Sprintf("check exercise %d's solution", ex.ID), chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`{
  const area = document.querySelector(".nb-check textarea");
  area.value = %q;
  area.dispatchEvent(new Event("input"));
}`, solution)), chromedp.Click(chromedp.CSS(".nb-check-run")))
		browsertest.Poll(t, ctx, fmt.Sprintf("exercise %d: a report", ex.ID), `document.querySelector(".nb-check-report samp").textContent !== ""`, 4*time.Minute)
		report := browsertest.Eval[string](t, ctx, `document.querySelector(".nb-check-report samp").textContent`)
		t.Logf("exercise %d (%s): checked in %.1f s", ex.ID, set.Package, time.Since(start).Seconds())
		if first, _, _ := strings.Cut(report, "\n"); !strings.HasPrefix(first, fmt.Sprintf("✓ %d %s", ex.ID, ex.Name)) {
			t.Errorf("exercise %d's reference solution, checked in the page:\n%s", ex.ID, report)
		}
	}
}
