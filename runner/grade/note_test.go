package grade

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/redis-notebook/tutorial/runner/grade/sandbox"
)

// TestUnsandboxedNote: where bubblewrap does not work, grading says so
// once, with how to install it, and runs without it; NoSandbox says
// nothing.
func TestUnsandboxedNote(t *testing.T) {
	saved := sandboxCheck
	t.Cleanup(func() { sandboxCheck, unsandboxedNote = saved, sync.Once{} })
	sandboxCheck = func() (string, error) { return "", errors.New("bwrap is not installed") }
	unsandboxedNote = sync.Once{}
	var notes []string
	opt := Options{Note: func(s string) { notes = append(notes, s) }}
	for range 3 {
		if path := opt.bwrap(); path != "" {
			t.Fatalf("bwrap() = %q, want none", path)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "without a sandbox (bwrap is not installed)") ||
		!strings.Contains(notes[0], sandbox.InstallHint) {
		t.Errorf("notes: %q, want one saying how to install bubblewrap", notes)
	}
	sandboxCheck = func() (string, error) { return "/usr/bin/bwrap", nil }
	notes = nil
	if path := (Options{Note: opt.Note, NoSandbox: true}).bwrap(); path != "" || len(notes) != 0 {
		t.Errorf("NoSandbox: bwrap() = %q, notes %q", path, notes)
	}
	if path := opt.bwrap(); path != "/usr/bin/bwrap" {
		t.Errorf("bwrap() = %q where it works", path)
	}
}
