package site

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	attrLink = regexp.MustCompile(`\s(?:href|src|data-index)="([^"]*)"`)
	attrID   = regexp.MustCompile(`\sid="([^"]*)"`)
)

// checkLinks follows every internal link, image, script, stylesheet and
// search result of the site in dir, and reports those whose file or anchor
// does not exist. Links are relative, so what resolves here resolves from
// file:// and from any static host alike.
func checkLinks(dir string) ([]string, error) {
	ids := map[string]map[string]bool{} // page -> ids
	links := map[string][]string{}      // page -> raw link targets
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !strings.HasSuffix(rel, ".html") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		ids[rel] = map[string]bool{}
		for _, m := range attrID.FindAllStringSubmatch(string(data), -1) {
			id := html.UnescapeString(m[1])
			if ids[rel][id] {
				return fmt.Errorf("%s: id %q used twice", rel, id)
			}
			ids[rel][id] = true
		}
		for _, m := range attrLink.FindAllStringSubmatch(string(data), -1) {
			links[rel] = append(links[rel], html.UnescapeString(m[1]))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The search index's results are links too, from whichever page.
	indexes, _ := filepath.Glob(filepath.Join(dir, "assets", "search-index.*.js"))
	for _, ix := range indexes {
		data, err := os.ReadFile(ix)
		if err != nil {
			return nil, err
		}
		js := strings.TrimSuffix(strings.TrimPrefix(string(data), "window.SEARCH_INDEX = "), ";\n")
		var index searchIndex
		if err := json.Unmarshal([]byte(js), &index); err != nil {
			return nil, fmt.Errorf("%s: %v", ix, err)
		}
		for _, e := range index.Entries {
			links["index.html"] = append(links["index.html"], e.URL)
		}
	}

	var broken []string
	for page, targets := range links {
		for _, t := range targets {
			if problem := checkLink(dir, ids, page, t); problem != "" {
				broken = append(broken, fmt.Sprintf("%s: %s: %s", page, t, problem))
			}
		}
	}
	return broken, nil
}

func checkLink(dir string, ids map[string]map[string]bool, page, target string) string {
	if target == "" {
		return "empty link"
	}
	u, err := url.Parse(target)
	if err != nil {
		return err.Error()
	}
	if u.Scheme != "" || u.Host != "" {
		return "" // external: not the site's business
	}
	if strings.HasPrefix(u.Path, "/") {
		return "absolute path: breaks from file:// and under a sub-path"
	}
	file := page
	if u.Path != "" {
		file = path.Clean(path.Join(path.Dir(page), u.Path))
		if strings.HasPrefix(file, "../") {
			return "outside the site"
		}
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			return "no such file"
		}
		if st.IsDir() {
			return "a folder: from file:// that lists files instead of showing a page"
		}
	}
	if u.Fragment != "" {
		pageIDs, isPage := ids[file]
		if !isPage {
			return "an anchor in a file that is not a page"
		}
		if !pageIDs[u.Fragment] {
			return fmt.Sprintf("%s has no id %q", file, u.Fragment)
		}
	}
	return ""
}

func TestLinksResolve(t *testing.T) {
	root := course(t)
	opt := options(root, &fakeRunner{})
	opt.KeepGoing = true
	mustBuild(t, opt)
	broken, err := checkLinks(opt.Out)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range broken {
		t.Error(b)
	}
}

// TestBuiltSiteLinks checks a site built for real, when SITE_DIR names it:
//
//	go run ./runner site && SITE_DIR=$PWD/public go test ./site -run BuiltSiteLinks
func TestBuiltSiteLinks(t *testing.T) {
	dir := os.Getenv("SITE_DIR")
	if dir == "" {
		t.Skip("SITE_DIR is not set: no built site to check (the fixture's is checked by TestLinksResolve)")
	}
	broken, err := checkLinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range broken {
		t.Error(b)
	}
	if len(broken) == 0 {
		t.Logf("every internal link of %s resolves", dir)
	}
}

// The checker itself must catch what it is there to catch.
func TestCheckLinksFindsBrokenOnes(t *testing.T) {
	dir := t.TempDir()
	page := `<a href="b.html#nope">x</a> <a href="missing.html">y</a> <a href="/abs.html">z</a> <a id="me" href="#me">ok</a> <img src="assets">`
	os.WriteFile(filepath.Join(dir, "a.html"), []byte(page), 0o644)
	os.WriteFile(filepath.Join(dir, "b.html"), []byte(`<h1 id="top">b</h1>`), 0o644)
	os.Mkdir(filepath.Join(dir, "assets"), 0o755)
	broken, err := checkLinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(broken) != 4 {
		t.Errorf("found %d broken links, want 4: %q", len(broken), broken)
	}
}
