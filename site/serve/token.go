package serve

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
)

// TokenCookie names the cookie in which a browser keeps the token of the
// serve listening on addr once it has opened the URL serve printed, so
// that the page's own requests (its CSS, scripts, event stream, the
// chapter's WebAssembly) need not carry it. Cookies ignore ports, so the
// name has the port: two serves on one machine keep their own tokens.
func TokenCookie(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return "runner-serve-token-" + port
}

// NewToken returns a random token for TokenCheck: 128 bits, in hex.
func NewToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand's documented promise)
	return hex.EncodeToString(b)
}

// TokenCheck lets through only the requests a page that serve printed may
// make, because serve runs code on this machine. It refuses, with 403:
//
//   - a Host other than the address serve listens on (addr, as in
//     "127.0.0.1:8000"), or localhost with its port: a page on another site
//     that points its own name at 127.0.0.1 (DNS rebinding) sends its name;
//   - a request from another origin: an Origin header, or a Sec-Fetch-Site
//     of "cross-site" or "same-site", naming anything but this server;
//   - a request without the token, either as ?token= (the URL serve
//     printed, as Jupyter does) or in the cookie set when that URL was
//     opened.
func TokenCheck(next http.Handler, addr, token string) http.Handler {
	allowed := map[string]bool{addr: true}
	cookie := TokenCookie(addr)
	if _, port, err := net.SplitHostPort(addr); err == nil {
		allowed[net.JoinHostPort("localhost", port)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowed[r.Host] {
			http.Error(w, "refused: this server answers only to http://"+addr+"/ (Host "+r.Host+")", http.StatusForbidden)
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, allowed) {
			http.Error(w, "refused: a request from another origin ("+o+")", http.StatusForbidden)
			return
		}
		if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
			http.Error(w, "refused: a request from another site", http.StatusForbidden)
			return
		}
		if q := r.URL.Query().Get("token"); q != "" && equal(q, token) {
			// Remember it, so that the page's own requests carry it.
			http.SetCookie(w, &http.Cookie{Name: cookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(cookie); err == nil && equal(c.Value, token) {
			next.ServeHTTP(w, r)
			return
		}
		http.Error(w, "refused: no token. Open the URL that 'runner serve' printed (it ends in ?token=...)", http.StatusForbidden)
	})
}

// sameOrigin reports whether origin (scheme://host:port) is this server.
func sameOrigin(origin string, allowed map[string]bool) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Scheme == "http" && allowed[u.Host]
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
