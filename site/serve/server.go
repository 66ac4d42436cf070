// Package serve is the local web server of 'runner serve': it serves a
// site that package site rendered, reloads its open pages after a
// rebuild, and, for this machine's own pages only (see TokenCheck), runs
// code: a chapter's edited cells (edit.go) and an exercise's edited file,
// graded (check.go). Package site renders and runs nothing over HTTP.
package serve

import (
	_ "embed"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// liveJS is the script by which a page listens for rebuilds.
//
//go:embed live.js
var liveJS []byte

// A Server serves a built site from its folder for 'runner serve', and
// tells the pages it serves when to reload: each page built with
// site.Options.LiveReload listens to /_live (server-sent events) through
// /_live.js, both served from here, never written to the site.
type Server struct {
	// RunEdited, with ChaptersDir, lets pages run edited cells natively
	// (POST /_run, see edit.go); nil: they cannot.
	RunEdited   RunEditedFunc
	ChaptersDir string
	// ExerciseSource and CheckExercise let exercise pages edit the
	// learner's file in the page and grade the edit (see check.go).
	ExerciseSource ExerciseSourceFunc
	CheckExercise  CheckExerciseFunc

	dir     string
	files   http.Handler
	running sync.Mutex // edited runs and checks go one at a time
	paused  *pausedRun // the last edited run, waiting for the console; under mu

	mu      sync.Mutex
	version string // of the build being served; "" until the first one
	failure string // why the last rebuild failed, "" after a good one
	waiting map[chan struct{}]bool
}

// New serves the site in dir.
func New(dir string) *Server {
	return &Server{
		dir:     dir,
		files:   http.FileServer(http.Dir(dir)),
		waiting: map[chan struct{}]bool{},
	}
}

// Built says a new build is in place: open pages reload.
func (s *Server) Built() {
	s.mu.Lock()
	s.version = strconv.FormatInt(time.Now().UnixNano(), 36)
	s.failure = ""
	s.mu.Unlock()
	s.notify()
}

// Failed says a rebuild failed: open pages show why, over the last good
// build, until the next one.
func (s *Server) Failed(err error) {
	s.mu.Lock()
	s.failure = err.Error()
	s.mu.Unlock()
	s.notify()
}

func (s *Server) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.waiting {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// ServeHTTP serves the site's files, /_live, /_live.js, /_run, /_console,
// /_exercise and /_check.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_live":
		s.events(w, r)
	case "/_run":
		s.runEdited(w, r)
	case "/_console":
		s.consoleCommand(w, r)
	case "/_exercise":
		s.exerciseSource(w, r)
	case "/_check":
		s.checkExercise(w, r)
	case "/_live.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(liveJS)
	default:
		w.Header().Set("Cache-Control", cacheControl(r.URL.Path))
		if !hashedFile.MatchString(r.URL.Path) {
			s.setETag(w, r.URL.Path)
		}
		if _, err := os.Stat(filepath.Join(s.dir, "index.html")); err != nil && isPage(r.URL.Path) {
			s.waitingPage(w)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".wasm") && s.serveGzipped(w, r) {
			return
		}
		s.files.ServeHTTP(w, r)
	}
}

// serveGzipped serves a chapter's WebAssembly from the .wasm.gz the build
// wrote beside it, to a browser that accepts gzip: a quarter of the bytes.
func (s *Server) serveGzipped(w http.ResponseWriter, r *http.Request) bool {
	if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		return false
	}
	rel := path.Clean("/" + r.URL.Path)
	f, err := os.Open(filepath.Join(s.dir, filepath.FromSlash(rel)) + ".gz")
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	w.Header().Set("Content-Type", "application/wasm")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Add("Vary", "Accept-Encoding")
	http.ServeContent(w, r, rel, st.ModTime(), f)
	return true
}

// hashedFile matches the names the site gives files by their content: an
// asset's name.HASH.ext, a chapter program's run/NAME-KEY.wasm, and the
// in-page toolchain's run/NAME-KEY.{wasm,bin,json,md}{,.gz,.zst}.
var hashedFile = regexp.MustCompile(`^/(assets/[^/]+\.[0-9a-f]{10}\.[a-z0-9]+|run/[^/]+-[0-9a-f]{16}\.(wasm|bin|json|md)(\.gz|\.zst)?)$`)

// cacheControl says how a browser may keep a file of the site. A file
// named by its content never changes under that name, so it is kept for
// good: a chapter's program (megabytes) is fetched once, not at every visit.
// Any other file may change with the next rebuild: the browser asks again
// each time, and a file that did not change costs a 304.
func cacheControl(p string) string {
	if hashedFile.MatchString(p) {
		return "public, max-age=31536000, immutable"
	}
	return "no-cache"
}

// setETag names the version of the file at p by its time and size. A page
// rebuilt within the second it was fetched in must not get a 304, as it
// would by Last-Modified, which counts whole seconds; If-None-Match comes
// first.
func (s *Server) setETag(w http.ResponseWriter, p string) {
	name := filepath.Join(s.dir, filepath.FromSlash(path.Clean("/"+p)))
	st, err := os.Stat(name)
	if err == nil && st.IsDir() {
		st, err = os.Stat(filepath.Join(name, "index.html"))
	}
	if err != nil {
		return
	}
	w.Header().Set("Etag", fmt.Sprintf(`"%x-%x"`, st.ModTime().UnixNano(), st.Size()))
}

func isPage(p string) bool { return p == "/" || strings.HasSuffix(p, ".html") }

// waitingPage stands in for the site until its first build succeeds, and
// reloads itself when it does.
func (s *Server) waitingPage(w http.ResponseWriter) {
	s.mu.Lock()
	failure := s.failure
	s.mu.Unlock()
	msg := "The site is being built; this page reloads when it is ready."
	if failure != "" {
		msg = "The site did not build. Fix the chapter and save: this page reloads when the next build succeeds.\n\n" + failure
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, `<!DOCTYPE html>
<html lang="en" data-live-waiting><head><meta charset="utf-8"><title>Building the site</title>
<meta name="color-scheme" content="light dark"><script defer src="/_live.js"></script></head>
<body><pre style="white-space:pre-wrap;font:14px/1.5 monospace;margin:2rem">%s</pre></body></html>
`, html.EscapeString(msg))
}

// events streams the build version, and failures, to one page.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.waiting[ch] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.waiting, ch)
		s.mu.Unlock()
	}()
	send := func() {
		s.mu.Lock()
		version, failure := s.version, s.failure
		s.mu.Unlock()
		switch {
		case failure != "":
			fmt.Fprintf(w, "event: failed\n")
			for _, l := range strings.Split(failure, "\n") {
				fmt.Fprintf(w, "data: %s\n", l)
			}
			fmt.Fprint(w, "\n")
		case version != "":
			fmt.Fprintf(w, "event: version\ndata: %s\n\n", version)
		}
		flusher.Flush()
	}
	send()
	keepAlive := time.NewTicker(30 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ch:
			send()
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			flusher.Flush()
		}
	}
}

// CheckLoopback accepts only addresses on this machine's loopback
// interface: serve shows work in progress, not a public site.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("bad address %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("serve listens on the loopback interface only (127.0.0.1, ::1 or localhost), not on %q; to publish the site, build it with 'go run ./runner site' and copy public/ to a web server", addr)
}
