package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReset: reset puts the committed stub back; a file holding work is
// not replaced without --yes when there is no terminal to ask on (and
// reset does not wait for an answer), and with --yes a copy is kept.
func TestReset(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	src, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	file := filepath.Join(root, "exercises", "redisbasics", "02_lists.go")
	os.MkdirAll(filepath.Dir(file), 0o755)
	for _, name := range []string{"exercises/exercises.json", "exercises/redisbasics/02_lists.go"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(root, name), b, 0o644)
	}
	stub, _ := os.ReadFile(file)
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", root, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "stubs")
	work := append(bytes.Clone(stub), "\n// my work\n"...)
	os.WriteFile(file, work, 0o644)

	devNull, _ := os.Open(os.DevNull)
	defer devNull.Close()
	var out, errOut bytes.Buffer
	if code := runReset(devNull, &out, &errOut, root, "2", false); code != exitFailed || !strings.Contains(errOut.String(), "reset --yes 2") {
		t.Errorf("reset without a terminal: exit %d, %q; want 1 and how to force it", code, errOut.String())
	}
	if b, _ := os.ReadFile(file); !bytes.Equal(b, work) {
		t.Fatal("reset replaced the work without asking")
	}
	out.Reset()
	if code := runReset(devNull, &out, &errOut, root, "lists", true); code != exitOK {
		t.Fatalf("reset --yes: exit %d: %s", code, errOut.String())
	}
	if b, _ := os.ReadFile(file); !bytes.Equal(b, stub) {
		t.Error("reset --yes did not put the stub back")
	}
	copies, _ := filepath.Glob(file + ".bak-*")
	if len(copies) != 1 {
		t.Fatalf("copies kept: %v, want one", copies)
	}
	if b, _ := os.ReadFile(copies[0]); !bytes.Equal(b, work) {
		t.Error("the copy kept is not the work")
	}
	out.Reset()
	if code := runReset(devNull, &out, &errOut, root, "2", false); code != exitOK || !strings.Contains(out.String(), "already the stub") {
		t.Errorf("reset of a stub: exit %d, %q", code, out.String())
	}
}
