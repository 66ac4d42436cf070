package sandbox

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// rlimitNPROC is RLIMIT_NPROC, which package syscall does not name.
const rlimitNPROC = 6

// becomeSubreaper makes orphans of the graded program (started, then
// left by their parent) this process's children rather than init's, so
// that killOrphans finds them.
func becomeSubreaper() {
	syscall.RawSyscall(syscall.SYS_PRCTL, 36 /* PR_SET_CHILD_SUBREAPER */, 1, 0)
}

// killOrphans kills the processes that were reparented to this one.
func killOrphans() {
	self := os.Getpid()
	for range 50 { // a fork loop may start more while these die
		var found []int
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, p := range stats {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			// pid (comm) state ppid ...: comm may hold spaces.
			s := string(b)
			i := strings.LastIndexByte(s, ')')
			if i < 0 {
				continue
			}
			f := strings.Fields(s[i+1:])
			if len(f) < 2 {
				continue
			}
			if ppid, _ := strconv.Atoi(f[1]); ppid == self && f[0] != "Z" {
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
				syscall.Kill(pid, syscall.SIGKILL)
				found = append(found, pid)
			}
		}
		if len(found) == 0 {
			return
		}
		for _, pid := range found {
			var ws syscall.WaitStatus
			syscall.Wait4(pid, &ws, 0, nil)
		}
	}
}

// userTasks counts the processes and threads of this process's real user.
func userTasks() uint64 {
	uid := strconv.Itoa(os.Getuid())
	var n uint64
	stats, _ := filepath.Glob("/proc/[0-9]*/status")
	for _, p := range stats {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		mine := false
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
				fs := strings.Fields(rest)
				mine = len(fs) > 0 && fs[0] == uid
			}
			if rest, ok := strings.CutPrefix(line, "Threads:"); ok && mine {
				t, _ := strconv.ParseUint(strings.TrimSpace(rest), 10, 64)
				n += t
			}
		}
		f.Close()
	}
	return n
}

// uidInUse says whether any process runs as uid.
func uidInUse(uid int) bool {
	want := strconv.Itoa(uid)
	stats, _ := filepath.Glob("/proc/[0-9]*/status")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		_, rest, ok := strings.Cut(string(b), "\nUid:")
		if !ok {
			continue
		}
		line, _, _ := strings.Cut(rest, "\n")
		if slices.Contains(strings.Fields(line), want) {
			return true
		}
	}
	return false
}
