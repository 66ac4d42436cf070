// Package sandbox runs a graded program where it can do little harm: in a
// scratch folder of its own, with limits on memory, processes, CPU time
// and file size, in a process group that is killed, with everything it
// started, when the run ends. Where bubblewrap (bwrap) works, the program
// also runs in namespaces of its own: a file system that holds only the
// grader's folder (read-only) and the scratch folder, no network, and no
// view of other processes, the tutorial's checkout or anybody's home.
//
// The program that uses this package must call Init first thing in main:
// the limits are applied by re-running that program as a small launcher
// (setrlimit, then exec), so that they hold from the graded program's
// first instruction, its package initializers included.
//go:build !windows && !js

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis-notebook/tutorial/runner/paths"
)

// Limits bound one run.
type Limits struct {
	Memory   uint64        // address space, bytes
	Procs    uint64        // processes and threads
	CPU      time.Duration // CPU time
	FileSize uint64        // largest file written, bytes
	Files    uint64        // open descriptors
	Scratch  uint64        // the scratch folder's size, bytes (with bwrap)
}

// DefaultLimits suit one exercise: a Go program and its Redis client need
// a few threads and a few tens of MB, but the Go runtime reserves about
// 1.2 GB of address space before it allocates anything.
func DefaultLimits(timeout time.Duration) Limits {
	return Limits{Memory: 3 << 30, Procs: 64, CPU: timeout + 2*time.Second, FileSize: 64 << 20, Files: 256,
		Scratch: 128 << 20}
}

// A Box is one run's sandbox: a folder holding the grader's files
// (read-only for the program: its binary, the socket it talks to) and the
// scratch folder it runs in.
type Box struct {
	Root   string // holds Grader and Scratch; removed by Remove
	Grader string // the grader's files
	// Scratch is the program's working folder, the only one it may
	// write; with bwrap, a tmpfs of Limits.Scratch is mounted over it.
	Scratch string
	Bwrap   string // bwrap's path, or "" to run without namespaces
	uid     int    // the user the program runs as; -1: this process's
	cmd     *exec.Cmd
}

// New makes a Box under the system's temporary folder. bwrap is bwrap's
// path, or "" for none.
func New(bwrap string) (*Box, error) {
	root, err := os.MkdirTemp("", "grade-run-")
	if err != nil {
		return nil, err
	}
	b := &Box{Root: root, Grader: filepath.Join(root, "grader"), Scratch: filepath.Join(root, "scratch"), Bwrap: bwrap, uid: -1}
	// Run as root, the program gets a user of its own: then the process
	// limit holds (root is exempt from it), the checkout is not its to
	// write, and at the end every process of that user can be killed.
	if os.Geteuid() == 0 {
		if b.uid, err = uids().take(); err != nil {
			os.RemoveAll(root)
			return nil, err
		}
	}
	for _, d := range []string{b.Grader, b.Scratch} {
		if err := os.Mkdir(d, 0o755); err != nil {
			b.giveBackUID()
			os.RemoveAll(root)
			return nil, err
		}
	}
	os.Chmod(root, 0o755)
	if b.uid >= 0 {
		os.Chown(b.Scratch, b.uid, b.uid)
	}
	return b, nil
}

// Install puts the program binary into the grader's folder, as name.
func (b *Box) Install(bin, name string) (string, error) {
	dst := filepath.Join(b.Grader, name)
	if err := os.Link(bin, dst); err == nil {
		return dst, nil
	}
	src, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	return dst, os.WriteFile(dst, src, 0o755)
}

// Socket makes a Unix socket in the grader's folder usable by the
// program's user.
func (b *Box) Socket(path string) { os.Chmod(path, 0o777) }

