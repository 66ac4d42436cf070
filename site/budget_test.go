package site

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The site stays small: a reader on a slow phone line gets a page and
// everything it needs quickly, and the site fits anywhere.
const (
	// Each HTML page, before compression: chapter 3, with its pictures'
	// section, is 101.7 KB.
	maxPageBytes = 112 << 10
	// What the pages load from assets/ as they open (CSS, scripts, icon):
	// 55 KB before the toolbar, the console drawer, pictures in live
	// outputs and the exercise pages' in-page Check; 70.4 KB with them,
	// 72.0 KB once check.js loaded the in-page compiler itself.
	maxAssetsBytes = 76 << 10
	// The search index is fetched only when the reader searches, and it
	// grows with the course: it has a budget per chapter instead (34.3 KB
	// a chapter with chapter 3's pictures section).
	maxIndexBytesPerChapter = 36 << 10
	// The cell editor (CodeMirror with Go) comes with the first Edit, and
	// only then: 351 KB, 117 KB gzip-compressed, when it was added.
	maxEditorBytes     = 400 << 10
	maxEditorGzipBytes = 128 << 10
)

// checkBudgets measures the site in dir against the budgets, and returns
// what is over, with the figures measured.
func checkBudgets(dir string) (over []string, report string, err error) {
	pages, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	if len(pages) == 0 {
		return nil, "", fmt.Errorf("no pages in %s", dir)
	}
	var sizes []string
	for _, p := range pages {
		st, err := os.Stat(p)
		if err != nil {
			return nil, "", err
		}
		sizes = append(sizes, fmt.Sprintf("%s %.1f KB", filepath.Base(p), float64(st.Size())/1024))
		if st.Size() > maxPageBytes {
			over = append(over, fmt.Sprintf("%s is %d bytes, over the %d of a page", filepath.Base(p), st.Size(), maxPageBytes))
		}
	}
	chapters := 0
	loaded := map[string]bool{} // assets a page names in a src or href: fetched as it opens
	for _, p := range pages {
		if name := filepath.Base(p); name != "index.html" && !strings.HasPrefix(name, "exercise-") {
			chapters++
		}
		html, err := os.ReadFile(p)
		if err != nil {
			return nil, "", err
		}
		for _, m := range assetRef.FindAllStringSubmatch(string(html), -1) {
			loaded[m[1]] = true
		}
	}
	// The search index comes with the first search; the chapter's browser
	// program, its worker and wasm_exec.js with the first Run, which shows
	// their size before it fetches them.
	assets, _ := filepath.Glob(filepath.Join(dir, "assets", "*"))
	var total, index int64
	for _, a := range assets {
		st, err := os.Stat(a)
		if err != nil || st.IsDir() {
			continue
		}
		name := filepath.Base(a)
		switch {
		case strings.HasPrefix(name, "search-index."):
			index += st.Size()
		case loaded[name]:
			total += st.Size()
		case strings.HasPrefix(name, "editor.") && strings.HasSuffix(name, ".js"):
			data, err := os.ReadFile(a)
			if err != nil {
				return nil, "", err
			}
			gz := gzipSize(data)
			if len(data) > maxEditorBytes || gz > maxEditorGzipBytes {
				over = append(over, fmt.Sprintf("the editor, %s, is %d bytes (%d gzip), over the %d (%d gzip) it may take", name, len(data), gz, maxEditorBytes, maxEditorGzipBytes))
			}
			sizes = append(sizes, fmt.Sprintf("assets/%s (on the first Edit) %.1f KB, %.1f KB gzip", name, float64(len(data))/1024, float64(gz)/1024))
			continue
		default:
			continue
		}
		sizes = append(sizes, fmt.Sprintf("assets/%s %.1f KB", name, float64(st.Size())/1024))
	}
	if total > maxAssetsBytes {
		over = append(over, fmt.Sprintf("the pages load %d bytes from assets/ as they open, over the %d of the site's assets", total, maxAssetsBytes))
	}
	if limit := int64(max(chapters, 1) * maxIndexBytesPerChapter); index > limit {
		over = append(over, fmt.Sprintf("the search index is %d bytes, over the %d of %d chapters", index, limit, chapters))
	}
	return over, fmt.Sprintf("assets the pages load as they open %.1f KB; search index %.1f KB for %d chapters; %s",
		float64(total)/1024, float64(index)/1024, chapters, strings.Join(sizes, ", ")), nil
}

func gzipSize(data []byte) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	return buf.Len()
}

// assetRef finds an asset a page loads as it opens: a stylesheet, script
// or icon named in an src or href attribute, or the stylesheet run.js adds.
var assetRef = regexp.MustCompile(`(?:src|href|data-css)="assets/([^"/]+)"`)

func assertBudgets(t *testing.T, dir string) {
	t.Helper()
	over, report, err := checkBudgets(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range over {
		t.Error(o)
	}
	t.Log(report)
}

func TestBudgets(t *testing.T) {
	root := course(t)
	opt := options(root, &fakeRunner{})
	mustBuild(t, opt)
	assertBudgets(t, opt.Out)
}

// TestBuiltSiteBudgets measures a site built for real:
//
//	go run ./runner site -o /tmp/site && SITE_DIR=/tmp/site go test ./site -run BuiltSite
func TestBuiltSiteBudgets(t *testing.T) {
	dir := os.Getenv("SITE_DIR")
	if dir == "" {
		t.Skip("SITE_DIR is not set: no built site to measure (the fixture's is measured by TestBudgets)")
	}
	assertBudgets(t, dir)
}

// The budgets catch a page or assets too big.
func TestBudgetsCatchOversize(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	page := `<link href="assets/b.css"><script src="assets/a.js"></script>`
	for name, size := range map[string]int{
		"big.html": maxPageBytes + 1, "small.html": 10, "assets/a.js": maxAssetsBytes / 2, "assets/b.css": maxAssetsBytes/2 + 1,
		"assets/search-index.1.js": 2*maxIndexBytesPerChapter + 1, // two chapter pages: big and small
		"assets/fetched-on-run.js": maxAssetsBytes,                // named by no page: not counted
		"assets/editor.0123.js":    maxEditorBytes + 1,            // the editor, fetched on the first Edit
	} {
		content := make([]byte, size)
		if name == "small.html" {
			content = []byte(page)
		}
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	over, _, err := checkBudgets(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(over, "\n")
	if len(over) != 4 || !strings.Contains(got, "big.html") || !strings.Contains(got, "the pages load") || !strings.Contains(got, "search index") ||
		!strings.Contains(got, "the editor") {
		t.Errorf("the budgets found:\n%s\nwant big.html, assets/, the search index and the editor over", got)
	}
}
