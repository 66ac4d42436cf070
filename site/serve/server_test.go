package serve

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8000": true, "localhost:8000": true, "[::1]:8000": true, "127.0.0.2:0": true,
		":8000": false, "0.0.0.0:8000": false, "[::]:8000": false, "192.168.1.5:8000": false, "8000": false,
	} {
		if err := CheckLoopback(addr); (err == nil) != ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%t", addr, err, ok)
		}
	}
}

// TestCacheControl: under serve, a file named by its content (an asset, a
// chapter's program) is kept by the browser for good, and anything else is
// asked for again at every visit, answered 304 when it did not change, and
// fetched anew after a rebuild changed it.
func TestCacheControl(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"index.html":                                 "<!DOCTYPE html><title>home</title>",
		"01-redis.html":                              "<!DOCTYPE html><title>chapter</title>",
		"assets/site.0123456789.css":                 "body{}",
		"assets/favicon.svg":                         "<svg/>",
		"run/chapter-01-redis-0123456789abcdef.wasm": "\x00asm",
		"run/archives-0123456789abcdef.bin.gz":       "\x1f\x8b",
		"run/toolchain-0123456789abcdef.json":        "{}",
		"run/notes-0123.txt":                         "not named by content",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := New(dir)
	get := func(p string, header http.Header) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest("GET", p, nil)
		maps.Copy(r.Header, header)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w
	}
	for p, want := range map[string]string{
		"/01-redis.html":              "no-cache",
		"/":                           "no-cache",
		"/assets/favicon.svg":         "no-cache",
		"/assets/site.0123456789.css": "public, max-age=31536000, immutable",
		"/run/chapter-01-redis-0123456789abcdef.wasm": "public, max-age=31536000, immutable",
		"/run/archives-0123456789abcdef.bin.gz":       "public, max-age=31536000, immutable",
		"/run/toolchain-0123456789abcdef.json":        "public, max-age=31536000, immutable",
		"/run/notes-0123.txt":                         "no-cache",
	} {
		w := get(p, nil)
		if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != want {
			t.Errorf("GET %s: %d, Cache-Control %q; want 200, %q", p, w.Code, w.Header().Get("Cache-Control"), want)
		}
	}

	// A rebuild within the second of the last fetch, which Last-Modified
	// (whole seconds) cannot tell apart: the page is fetched anew all the
	// same.
	page := filepath.Join(dir, "01-redis.html")
	t0 := time.Date(2026, 12, 3, 7, 0, 0, 100_000_000, time.UTC)
	os.Chtimes(page, t0, t0)
	first := get("/01-redis.html", nil)
	again := http.Header{
		"If-Modified-Since": {first.Header().Get("Last-Modified")},
		"If-None-Match":     {first.Header().Get("Etag")},
	}
	if w := get("/01-redis.html", again); w.Code != http.StatusNotModified {
		t.Errorf("an unchanged page asked again: %d, want 304", w.Code)
	}
	os.WriteFile(page, []byte("<!DOCTYPE html><title>rebuilt</title>"), 0o644)
	os.Chtimes(page, t0.Add(300*time.Millisecond), t0.Add(300*time.Millisecond))
	if w := get("/01-redis.html", again); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "rebuilt") {
		t.Errorf("a page rebuilt within the same second, asked again: %d %q, want 200 and the new page", w.Code, w.Body.String())
	}
}
