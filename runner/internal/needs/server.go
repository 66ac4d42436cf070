package needs

import (
	"os"
	"os/exec"
	"testing"
)

// RedisServer returns the path of the redis-server program, for tests that
// start servers of their own (a password, TLS, one database). Like Redis,
// it skips on a developer's machine without one and fails in CI.
func RedisServer(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server is not installed: CI must install it for this test (.ci/run does)")
		}
		t.Skip("redis-server is not installed: install it (apt-get install redis-server) to run the tests that start their own servers")
	}
	return path
}
