// Package needs is for tests that need something outside Go: a real Redis
// server. On a developer's machine without one they skip, saying how to
// run them; in CI (CI=true), where .ci/run starts one, they fail instead,
// so that nothing is silently left untested.
package needs

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
)

// Redis returns $REDIS_URL pointed at database db. Each package's tests
// use databases of their own, since go test runs packages in parallel.
func Redis(t testing.TB, db int) string {
	t.Helper()
	raw := os.Getenv("REDIS_URL")
	if raw == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("REDIS_URL is not set: CI must start a Redis server for this test")
		}
		t.Skip("REDIS_URL is not set: start a server (redis-server --port 6399 --save '' --daemonize yes) " +
			"and set REDIS_URL=redis://127.0.0.1:6399 to run the real-server tests")
	}
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(u.Scheme, "redis") {
		t.Fatalf("REDIS_URL %q is not a redis:// URL", raw)
	}
	u.Path = fmt.Sprintf("/%d", db)
	u.RawQuery = ""
	return u.String()
}
