package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The tests of this file run commands that go on until Ctrl-C (check
// --watch, serve), save files while they run, and read what they print.

// savePause lets a wrong reaction to a save come before a right one: a save
// that should change nothing is made this long before one that should.
const savePause = 500 * time.Millisecond

// lines sends the lines r prints, and closes when it ends.
func outputLines(r io.Reader) <-chan string {
	ch := make(chan string, 100)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

// upTo reads lines until one that matches re, and returns them all, the
// matching one last. It fails the test if the output ends first, or
// after two minutes (a cold build of a grader or a chapter is slow), so
// that a command that never says it is done fails rather than hangs.
func readUpTo(t *testing.T, from <-chan string, re string) []string {
	t.Helper()
	want := regexp.MustCompile(re)
	var got []string
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case l, ok := <-from:
			if !ok {
				t.Fatalf("the output ended before a line matching %q:\n%s", re, strings.Join(got, "\n"))
			}
			got = append(got, l)
			if want.MatchString(l) {
				return got
			}
		case <-deadline:
			t.Fatalf("no line matching %q in two minutes:\n%s", re, strings.Join(got, "\n"))
		}
	}
}

// started runs the runner in dir until the test ends (Ctrl-C, then a
// kill), with its output as lines.
func startRunner(t *testing.T, dir string, args ...string) (cmd *exec.Cmd, stdout, stderr <-chan string) {
	t.Helper()
	cmd = exec.Command(runnerBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "REDIS_URL=", "NO_COLOR=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errOut, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, outputLines(out), outputLines(errOut)
}

// stop sends Ctrl-C and wants the command to end cleanly, exit 0, with
// nothing more to say than rest.
func interruptRunner(t *testing.T, cmd *exec.Cmd, stdout <-chan string, rest ...string) {
	t.Helper()
	cmd.Process.Signal(os.Interrupt)
	var tail []string
	for l := range stdout {
		tail = append(tail, l)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after Ctrl-C: %v, want exit 0", err)
	}
	if strings.Join(tail, "\n") != strings.Join(rest, "\n") {
		t.Errorf("after Ctrl-C, printed %q, want %q", tail, rest)
	}
}

func copyTestFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	saveFile(t, to, b)
}

// saveFile writes a file as editors save one: whole, by renaming a copy
// written elsewhere into place. (Written in place, a file is empty for a
// moment, and a grader or a rebuild starved of the CPU long enough after
// the first event would see that.)
func saveFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.CreateTemp(t.TempDir(), "save")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		t.Fatal(err)
	}
}

var watchScreenTime = regexp.MustCompile(`^=== \d\d:\d\d:\d\d$`)

// TestCheckWatch grades a learner's package on every save: the stub, not
// done; then, a save of the solution later, passed. A file saved outside
// the package, or an editor's swap file in it, grades nothing. Ctrl-C
// ends the watch, exit 0.
func TestCheckWatch(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "alice", "pipelines")
	stubs, _ := filepath.Glob("../exercises/pipelines/*.go")
	for _, f := range stubs {
		copyTestFile(t, f, filepath.Join(pkg, filepath.Base(f)))
	}
	cmd, stdout, _ := startRunner(t, "..", "check", "--watch", "--dir", filepath.Join(dir, "alice"), "7")

	watching := "watching " + pkg + ": save a file to grade again, Ctrl-C to stop"
	wantScreen := func(got []string, report ...string) {
		t.Helper()
		if len(got) > 0 && got[0] == "" {
			got = got[1:] // the blank line before each screen
		}
		if len(got) == 0 || !watchScreenTime.MatchString(got[0]) {
			t.Fatalf("a screen that does not start with the time:\n%s", strings.Join(got, "\n"))
		}
		want := append(report, "", watching)
		if g := strings.Join(got[1:], "\n"); g != strings.Join(want, "\n") {
			t.Errorf("screen:\n%s\nwant:\n%s", g, strings.Join(want, "\n"))
		}
	}
	wantScreen(readUpTo(t, stdout, "^watching "), "· 7 leaderboard  not done", "",
		"write AddScore and TopK in "+filepath.Join(pkg, "07_leaderboard.go")+", then run: go run ./runner check --dir "+filepath.Join(dir, "alice")+" 7")

	copyTestFile(t, "../README.md", filepath.Join(dir, "README.md"))
	copyTestFile(t, "../solutions/pipelines/07_leaderboard.go", filepath.Join(pkg, ".07_leaderboard.go.swp"))
	time.Sleep(savePause)
	copyTestFile(t, "../solutions/pipelines/07_leaderboard.go", filepath.Join(pkg, "07_leaderboard.go"))
	wantScreen(readUpTo(t, stdout, "^watching "), "✓ 7 leaderboard  passed")

	interruptRunner(t, cmd, stdout, "")
}

