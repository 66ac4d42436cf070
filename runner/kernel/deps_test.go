//go:build !(js && wasm)

package kernel

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBrowserKernelLinksNoServerConnection: the kernel built for the
// browser (GOOS=js) runs cells on the embedded server only, so it must not
// link what reaches a real one: the backends, the guard, the runner's
// proxy, the connection to a server.
func TestBrowserKernelLinksNoServerConnection(t *testing.T) {
	const mod = "github.com/redis-notebook/tutorial/runner/"
	cmd := exec.Command("go", "list", "-deps", mod+"kernel")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	if !deps[mod+"embedded"] || !deps[mod+"kernel/console"] {
		t.Fatalf("go list -deps of the browser kernel lacks the embedded server and the console:\n%s", out)
	}
	for _, p := range []string{"redisbackend", "guard", "redisproxy", "redisconn", "redisurl"} {
		if deps[mod+p] {
			t.Errorf("the browser kernel links %s", mod+p)
		}
	}
}
