package grade

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/grade/sandbox"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// TestTricks grades submissions that try to get marks without doing the
// work, or to harm the teacher's machine (testdata/tricks): forged
// verdicts on every descriptor from init and from the graded function,
// the reference solutions imported or linked, go:linkname into the
// checks, files planted in the checkout and elsewhere, processes started
// and left behind, a goroutine at work after its function returned, 20
// GB allocated, a fork loop. None gets the marks; afterwards the checkout
// is as it was and none of their processes is left. With bubblewrap, the
// files they planted are nowhere; without it, they cannot write the
// checkout when the grader runs as root (the graded code runs as a user
// of its own).
func TestTricks(t *testing.T) {
	for _, mode := range []string{"sandboxed", "unsandboxed"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "sandboxed" {
				needsBwrap(t)
			}
			testTricks(t, mode == "unsandboxed")
		})
	}
}

// needsBwrap skips a test when bubblewrap does not work here, and fails
// it in CI, which installs it.
func needsBwrap(t *testing.T) {
	t.Helper()
	if _, err := sandbox.Detect(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must run the sandbox tests: %v", err)
		}
		t.Skipf("no sandbox here (%v): %s", err, sandbox.InstallHint)
	}
}

func testTricks(t *testing.T, unsandboxed bool) {
	marker := strconv.FormatUint(9e12+rand.Uint64N(1e12), 10)
	home, _ := os.UserHomeDir()
	planted := []string{
		filepath.Join(root, "runner/grade/checks/zz_planted.go"),
		filepath.Join(root, "planted-"+marker),
		filepath.Join(home, "planted-"+marker),
		"/tmp/planted-" + marker,
	}
	t.Cleanup(func() {
		for _, p := range planted {
			os.Remove(p)
		}
	})
	gitBefore := gitStatus(t)

	dir := t.TempDir()
	cases, _ := filepath.Glob("testdata/tricks/*.txtar")
	wants := map[string][]string{}
	wheres := map[string]string{} // file:line every failure of the case must point at
	errs := map[string]string{}   // why the submission is not graded at all
	for _, path := range cases {
		a, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		pkg := filepath.Join(dir, name, "redisbasics")
		if strings.Contains(string(a.Comment), "symlink: redisbasics ->") {
			os.MkdirAll(filepath.Dir(pkg), 0o755)
		} else {
			os.MkdirAll(pkg, 0o755)
		}
		for _, line := range strings.Split(string(a.Comment), "\n") {
			k, v, _ := strings.Cut(line, ": ")
			switch k {
			case "from":
				entries, _ := os.ReadDir(filepath.Join(root, v, "redisbasics"))
				for _, e := range entries {
					b, _ := os.ReadFile(filepath.Join(root, v, "redisbasics", e.Name()))
					os.WriteFile(filepath.Join(pkg, e.Name()), b, 0o644)
				}
			case "symlink":
				link, target, _ := strings.Cut(v, " -> ")
				os.Remove(filepath.Join(dir, name, link))
				if err := os.Symlink(filepath.Join(root, target), filepath.Join(dir, name, link)); err != nil {
					t.Fatal(err)
				}
			case "want":
				wants[name] = append(wants[name], v)
			case "where":
				wheres[name] = v
			case "err":
				errs[name] = v
			}
		}
		r := strings.NewReplacer("{{MARKER}}", marker, "{{ROOT}}", root, "{{HOME}}", home)
		for _, f := range a.Files {
			os.WriteFile(filepath.Join(dir, name, f.Name), []byte(r.Replace(string(f.Data))), 0o644)
		}
	}

	opt := ClassOptions{Options: options()}
	opt.Timeout = 3 * time.Second
	opt.NoSandbox = unsandboxed
	class, err := GradeClass(context.Background(), dir, manifest.Exercises, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range class.Submissions {
		if want := errs[s.Name]; want != "" {
			if s.Err == nil || !strings.Contains(s.Err.Error(), want) || s.Points() != 0 {
				t.Errorf("%s: graded (%v, %d points), want not graded: %s", s.Name, s.Err, s.Points(), want)
			}
			continue
		}
		if s.Err != nil {
			t.Errorf("%s: %v", s.Name, s.Err)
			continue
		}
		for _, w := range wants[s.Name] {
			f := strings.SplitN(w, " ", 3)
			id, _ := strconv.Atoi(f[0])
			r := s.Report.Results[id-1]
			if f[1] == "!passed" {
				if r.Status == verdict.Passed || r.Points != 0 {
					t.Errorf("%s: exercise %d passed", s.Name, id)
				}
				continue
			}
			if string(r.Status) != f[1] || (len(f) == 3 && !strings.Contains(r.Message, f[2])) {
				t.Errorf("%s: exercise %d: %s %q, want %s", s.Name, id, r.Status, r.Message, w)
			}
			if w := wheres[s.Name]; w != "" && r.Where != filepath.Join(s.Name, "redisbasics", w) {
				t.Errorf("%s: exercise %d: at %q, want %s", s.Name, id, r.Where, w)
			}
			if f[1] != string(verdict.Passed) && r.Points != 0 {
				t.Errorf("%s: exercise %d scored %d", s.Name, id, r.Points)
			}
		}
	}

	// Killed processes take a moment to go, longer on a busy machine: left
	// behind is what is still there seconds later.
	left := processesWith(marker)
	for wait := time.Now().Add(5 * time.Second); len(left) > 0 && time.Now().Before(wait); left = processesWith(marker) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("processes left behind: %s", strings.Join(left, "; "))
	}
	for _, p := range planted {
		switch _, err := os.Stat(p); {
		case err != nil:
		case !unsandboxed || (os.Geteuid() == 0 && strings.HasPrefix(p, root)):
			t.Errorf("a submission planted %s", p)
		}
	}
	if after := gitStatus(t); after != gitBefore && (!unsandboxed || os.Geteuid() == 0) {
		t.Errorf("the checkout changed: git status was\n%s\nand is\n%s", gitBefore, after)
	}
}

// processesWith lists the processes whose command line holds marker.
func processesWith(marker string) []string {
	var out []string
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range cmdlines {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), marker) {
			out = append(out, fmt.Sprintf("%s: %s", filepath.Base(filepath.Dir(p)), strings.ReplaceAll(string(b), "\x00", " ")))
		}
	}
	return out
}

// gitStatus is the checkout's git status, or "" outside a checkout.
func gitStatus(t *testing.T) string {
	out, err := exec.Command("git", "-C", root, "status", "--porcelain", "--ignored=no").Output()
	if err != nil {
		t.Logf("no git status: %v", err)
		return ""
	}
	return string(out)
}
