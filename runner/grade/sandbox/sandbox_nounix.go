//go:build windows || js

package sandbox

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// On Windows (and on js, where the in-page check links the checks but
// starts no process) the graded program runs without a sandbox: in a scratch
// folder, killed at the end, with no limits.

// Limits bound one run (not applied on Windows).
type Limits struct {
	Memory, Procs, FileSize, Files, Scratch uint64
	CPU                                     time.Duration
}

// DefaultLimits suit one exercise.
func DefaultLimits(timeout time.Duration) Limits { return Limits{CPU: timeout} }

// A Box is one run's folders.
type Box struct {
	Root, Grader, Scratch, Bwrap string
	cmd                          *exec.Cmd
}

// New makes a Box under the system's temporary folder.
func New(bwrap string) (*Box, error) {
	root, err := os.MkdirTemp("", "grade-run-")
	if err != nil {
		return nil, err
	}
	b := &Box{Root: root, Grader: filepath.Join(root, "grader"), Scratch: filepath.Join(root, "scratch")}
	for _, d := range []string{b.Grader, b.Scratch} {
		if err := os.Mkdir(d, 0o755); err != nil {
			os.RemoveAll(root)
			return nil, err
		}
	}
	return b, nil
}

// UseLauncher does nothing: runs are started as they are.
func UseLauncher(path string) {}

// TakeUIDs hands out no user ids: runs keep this process's user.
func TakeUIDs(n int) ([]int, error) { return nil, nil }

// PutUIDs gives back ids from TakeUIDs.
func PutUIDs(ids []int) {}

// GiveUIDs gives this process ids that its parent took for it.
func GiveUIDs(ids []int) {}

// Install puts the program binary into the grader's folder, as name.
func (b *Box) Install(bin, name string) (string, error) {
	src, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	dst := filepath.Join(b.Grader, name)
	return dst, os.WriteFile(dst, src, 0o755)
}

// Socket makes a Unix socket in the grader's folder usable.
func (b *Box) Socket(string) {}

// Command returns the command that runs program in the scratch folder.
func (b *Box) Command(_ Limits, program string, args ...string) *exec.Cmd {
	b.cmd = exec.Command(program, args...)
	b.cmd.Dir = b.Scratch
	return b.cmd
}

// Kill ends the run.
func (b *Box) Kill() {
	if b.cmd != nil && b.cmd.Process != nil {
		b.cmd.Process.Kill()
	}
}

// Remove deletes the box's folders.
func (b *Box) Remove() error { return os.RemoveAll(b.Root) }

// Init does nothing on Windows.
func Init() {}

// Detect reports that there is no sandbox on Windows.
func Detect() (string, error) { return "", errors.New("the sandbox needs Linux") }

// InstallHint says how to get a working sandbox.
const InstallHint = "grade on Linux with bubblewrap 0.8 or later"

// CPULimitKilled: Windows sets no CPU limit.
func CPULimitKilled(waitErr error, cpu time.Duration) bool { return false }