// Command returns the command that runs program (in the grader's folder)
// with args in the box, within lim. Its descriptors, output and extra
// files are the caller's to set; Start it, then Kill the box.
func (b *Box) Command(lim Limits, program string, args ...string) *exec.Cmd {
	self := launcherPath()
	launch := []string{launcherArg,
		fmt.Sprintf("as=%d", lim.Memory), fmt.Sprintf("nproc=%d", b.procs(lim.Procs)),
		fmt.Sprintf("cpu=%d", int64((lim.CPU+time.Second-1)/time.Second)),
		fmt.Sprintf("fsize=%d", lim.FileSize), fmt.Sprintf("nofile=%d", lim.Files), "--"}
	env := []string{"HOME=" + b.Scratch, "TMPDIR=" + b.Scratch, "GOTRACEBACK=single", "GOMAXPROCS=2",
		"PATH=/usr/local/bin:/usr/bin:/bin"}
	if b.Bwrap != "" {
		rel := func(p string) string {
			r, _ := filepath.Rel(b.Grader, p)
			return path.Join("/grader", filepath.ToSlash(r))
		}
		inside := []string{b.Bwrap, "--unshare-all", "--die-with-parent", "--new-session",
			"--clearenv", "--setenv", "HOME", "/scratch", "--setenv", "TMPDIR", "/scratch",
			"--setenv", "GOTRACEBACK", "single", "--setenv", "GOMAXPROCS", "2",
			"--proc", "/proc", "--dev", "/dev",
			// The scratch folder is a tmpfs of its own, of bounded size: a
			// loop writing files fills it, not the teacher's disk.
			"--ro-bind", b.Grader, "/grader", "--size", strconv.FormatUint(lim.Scratch, 10), "--tmpfs", "/scratch",
			"--chdir", "/scratch",
			"--", rel(program)}
		for _, a := range args {
			if _, in := paths.Within(b.Grader, a); in && filepath.IsAbs(a) {
				a = rel(a)
			}
			inside = append(inside, a)
		}
		launch = append(launch, inside...)
	} else {
		launch = append(append(launch, program), args...)
	}
	if b.uid >= 0 {
		// The launcher becomes the user itself, after its limits: it is
		// this program, which may sit where that user cannot reach.
		launch = slices.Insert(launch, 1, fmt.Sprintf("uid=%d", b.uid))
	}
	cmd := exec.Command(self, launch...)
	cmd.Dir = b.Scratch
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	b.cmd = cmd
	return cmd
}

// procs is the process limit to set: the limit counts every process of
// the user, so a program running as this process's own user may start n
// more than that user runs already, and sharedSlack more, for what the
// user's other processes start meanwhile: on a busy machine (a class
// graded eight exercises at a time, builds) they would otherwise use the
// graded program's share, and a stub would die starting its threads.
func (b *Box) procs(n uint64) uint64 {
	if b.uid >= 0 {
		return n
	}
	return n + userTasks() + sharedSlack
}

// sharedSlack is the room left for the user's other processes: a fork
// loop still meets the limit, a few hundred processes later.
const sharedSlack = 256

// Kill ends the run: its process group, anything it started that left
// the group, and (with bwrap) its whole process namespace.
func (b *Box) Kill() {
	if b.cmd != nil && b.cmd.Process != nil {
		syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	}
	if b.Bwrap == "" {
		// (With bwrap, killed, its process namespace goes with it:
		// nothing started inside outlives it.)
		if b.uid >= 0 {
			sweep(b.uid)
		}
		killOrphans()
	}
	b.giveBackUID()
}

// giveBackUID returns the box's user id to the pool, once its processes
// are killed.
func (b *Box) giveBackUID() {
	if b.uid >= 0 {
		uids().put(b.uid)
	}
}

// Remove deletes the box's folders.
func (b *Box) Remove() error { return os.RemoveAll(b.Root) }

// sweep kills every process of uid: kill(-1) run as that user reaches
// exactly its processes, wherever they went (setsid, double fork).
func sweep(uid int) {
	self := launcherPath()
	for range 3 {
		if exec.Command(self, sweepArg, strconv.Itoa(uid)).Run() == nil {
			return
		}
	}
}

// launcher is the program that launches runs and sweeps (see Init):
// one that calls Init first thing, as this one does.
var launcher string

// UseLauncher has runs launched, and users swept, by the program at
// path, rather than by this one: a small program whose main calls Init
// starts faster than a large one, and a run is launched by a program
// started anew each time. Empty: by this program.
func UseLauncher(path string) { launcher = path }

// launcherPath is the launcher's path: UseLauncher's, or this program's.
func launcherPath() string {
	if launcher != "" {
		return launcher
	}
	self, err := os.Executable()
	if err != nil {
		return os.Args[0]
	}
	return self
}

