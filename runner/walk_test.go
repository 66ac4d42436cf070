//go:build unix

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/redis-notebook/tutorial/runner/internal/needs"
)

// terminal is the runner started in a pseudo-terminal, as a learner runs
// it: Ctrl-C there is SIGINT to the runner's process group.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	pty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func startTerminal(t *testing.T, env []string, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(runnerBin, args...)
	cmd.Dir = ".."
	cmd.Env = append(append(os.Environ(), "REDIS_URL=", "NO_COLOR=1"), env...)
	f, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, cmd: cmd, pty: f, done: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				close(term.done)
				return
			}
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); f.Close() })
	return term
}

func (term *terminal) output() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.out.String()
}

// waitFor waits until the terminal shows s n times.
func (term *terminal) waitFor(s string, n int) {
	term.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for strings.Count(term.output(), s) < n {
		if time.Now().After(deadline) {
			term.t.Fatalf("%q did not appear %d times; the terminal shows:\n%s", s, n, term.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exit waits for the runner to end, at most within limit, and returns its
// exit status.
func (term *terminal) exit(limit time.Duration) int {
	term.t.Helper()
	ch := make(chan error, 1)
	go func() { ch <- term.cmd.Wait() }()
	select {
	case err := <-ch:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		return 0
	case <-time.After(limit):
		term.t.Fatalf("the runner did not end within %v; the terminal shows:\n%s", limit, term.output())
		return -1
	}
}

// TestStepQuitsAtOnce types q at the second prompt, and also all input
// at once before any prompt: no further cell may run.
func TestStepQuitsAtOnce(t *testing.T) {
	term := startTerminal(t, nil, "walk", "runner/notebook/testdata/basics.md", "--step")
	term.waitFor("▶ Enter runs cell 1", 1)
	if !strings.Contains(term.output(), "· redis-cli -p ") {
		t.Errorf("the prompt does not repeat the port:\n%s", term.output())
	}
	io.WriteString(term.pty, "\r")
	term.waitFor("▶ Enter runs cell 2", 1)
	io.WriteString(term.pty, "q\r")
	if code := term.exit(10 * time.Second); code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
	}
	<-term.done
	out := term.output()
	if !strings.Contains(out, "get greeting: hello") || strings.Contains(out, "tick 1") || !strings.Contains(out, "Stopped.") {
		t.Errorf("after q at cell 2:\n%s", out)
	}

	for try := range 5 {
		term := startTerminal(t, nil, "walk", "runner/notebook/testdata/basics.md", "--step")
		io.WriteString(term.pty, "q\r")
		term.exit(30 * time.Second)
		<-term.done
		if out := term.output(); strings.Contains(out, "get greeting: hello") || !strings.Contains(out, "Stopped.") {
			t.Errorf("try %d: q typed at once, yet:\n%s", try, out)
		}
	}
}

// TestStepCtrlC presses Ctrl-C at a prompt: the walk ends at once, without
// waiting for Enter, and says it stopped.
func TestStepCtrlC(t *testing.T) {
	term := startTerminal(t, nil, "walk", "runner/notebook/testdata/basics.md", "--step")
	term.waitFor("▶ Enter runs cell 1", 1)
	io.WriteString(term.pty, "\r")
	term.waitFor("▶ Enter runs cell 2", 1)
	io.WriteString(term.pty, "\x03") // the terminal sends SIGINT
	if code := term.exit(5 * time.Second); code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
	}
	<-term.done
	out := term.output()
	if !strings.Contains(out, "Stopped.") || strings.Contains(out, "tick 1") || strings.Contains(out, "broken pipe") {
		t.Errorf("after Ctrl-C at cell 2:\n%s", out)
	}
}

// slowChapter writes keys, says so, and waits long enough to be stopped.
const slowChapter = "# Slow\n\n```go\n" + `for i := range 30 {
	rdb.Set(ctx, fmt.Sprint("slow:", i), i, 0)
}
fmt.Println("wrote 30 keys, pid", os.Getpid())
` + "```\n\n```go timeout=120s\ntime.Sleep(100 * time.Second)\n```\n"

// startSlowWalk walks slowChapter on the real server and waits until its
// keys are written; it returns the runner, its whole output once it has
// ended, and the chapter program's pid.
func startSlowWalk(t *testing.T, url, cache string, extra ...string) (*exec.Cmd, func() string, int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "99-slow.md")
	if err := os.WriteFile(path, []byte(slowChapter), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(runnerBin, append([]string{"walk", path, "--redis", url}, extra...)...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "NOTEBOOK_CACHE="+cache)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	var out bytes.Buffer
	sc := bufio.NewScanner(stdout)
	pid := 0
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if _, err := fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(sc.Text(), "  │ ")), "wrote 30 keys, pid %d", &pid); err == nil {
			break
		}
	}
	if pid == 0 {
		cmd.Wait()
		t.Fatalf("the walk did not write its keys:\n%s\n%s", out.String(), stderr.String())
	}
	copied := make(chan struct{})
	go func() {
		io.Copy(&out, stdout)
		close(copied)
	}()
	return cmd, func() string { <-copied; return out.String() }, pid
}

