package site

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The site stays small: a reader on a slow phone line gets a page and
// everything it needs quickly, and the site fits anywhere.
const (
	maxPageBytes   = 100 << 10 // each HTML page, before compression
	maxAssetsBytes = 60 << 10  // all of assets/ together: CSS, script, search index, icon
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
	assets, _ := filepath.Glob(filepath.Join(dir, "assets", "*"))
	var total int64
	for _, a := range assets {
		st, err := os.Stat(a)
		if err != nil {
			return nil, "", err
		}
		total += st.Size()
		sizes = append(sizes, fmt.Sprintf("assets/%s %.1f KB", filepath.Base(a), float64(st.Size())/1024))
	}
	if total > maxAssetsBytes {
		over = append(over, fmt.Sprintf("assets/ holds %d bytes, over the %d of the site's assets", total, maxAssetsBytes))
	}
	return over, fmt.Sprintf("assets %.1f KB in all; %s", float64(total)/1024, strings.Join(sizes, ", ")), nil
}

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
	for name, size := range map[string]int{"big.html": maxPageBytes + 1, "small.html": 10, "assets/a.js": maxAssetsBytes / 2, "assets/b.css": maxAssetsBytes/2 + 1} {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	over, _, err := checkBudgets(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(over, "\n")
	if len(over) != 2 || !strings.Contains(got, "big.html") || !strings.Contains(got, "assets/ holds") {
		t.Errorf("the budgets found:\n%s\nwant big.html and assets/ over", got)
	}
}
