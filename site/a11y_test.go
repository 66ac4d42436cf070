package site

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeScript is axe-core's axe.min.js, named by $AXE_JS (.ci/run installs
// it from npm). Without it the accessibility tests skip on a laptop and
// fail in CI, as the other tests that need something outside Go do.
func axeScript(t *testing.T) string {
	t.Helper()
	p := os.Getenv("AXE_JS")
	if p == "" {
		msg := "AXE_JS is not set: npm install --prefix /tmp/axe axe-core@4 and set AXE_JS=/tmp/axe/node_modules/axe-core/axe.min.js to run the accessibility test"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (in CI it must run)")
		}
		t.Skip(msg)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("AXE_JS: %v", err)
	}
	return string(b)
}

// A viewMode is one way of looking at a page: its width and color scheme.
type viewMode struct {
	width  int64
	scheme string
}

func (m viewMode) String() string { return fmt.Sprintf("%dpx %s", m.width, m.scheme) }

// viewModes are the widths and themes every page is checked in: a laptop
// and a phone, light and dark.
var viewModes = []viewMode{{1280, "light"}, {1280, "dark"}, {390, "light"}, {390, "dark"}}

// openInMode opens page in the given mode, waits for its script, and opens
// every <details>, so that folded solutions and hints are checked too.
func openInMode(t *testing.T, ctx context.Context, page string, m viewMode) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{colorScheme(m.scheme)}
	if m.width < 900 {
		steps = append(steps, chromedp.EmulateViewport(m.width, 844, chromedp.EmulateScale(1), chromedp.EmulateMobile, chromedp.EmulatePortrait))
	} else {
		steps = append(steps, chromedp.EmulateViewport(m.width, 900))
	}
	steps = append(steps, chromedp.Navigate(fileURL(t, page)), chromedp.WaitReady(chromedp.CSS("body")))
	do(t, ctx, "open "+page, steps...)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === "complete"`)); err != nil {
		t.Fatalf("%s: the page did not load: %v", page, err)
	}
	eval[chromedp.Void](t, ctx, `document.querySelectorAll("details").forEach(d => d.open = true)`)
	// Let the resize observers see the unfolded blocks.
	eval[chromedp.Void](t, ctx, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`)
}

// axeViolation is what the test keeps of one of axe's results.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
	Summary string   `json:"summary"`
}

const runAxe = `axe.run(document, {
  runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
  resultTypes: ["violations"]
}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || "", help: v.help,
  targets: v.nodes.map(n => n.target.join(" ")),
  summary: (v.nodes[0] && v.nodes[0].failureSummary || "").split("\n").slice(0, 3).join(" ")
})))`

// clippedPre lists the visible pre blocks whose content is cut off with
// no way to reach it from the keyboard: wider than their box without a
// scroll, or scrolling but not focusable, or sticking out of the column.
const clippedPre = `(() => {
  const bad = [], vw = document.documentElement.clientWidth;
  document.querySelectorAll("pre").forEach((p, i) => {
    if (!p.checkVisibility()) { return; }
    const where = (p.closest("[id]") || {id: "?"}).id + " pre #" + i, cs = getComputedStyle(p), r = p.getBoundingClientRect();
    const column = p.closest("main, nav, aside, header") || document.body, c = column.getBoundingClientRect();
    if (r.right > Math.min(vw, c.right) + 1) { bad.push(where + ": sticks out of its column by " + Math.round(r.right - Math.min(vw, c.right)) + "px"); }
    const over = p.scrollWidth - p.clientWidth;
    if (over > 1) {
      if (!/auto|scroll/.test(cs.overflowX)) { bad.push(where + ": " + over + "px cut off, and it does not scroll"); }
      else if (p.tabIndex < 0) { bad.push(where + ": scrolls " + over + "px, but cannot be focused to scroll with the keyboard"); }
    }
  });
  return bad;
})()`