const (
	launcherArg = "__sandbox_launch"
	sweepArg    = "__sandbox_sweep"
)

// Init must be called first thing in the main of a program that uses
// Box.Command: when this process is the sandbox's launcher, it applies the
// limits and becomes the graded program, never returning.
func Init() {
	if len(os.Args) < 2 || (os.Args[1] != sweepArg && os.Args[1] != launcherArg) {
		becomeSubreaper()
		return
	}
	switch os.Args[1] {
	case sweepArg:
		if len(os.Args) < 3 || becomeUser(os.Args[2]) != nil {
			os.Exit(1)
		}
		syscall.Kill(-1, syscall.SIGKILL)
		os.Exit(0)
	}
	args := os.Args[2:]
	uid := ""
	for len(args) > 0 && args[0] != "--" {
		k, v, _ := strings.Cut(args[0], "=")
		n, err := strconv.ParseUint(v, 10, 64)
		if k == "uid" {
			uid = v
		}
		if res, ok := resources[k]; ok && res >= 0 && err == nil {
			if err := syscall.Setrlimit(res, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
				fmt.Fprintf(os.Stderr, "sandbox: limit %s: %v\n", k, err)
				os.Exit(126)
			}
		}
		args = args[1:]
	}
	if len(args) < 2 {
		os.Exit(126)
	}
	syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
	if uid != "" {
		if err := becomeUser(uid); err != nil {
			fmt.Fprintf(os.Stderr, "sandbox: becoming user %s: %v\n", uid, err)
			os.Exit(126)
		}
	}
	path, err := exec.LookPath(args[1])
	if err == nil {
		err = syscall.Exec(path, args[1:], os.Environ())
	}
	fmt.Fprintf(os.Stderr, "sandbox: starting %s: %v\n", args[1], err)
	os.Exit(126)
}

// becomeUser drops to the user and group uid, with no other groups.
func becomeUser(uid string) error {
	n, err := strconv.Atoi(uid)
	if err != nil {
		return err
	}
	if err := syscall.Setgroups(nil); err != nil {
		return err
	}
	if err := syscall.Setgid(n); err != nil {
		return err
	}
	return syscall.Setuid(n)
}

var resources = map[string]int{
	"as":     syscall.RLIMIT_AS,
	"nproc":  rlimitNPROC,
	"cpu":    syscall.RLIMIT_CPU,
	"fsize":  syscall.RLIMIT_FSIZE,
	"nofile": syscall.RLIMIT_NOFILE,
}

// Detect finds a bwrap that works here, running as the sandbox would. It
// returns its path, or "" and why not.
func Detect() (string, error) {
	path, err := exec.LookPath("bwrap")
	if err != nil {
		return "", errors.New("bwrap is not installed")
	}
	// --size needs bubblewrap 0.8 or later. The mounts are a run's (see
	// Command): inside a container or another sandbox, bwrap may start
	// but be refused /proc, and then every submission would fail to
	// start, blamed on its author.
	cmd := exec.Command(path, "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/", "/",
		"--proc", "/proc", "--dev", "/dev", "--size", "1048576", "--tmpfs", "/tmp", "true")
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	if os.Geteuid() == 0 {
		n, err := uids().take()
		if err != nil {
			return "", err
		}
		defer uids().put(n)
		uid := uint32(n)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid, Groups: []uint32{}}}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("bwrap does not work here: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return path, nil
}

// InstallHint says how to get a working sandbox.
const InstallHint = "install bubblewrap 0.8 or later (Debian, Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap), " +
	"and allow unprivileged user namespaces"

// CPULimitKilled says whether a program's end, as exec.Cmd.Wait reported
// it, was the kernel's for reaching the CPU time limit cpu: killed by
// SIGXCPU, or by SIGKILL (the hard limit, which a Go program meets since
// it ignores SIGXCPU) after using about that much.
func CPULimitKilled(waitErr error, cpu time.Duration) bool {
	var ee *exec.ExitError
	if !errors.As(waitErr, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return false
	}
	used := ee.UserTime() + ee.SystemTime()
	return ws.Signal() == syscall.SIGXCPU || (ws.Signal() == syscall.SIGKILL && used >= cpu-time.Second)
}
