package sandbox

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
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

// uidsInUse returns the user ids that processes run as now: each
// process's real, effective, saved and file-system user, as its status
// says.
func uidsInUse() map[int]bool {
	used := map[int]bool{}
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
		for _, f := range strings.Fields(line) {
			if uid, err := strconv.Atoi(f); err == nil {
				used[uid] = true
			}
		}
	}
	return used
}

// usageKnown: Linux says how much CPU a process used (/proc/PID/stat)
// and how long its threads waited for one (/proc/PID/task/*/schedstat).
const usageKnown = true

// clockTick is the unit of /proc/PID/stat's times: USER_HZ, 100 on every
// Linux that Go runs on.
const clockTick = 10 * time.Millisecond

// processUsage reads one process's usage: its CPU time and its reaped
// children's, and each thread's time waiting to run.
func processUsage(pid int) (procUsage, bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	b, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return procUsage{}, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procUsage{}, false
	}
	// After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt
	// cminflt majflt cmajflt utime stime cutime cstime ...
	f := strings.Fields(s[i+1:])
	if len(f) < 15 {
		return procUsage{}, false
	}
	var ticks int64
	for _, k := range []int{11, 12, 13, 14} {
		n, _ := strconv.ParseInt(f[k], 10, 64)
		ticks += n
	}
	u := procUsage{cpu: time.Duration(ticks) * clockTick, waits: map[int]time.Duration{}}
	tasks, _ := os.ReadDir(dir + "/task")
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(dir + "/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue
		}
		// on-CPU ns, waiting ns, timeslices
		if fs := strings.Fields(string(b)); len(fs) >= 2 {
			n, _ := strconv.ParseInt(fs[1], 10, 64)
			u.waits[tid] = time.Duration(n)
		}
	}
	return u, true
}

// descendants returns root and every process whose chain of parents
// leads to it.
func descendants(root int) map[int]bool {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || i+4 > len(s) {
			continue
		}
		// ") S 1234 …": the state, then the parent.
		f := strings.SplitN(s[i+2:], " ", 3)
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		parent[pid] = ppid
	}
	tree := map[int]bool{root: true}
	for pid := range parent {
		var chain []int
		for p := pid; p > 1 && !tree[p]; p = parent[p] {
			chain = append(chain, p)
			if len(chain) > 64 {
				break
			}
			if _, ok := parent[p]; !ok {
				chain = nil
				break
			}
		}
		if len(chain) > 0 && tree[parent[chain[len(chain)-1]]] {
			for _, p := range chain {
				tree[p] = true
			}
		}
	}
	return tree
}
