package main

import (
	"archive/zip"
	"bytes"
	"go/build"
	"io"
	"os"
	"regexp"
	"runtime"
	"testing"

	"golang.org/x/net/html"
)

// committed is chapter 3's corpus as the repository holds it.
const committed = "../godoc.zip"

// TestCorpusReproduced regenerates the corpus and requires the committed
// bytes, when this is the Go version that wrote it: nobody edited the
// pages by hand, and the generator is deterministic.
func TestCorpusReproduced(t *testing.T) {
	want, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	version := corpusVersion(t, want)
	if version != runtime.Version() {
		t.Skipf("%s was written by %s and this is %s: regenerate it with go run ./chapters/godocgen to compare", committed, version, runtime.Version())
	}
	got, n, err := Corpus(build.Default.GOROOT)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the generator wrote %d bytes (%d pages), not the %d bytes of %s: run go run ./chapters/godocgen and commit it", len(got), n, len(want), committed)
	}
}

// TestCorpusPages checks what chapter 3 relies on: a few hundred pages,
// each a whole HTML document that x/net/html parses, with one style
// element, and no internal
// packages or commands.
func TestCorpusPages(t *testing.T) {
	data, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(zr.File); n < 150 || n > 400 {
		t.Errorf("%d pages, want a few hundred", n)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		if regexp.MustCompile(`(^|/)(internal|vendor|testdata|cmd)(/|$)|^builtin`).MatchString(f.Name) {
			t.Errorf("%s: not a package a program may import", f.Name)
		}
		page := readPage(t, f)
		if !bytes.HasPrefix(page, []byte("<!DOCTYPE html>")) || !bytes.HasSuffix(page, []byte("</html>\n")) {
			t.Errorf("%s: not a whole page", f.Name)
		}
		// The chapter parses the pages with x/net/html, skipping style.
		doc, err := html.Parse(bytes.NewReader(page))
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if got := count(doc, "style"); got != 1 {
			t.Errorf("%s: %d style elements, want 1", f.Name, got)
		}
		if got := count(doc, "h1"); got != 1 {
			t.Errorf("%s: %d h1 elements, want 1", f.Name, got)
		}
	}
	for _, want := range []string{"strings.html", "net/http.html", "encoding/json.html"} {
		if !names[want] {
			t.Errorf("no %s", want)
		}
	}
}

// count counts the elements named tag under n.
func count(n *html.Node, tag string) int {
	c := 0
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == tag {
			c++
		}
	}
	return c
}

func readPage(t *testing.T, f *zip.File) []byte {
	t.Helper()
	r, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// corpusVersion reads which Go wrote the corpus from its strings page.
func corpusVersion(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("strings.html")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Go standard library, (\S+)</p>`).FindSubmatch(page)
	if m == nil {
		t.Fatal("strings.html does not say which Go wrote it")
	}
	return string(m[1])
}
