package sandbox

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMain lets this test binary be the sandbox's launcher (Init).
func TestMain(m *testing.M) {
	Init()
	os.Exit(m.Run())
}

// lookSource is a program that prints the root folder's entries, then for
// each path given whether it can be seen, then whether the working folder
// can be written, and whether it holds more than 1 MB. It is built pure
// Go: the sandbox holds no C library (and this test binary, built with
// -race, needs one).
const lookSource = `package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	entries, _ := os.ReadDir("/")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	fmt.Println(strings.Join(names, " "))
	for _, p := range os.Args[1:] {
		_, err := os.Stat(p)
		fmt.Println(p, err == nil)
	}
	fmt.Println("write", os.WriteFile("scratch-file", []byte("x"), 0o644) == nil)
	big := make([]byte, 600<<10)
	fmt.Println("big", os.WriteFile("big-1", big, 0o644) == nil && os.WriteFile("big-2", big, 0o644) == nil)
}
`

func TestLimits(t *testing.T) {
	b, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Remove()
	cmd := b.Command(Limits{Memory: 3 << 30, Procs: 50, CPU: 7 * time.Second, FileSize: 1 << 20, Files: 99},
		"/bin/sh", "-c", "ulimit -v; ulimit -t; ulimit -n; ulimit -f; pwd")
	out, err := cmd.Output()
	b.Kill()
	if err != nil {
		t.Fatal(err)
	}
	// ulimit -f counts blocks of 512 bytes in dash, of 1024 in bash.
	lines := strings.Fields(string(out))
	if len(lines) != 5 || lines[0] != "3145728" || lines[1] != "7" || lines[2] != "99" ||
		(lines[3] != "2048" && lines[3] != "1024") || lines[4] != b.Scratch {
		t.Errorf("limits and folder seen inside:\n%s", out)
	}
}

// TestKill: Kill ends the program and what it started, also what left
// its process group.
func TestKill(t *testing.T) {
	b, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Remove()
	marker := fmt.Sprint(1e6 + rand.IntN(1e6))
	cmd := b.Command(DefaultLimits(time.Minute), "/bin/sh", "-c",
		"setsid sleep 1000."+marker+" & sleep 1001."+marker+" & (sleep 1002."+marker+" &) ; wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for len(withMarker(marker)) < 4 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(withMarker(marker)); n != 4 { // the shell and its three sleeps
		t.Fatalf("%d processes started, want 4", n)
	}
	b.Kill()
	time.Sleep(100 * time.Millisecond)
	if left := withMarker(marker); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

func withMarker(marker string) []string {
	var out []string
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range cmdlines {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(marker)) {
			out = append(out, string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
		}
	}
	return out
}

// TestBubblewrap: inside bwrap the program sees the grader's folder and
// its scratch folder, not the checkout or the home folder, and can write
// only the scratch folder.
func TestBubblewrap(t *testing.T) {
	bwrap, err := Detect()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must run the sandbox tests: %v", err)
		}
		t.Skipf("no sandbox here (%v): %s", err, InstallHint)
	}
	b, err := New(bwrap)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Remove()
	src := filepath.Join(t.TempDir(), "look.go")
	os.WriteFile(src, []byte(lookSource), 0o644)
	build := exec.Command("go", "build", "-o", filepath.Join(filepath.Dir(src), "look"), src)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the helper: %v\n%s", err, out)
	}
	prog, err := b.Install(filepath.Join(filepath.Dir(src), "look"), "look")
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	home, _ := os.UserHomeDir()
	lim := DefaultLimits(time.Minute)
	lim.Scratch = 1 << 20
	cmd := b.Command(lim, prog, wd, home, "/grader/look", "/etc/passwd")
	out, err := cmd.CombinedOutput()
	b.Kill()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	root := strings.Fields(lines[0])
	slices.Sort(root)
	want := []string{wd + " false", home + " false", "/grader/look true", "/etc/passwd false", "write true", "big false"}
	if strings.Join(root, " ") != "dev grader proc scratch" || !slices.Equal(lines[1:], want) {
		t.Errorf("inside the sandbox:\n%s\nwant / holding dev grader proc scratch, then %q", out, want)
	}
	if _, err := os.Stat(filepath.Join(b.Scratch, "scratch-file")); err == nil {
		t.Errorf("the scratch folder written was on disk, not a tmpfs of its own")
	}
}

// TestUseLauncher: runs are launched by the program UseLauncher names,
// this one by default.
func TestUseLauncher(t *testing.T) {
	b, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Remove()
	self, _ := os.Executable()
	if cmd := b.Command(DefaultLimits(time.Second), "/bin/true"); cmd.Path != self {
		t.Errorf("launched by %s, want this program, %s", cmd.Path, self)
	}
	UseLauncher("/nowhere/launcher")
	defer UseLauncher("")
	if cmd := b.Command(DefaultLimits(time.Second), "/bin/true"); cmd.Path != "/nowhere/launcher" {
		t.Errorf("launched by %s, want the launcher given", cmd.Path)
	}
}