var servingLine = regexp.MustCompile(`^serving (http://(127\.0\.0\.1:\d+)/)\?token=([0-9a-f]+) \(Ctrl-C stops\)$`)

// TestServeReloads serves a copy of the tutorial: the site is built and
// served; a saved chapter rebuilds it, and the pages open on /_live hear
// of the new version and reload, to show the edit. Files saved outside
// chapters/, exercises/ and solutions/, or hidden, change nothing.
// Ctrl-C stops serve, exit 0.
func TestServeReloads(t *testing.T) {
	root := tutorialCopy(t)
	cmd, stdout, stderr := startRunner(t, root, "serve", "--no-browser", "--addr", "127.0.0.1:0")

	m := servingLine.FindStringSubmatch(<-stdout)
	if m == nil {
		t.Fatal("serve did not print its URL first")
	}
	base, token := m[1], m[3]
	readUpTo(t, stderr, "^site: ")

	// A page open on the site listens for new versions.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", base+"_live?token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := outputLines(resp.Body)
	first := nextEvent(t, events, "version")
	const edit = "A paragraph saved while serve ran."
	if page := httpGet(t, base+"01-redis.html?token="+token); strings.Contains(page, edit) {
		t.Fatal("the page holds the edit before it is made")
	}

	saveFile(t, filepath.Join(root, "README.md"), []byte("# outside\n"))
	chapter := filepath.Join(root, "chapters", "01-redis.md")
	src, err := os.ReadFile(chapter)
	if err != nil {
		t.Fatal(err)
	}
	saveFile(t, filepath.Join(root, "chapters", ".01-redis.md.swp"), src)
	time.Sleep(savePause)
	title, rest, _ := strings.Cut(string(src), "\n")
	saveFile(t, chapter, []byte(title+"\n\n"+edit+"\n"+rest))

	rebuilt := readUpTo(t, stderr, "^site: ")
	var changed []string
	for _, l := range rebuilt {
		if strings.HasPrefix(l, "changed: ") {
			changed = append(changed, l)
		}
	}
	if want := "changed: " + filepath.Join("chapters", "01-redis.md"); len(changed) != 1 || changed[0] != want {
		t.Errorf("serve said %q before it rebuilt, want only %q", changed, want)
	}
	if second := nextEvent(t, events, "version"); second == first {
		t.Errorf("the version after the rebuild is the one before: %q", second)
	}
	if page := httpGet(t, base+"01-redis.html?token="+token); !strings.Contains(page, edit) {
		t.Error("the page served after the reload does not hold the edit")
	}
	cancel()

	interruptRunner(t, cmd, stdout)
}

// nextEvent reads server-sent events up to the next one, which must be
// named name, and returns its data.
func nextEvent(t *testing.T, events <-chan string, name string) string {
	t.Helper()
	got := readUpTo(t, events, "^event: ")
	if e := strings.TrimPrefix(got[len(got)-1], "event: "); e != name {
		t.Fatalf("event %q, want %q", e, name)
	}
	data := readUpTo(t, events, "^data: ")
	return strings.TrimPrefix(data[len(data)-1], "data: ")
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %v", url, resp.Status, err)
	}
	return string(b)
}

// tutorialCopy makes a copy of the tutorial's chapters, exercises and
// solutions, with its go.mod and go.sum, beside links to its runner and
// site: serve rebuilds on saves there, and the chapters' runs and
// programs are found in the caches, which key them by content.
func tutorialCopy(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, dir := range []string{"chapters", "exercises", "solutions"} {
		err := filepath.Walk(filepath.Join(src, dir), func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			copyTestFile(t, p, filepath.Join(root, rel))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		copyTestFile(t, filepath.Join(src, f), filepath.Join(root, f))
	}
	for _, dir := range []string{"runner", "site"} {
		if err := os.Symlink(filepath.Join(src, dir), filepath.Join(root, dir)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}