// TestSignalsToTheRunner sends SIGTERM and SIGHUP to a walking runner on
// a real server: it ends the chapter program and removes the run's keys.
// Then SIGKILL: the next walk names what the killed one left, and
// --clean-leftovers removes exactly that.
func TestSignalsToTheRunner(t *testing.T) {
	url := needs.Redis(t, 3)
	cache := t.TempDir()
	keys := func() int {
		out, err := exec.Command("redis-cli", "-u", url, "DBSIZE").Output()
		if err != nil {
			t.Fatalf("redis-cli: %v", err)
		}
		var n int
		fmt.Sscan(string(out), &n)
		return n
	}
	if n := keys(); n != 0 {
		t.Fatalf("database 3 must be empty for this test; it holds %d keys", n)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT} {
		cmd, out, pid := startSlowWalk(t, url, cache)
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Fatalf("%v: the runner did not end", sig)
		}
		if n := keys(); n != 0 {
			t.Errorf("%v: %d keys left in database 3", sig, n)
		}
		if output := out(); !strings.Contains(output, "removed the 30 keys this run created") {
			t.Errorf("%v: the walk did not say it cleaned up:\n%s", sig, output)
		}
		if running(pid) {
			t.Errorf("%v: the chapter program (pid %d) outlived the runner", sig, pid)
		}
	}

	cmd, _, pid := startSlowWalk(t, url, cache)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	for i := 0; running(pid); i++ {
		if i == 50 {
			t.Errorf("the chapter program (pid %d) outlived the killed runner", pid)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := keys(); n != 30 {
		t.Fatalf("after SIGKILL database 3 holds %d keys, want the 30 the run wrote", n)
	}
	// Another client's key, made since: never the leftovers'.
	exec.Command("redis-cli", "-u", url, "SET", "someone-else", "1").Run()
	defer exec.Command("redis-cli", "-u", url, "DEL", "someone-else").Run()

	r := runnerEnv(t, []string{"NOTEBOOK_CACHE=" + cache}, "walk", "runner/notebook/testdata/basics.md", "--redis", url)
	r.expect(t, exitBadArgs, "", "already holds 31 keys")
	if !strings.Contains(r.stderr, "99-slow.md started ") || !strings.Contains(r.stderr, "left 30 of them; pass --clean-leftovers") {
		t.Errorf("the next walk did not name the killed run:\n%s", r.stderr)
	}
	r = runnerEnv(t, []string{"NOTEBOOK_CACHE=" + cache}, "walk", "runner/notebook/testdata/basics.md", "--redis", url, "--clean-leftovers", "--allow-dirty")
	r.expect(t, exitOK, "removed the 30 keys that a run of", "")
	if n := keys(); n != 1 {
		t.Errorf("after --clean-leftovers database 3 holds %d keys, want only the other client's", n)
	}
}

// running reports whether process pid runs: exists and is not a zombie
// waiting to be reaped (by an init that may never do it in a container).
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	f := strings.Fields(string(b))
	return !(len(f) > 2 && f[2] == "Z")
}

// TestFindChapterByNumber: walk 1 is the first chapter in course order, as
// check 1 is the first exercise; a number past the end says how many
// there are.
func TestFindChapterByNumber(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	p, err := findChapter(root, "1")
	if err != nil || filepath.Base(p) != "01-redis.md" {
		t.Errorf("chapter 1: %q, %v", p, err)
	}
	if _, err := findChapter(root, "0"); err == nil || !strings.Contains(err.Error(), "there is no chapter 0: the course has ") {
		t.Errorf("chapter 0: %v", err)
	}
	runner(t, "", "walk", "9").expect(t, exitBadArgs, "", "there is no chapter 9")
}

// TestClosedOutputStillCleansUp: a walk whose output is cut off
// ("walk | head") still removes its keys instead of dying on SIGPIPE.
func TestClosedOutputStillCleansUp(t *testing.T) {
	url := needs.Redis(t, 3)
	path := filepath.Join(t.TempDir(), "99-loud.md")
	src := "# Loud\n\n```go\nfor i := range 30 {\n\trdb.Set(ctx, fmt.Sprint(\"loud:\", i), i, 0)\n}\nfmt.Println(\"wrote\")\n```\n\n" +
		"```go timeout=60s\nfor i := range 3000 {\n\tfmt.Println(\"line\", i)\n\ttime.Sleep(10 * time.Millisecond)\n}\n```\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(runnerBin, "walk", path, "--redis", url)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "wrote") {
	}
	stdout.Close() // as head does once it has its lines
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the runner went on writing into a closed pipe")
	}
	out, err := exec.Command("redis-cli", "-u", url, "DBSIZE").Output()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.TrimSpace(string(out)); n != "0" {
		t.Errorf("database 3 holds %s keys after the cut-off walk", n)
	}
}
