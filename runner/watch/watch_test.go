package watch

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// debounce is short: the tests wait for events, never for their absence,
// except where a pause of pause lets a wrong event arrive first.
const (
	debounce = 20 * time.Millisecond
	pause    = 300 * time.Millisecond
)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// next returns the next changed path, failing the test if none comes in a
// minute (a watcher that sends nothing would otherwise hang the test).
func next(t *testing.T, changes <-chan string) string {
	t.Helper()
	select {
	case p, ok := <-changes:
		if !ok {
			t.Fatal("the channel closed while the watch was still on")
		}
		return p
	case <-time.After(time.Minute):
		t.Fatal("no change reported in a minute")
		return ""
	}
}

func start(t *testing.T, dirs ...string) (<-chan string, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	changes, err := Changes(ctx, dirs, debounce)
	if err != nil {
		t.Fatal(err)
	}
	return changes, cancel
}

// TestSavedFileIsReported: a file saved in any of the folders, or in a
// folder below them, is reported by its path.
func TestSavedFileIsReported(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	write(t, filepath.Join(b, "sub", "old.go"), "package sub\n")
	changes, _ := start(t, a, b)

	write(t, filepath.Join(a, "01_json.go"), "package redisbasics\n")
	if got, want := next(t, changes), filepath.Join(a, "01_json.go"); got != want {
		t.Errorf("saved %s, reported %s", want, got)
	}
	write(t, filepath.Join(b, "sub", "old.go"), "package sub // edited\n")
	if got, want := next(t, changes), filepath.Join(b, "sub", "old.go"); got != want {
		t.Errorf("saved %s, reported %s", want, got)
	}
}

// TestNewFolderIsWatched: a folder created during the watch is watched
// too, once reported.
func TestNewFolderIsWatched(t *testing.T) {
	dir := t.TempDir()
	changes, _ := start(t, dir)
	if err := os.Mkdir(filepath.Join(dir, "pipelines"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := next(t, changes); got != filepath.Join(dir, "pipelines") {
		t.Errorf("made a folder, reported %s", got)
	}
	saved := filepath.Join(dir, "pipelines", "07_leaderboard.go")
	write(t, saved, "package pipelines\n")
	if got := next(t, changes); got != saved {
		t.Errorf("saved %s in the new folder, reported %s", saved, got)
	}
}

// TestOutsideAndHiddenAreNot: a file outside the folders, an editor's
// hidden swap file, and a file in a hidden folder (.git) are not
// reported. They are written first, a pause before a file that is: a
// wrong report would come first.
func TestOutsideAndHiddenAreNot(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	write(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main\n")
	changes, _ := start(t, dir)

	write(t, filepath.Join(outside, "README.md"), "# elsewhere\n")
	write(t, filepath.Join(dir, ".01_json.go.swp"), "swap")
	write(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/other\n")
	time.Sleep(pause)
	saved := filepath.Join(dir, "01_json.go")
	write(t, saved, "package redisbasics\n")
	if got := next(t, changes); got != saved {
		t.Errorf("the first change reported is %s, want %s", got, saved)
	}
}

// TestStopsWithItsContext: the channel closes when the context ends, with
// or without a change waiting to be taken.
func TestStopsWithItsContext(t *testing.T) {
	for _, pending := range []bool{false, true} {
		dir := t.TempDir()
		changes, cancel := start(t, dir)
		if pending {
			write(t, filepath.Join(dir, "a.go"), "package a\n")
			time.Sleep(pause) // the change is reported, and not taken
		}
		cancel()
		deadline := time.After(time.Minute)
	drain:
		for {
			select {
			case _, ok := <-changes:
				if !ok {
					break drain
				}
			case <-deadline:
				t.Fatalf("pending=%t: the channel is still open a minute after the context ended", pending)
			}
		}
	}
}

// TestMissingFolder: a folder that does not exist is an error, at once.
func TestMissingFolder(t *testing.T) {
	_, err := Changes(context.Background(), []string{filepath.Join(t.TempDir(), "nowhere")}, debounce)
	if !os.IsNotExist(err) {
		t.Errorf("Changes of a missing folder: %v, want a not-exist error", err)
	}
}
