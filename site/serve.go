package site

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Server serves a built site from its folder for 'runner serve', and
// tells the pages it serves when to reload: each page built with
// Options.LiveReload listens to /_live (server-sent events) through
// /_live.js, both served from here, never written to the site.
type Server struct {
	dir   string
	files http.Handler

	mu      sync.Mutex
	version string // of the build being served
	failure string // why the last rebuild failed, "" after a good one
	waiting map[chan struct{}]bool
}

// NewServer serves the site in dir.
func NewServer(dir string) *Server {
	return &Server{
		dir:     dir,
		files:   http.FileServer(http.Dir(dir)),
		version: strconv.FormatInt(time.Now().UnixNano(), 36),
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

// ServeHTTP serves the site's files, /_live and /_live.js.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_live":
		s.events(w, r)
	case "/_live.js":
		data, _ := embedded.ReadFile("assets/live.js")
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(data)
	default:
		// Every rebuild replaces the files: never let the browser keep one.
		w.Header().Set("Cache-Control", "no-store")
		s.files.ServeHTTP(w, r)
	}
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
		if failure != "" {
			fmt.Fprintf(w, "event: failed\n")
			for _, l := range strings.Split(failure, "\n") {
				fmt.Fprintf(w, "data: %s\n", l)
			}
			fmt.Fprint(w, "\n")
		} else {
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
