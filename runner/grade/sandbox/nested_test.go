package sandbox

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDetectNested: inside another sandbox (here bwrap itself, as in a
// container), where bwrap starts but may not mount /proc, either Detect
// says the sandbox does not work or a sandboxed run works: TestBubblewrap
// passes there, or skips. Before Detect tried a run's mounts, it said
// bwrap worked, and every graded program then failed to start.
func TestDetectNested(t *testing.T) {
	if os.Getenv("SANDBOX_NESTED") != "" {
		t.Skip("already nested")
	}
	bwrap, err := Detect()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must run the sandbox tests: %v", err)
		}
		t.Skipf("no sandbox here (%v): %s", err, InstallHint)
	}
	cmd := exec.Command(bwrap, "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net", "--",
		os.Args[0], "-test.run", "^TestBubblewrap$", "-test.v")
	cmd.Env = append(os.Environ(), "SANDBOX_NESTED=1", "CI=")
	out, err := cmd.CombinedOutput()
	if !strings.Contains(string(out), "=== RUN") {
		t.Skipf("cannot nest bwrap here to try: %v\n%s", err, out)
	}
	if err != nil {
		t.Fatalf("inside another sandbox: %v\n%s", err, out)
	}
	t.Logf("inside another sandbox:\n%s", out)
}