// checkPages runs axe and the clipped-code check on every page of the site
// in dir, in every mode, and reports each problem, and any page wider than
// the screen.
func checkPages(t *testing.T, dir string) {
	axe := axeScript(t)
	ctx := browser(t)
	pages, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	if len(pages) == 0 {
		t.Fatalf("no pages in %s", dir)
	}
	total := 0
	byRule := map[string]int{}
	for _, m := range viewModes {
		for _, p := range pages {
			openInMode(t, ctx, p, m)
			where := fmt.Sprintf("%s at %s", filepath.Base(p), m)
			for _, c := range eval[[]string](t, ctx, clippedPre) {
				t.Errorf("%s: %s", where, c)
			}
			if w := eval[int](t, ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w > 0 {
				t.Errorf("%s: the page is %dpx wider than the screen", where, w)
			}
			eval[chromedp.Void](t, ctx, axe)
			res, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](runAxe, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("%s: running axe: %v", where, err)
			}
			for _, v := range res {
				total += len(v.Targets)
				byRule[v.ID] += len(v.Targets)
				shown := v.Targets
				if len(shown) > 3 {
					shown = append(shown[:3:3], fmt.Sprintf("and %d more", len(v.Targets)-3))
				}
				t.Errorf("%s: axe %s (%s, %d nodes): %s: %s [%s]", where, v.ID, v.Impact, len(v.Targets), v.Help, v.Summary, strings.Join(shown, "; "))
			}
		}
	}
	rules := make([]string, 0, len(byRule))
	for r, n := range byRule {
		rules = append(rules, fmt.Sprintf("%s %d", r, n))
	}
	sort.Strings(rules)
	t.Logf("axe: %d violation nodes over %d pages × %d modes %v", total, len(pages), len(viewModes), rules)
}

// TestAccessibility checks the fixture course's site with axe-core (WCAG
// 2.0 to 2.2 A and AA, and best practice) at a laptop's and a phone's
// width, light and dark, with every <details> open, and looks for code
// cut off beyond the reach of a keyboard.
func TestAccessibility(t *testing.T) {
	root := course(t)
	opt := options(root, &fakeRunner{})
	mustBuild(t, opt)
	checkPages(t, opt.Out)
}

// TestBuiltSiteAccessibility does the same on a site built for real, whose
// long lines and outputs the fixture lacks:
//
//	go run ./runner site -o /tmp/site && SITE_DIR=/tmp/site AXE_JS=... go test ./site -run BuiltSite
func TestBuiltSiteAccessibility(t *testing.T) {
	dir := os.Getenv("SITE_DIR")
	if dir == "" {
		t.Skip("SITE_DIR is not set: no built site to check (the fixture's is checked by TestAccessibility)")
	}
	checkPages(t, dir)
}

// The clipped-code check must catch a block cut off out of keyboard reach.
func TestClippedPreFindsCutOffCode(t *testing.T) {
	ctx := browser(t)
	page := filepath.Join(t.TempDir(), "clipped.html")
	long := strings.Repeat("word ", 80)
	html := `<!DOCTYPE html><html lang="en" class="js"><title>x</title><main style="width:300px">` +
		`<pre id="hidden" style="overflow:hidden">` + long + `</pre>` +
		`<pre id="unfocusable" style="overflow-x:auto">` + long + `</pre>` +
		`<pre id="fine" style="overflow-x:auto" tabindex="0">` + long + `</pre>` +
		`<pre id="wide" style="width:2000px">short</pre></main>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	openInMode(t, ctx, page, viewModes[0])
	got := strings.Join(eval[[]string](t, ctx, clippedPre), "\n")
	for _, want := range []string{"hidden pre #0: ", "unfocusable pre #1: scrolls", "wide pre #3: sticks out"} {
		if !strings.Contains(got, want) {
			t.Errorf("the check missed %q; it found:\n%s", want, got)
		}
	}
	if strings.Contains(got, "fine") {
		t.Errorf("the check blamed a focusable scrolling block:\n%s", got)
	}
	// And axe, loaded as the test loads it, finds a missing label.
	if os.Getenv("AXE_JS") != "" {
		eval[chromedp.Void](t, ctx, axeScript(t))
		res, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](runAxe, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, v := range res {
			ids = append(ids, v.ID)
		}
		if !strings.Contains(strings.Join(ids, " "), "scrollable-region-focusable") {
			t.Errorf("axe did not report the unfocusable scrolling block; it reported %v", ids)
		}
	}
}
