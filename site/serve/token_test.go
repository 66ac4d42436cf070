package serve

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTokenCheck: only requests for the bound address, from this origin, with
// the token (in the URL or its cookie) reach the site.
func TestTokenCheck(t *testing.T) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "the site") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	token := NewToken()
	if len(token) != 32 || token == NewToken() {
		t.Fatalf("tokens are not random 128-bit hex: %q", token)
	}
	ts := httptest.NewUnstartedServer(TokenCheck(inner, addr, token))
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	defer ts.Close()
	base := "http://" + addr

	do := func(path string, edit func(*http.Request)) (int, string, *http.Response) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if edit != nil {
			edit(req)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp
	}
	cookie := func(v string) func(*http.Request) {
		return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: TokenCookie(addr), Value: v}) }
	}

	code, body, resp := do("/?token="+token, nil)
	if code != 200 || body != "the site" {
		t.Fatalf("with the token in the URL: %d %q", code, body)
	}
	var set *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == TokenCookie(addr) {
			set = c
		}
	}
	if set == nil || set.Value != token || !set.HttpOnly || set.SameSite != http.SameSiteStrictMode {
		t.Errorf("opening the token URL sets no strict, HttpOnly token cookie: %+v", set)
	}
	if code, body, _ := do("/style.css", cookie(token)); code != 200 || body != "the site" {
		t.Errorf("with the token cookie: %d %q", code, body)
	}
	if code, _, _ := do("/style.css", func(r *http.Request) { cookie(token)(r); r.Host = "localhost:" + port }); code != 200 {
		t.Errorf("Host localhost:%s: %d, want 200", port, code)
	}
	if code, _, _ := do("/x", func(r *http.Request) { cookie(token)(r); r.Header.Set("Origin", base) }); code != 200 {
		t.Errorf("Origin %s (this server): %d, want 200", base, code)
	}

	refused := map[string]func(*http.Request){
		"no token":          nil,
		"a wrong token":     cookie(token[:31] + "x"),
		"a wrong URL token": func(r *http.Request) { r.URL.RawQuery = "token=" + token[1:] },
		"a foreign Host": func(r *http.Request) {
			r.URL.RawQuery = "token=" + token
			r.Host = "evil.example:" + port
		},
		"a foreign Host with the right IP but another port": func(r *http.Request) {
			cookie(token)(r)
			r.Host = "127.0.0.1:1"
		},
		"a foreign Origin": func(r *http.Request) {
			cookie(token)(r)
			r.Header.Set("Origin", "http://evil.example")
		},
		"an Origin on another port": func(r *http.Request) {
			cookie(token)(r)
			r.Header.Set("Origin", "http://127.0.0.1:1")
		},
		"a cross-site fetch": func(r *http.Request) {
			cookie(token)(r)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
		},
	}
	// Another serve's cookie (another port) is not this one's.
	if TokenCookie(addr) == TokenCookie("127.0.0.1:1") {
		t.Error("two ports share a token cookie name")
	}
	refused["another port's cookie"] = func(r *http.Request) { r.AddCookie(&http.Cookie{Name: TokenCookie("127.0.0.1:1"), Value: token}) }
	for what, edit := range refused {
		code, body, _ := do("/index.html", edit)
		if code != http.StatusForbidden || strings.Contains(body, "the site") {
			t.Errorf("%s: %d %q, want 403", what, code, body)
		}
	}
}
