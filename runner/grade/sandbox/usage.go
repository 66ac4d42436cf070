package sandbox

import (
	"sync"
	"time"
)

// Backstop is how long, by the wall clock, a graded run with the given
// time limit may take before the grader gives up on the machine:
// generous, so that only a machine busy beyond reason reaches it, and
// then the grader reports its own failure, never the learner's.
func Backstop(limit time.Duration) time.Duration { return 4*limit + 20*time.Second }

// A Sample is what a set of processes has had of the machine: its CPU
// time so far, and how long it waited for a CPU that others held since
// the previous sample. A graded call's time limit is counted from these,
// so that it does not depend on how busy the machine is (see package
// checks' limit).
type Sample struct {
	CPU time.Duration // on a CPU, user and system, reaped children included
	// Waited is the longest time any one of the processes' threads spent
	// runnable but waiting for a CPU since the previous sample: a lower
	// bound of the time they were held back, which threads waiting side
	// by side do not inflate.
	Waited time.Duration
	Known  bool // false: this system does not say (then both are 0)
}

// A Meter follows the usage of one process, and with Tree everything it
// starts, wherever that goes in the process tree (bubblewrap's
// namespaces, new sessions), as long as it stays a descendant.
type Meter struct {
	mu      sync.Mutex
	root    int
	tree    bool
	pids    map[int]bool // the tree, as last scanned
	scanned time.Time
	rescan  time.Duration            // until the next scan
	waits   map[[2]int]time.Duration // each thread's wait so far, by pid and tid
	cpu     time.Duration
}

// NewMeter follows the process pid alone (this process: os.Getpid()).
func NewMeter(pid int) *Meter {
	m := &Meter{root: pid, pids: map[int]bool{pid: true}, waits: map[[2]int]time.Duration{}}
	m.Sample() // the baseline: what came before is not counted
	return m
}

// MeterFor follows the box's program and everything it starts, once its
// command has started; nil before. Its first sample counts everything
// since the program started.
func (b *Box) MeterFor() *Meter {
	if b.cmd == nil || b.cmd.Process == nil {
		return nil
	}
	pid := b.cmd.Process.Pid
	// The first scan for descendants waits: most graded runs are over
	// before it, and until then the readings are the launcher's.
	return &Meter{root: pid, tree: true, pids: map[int]bool{pid: true}, scanned: time.Now(), rescan: firstRescan,
		waits: map[[2]int]time.Duration{}}
}

// A tree's meter looks for new descendants first every 200ms, while
// the program starts (bubblewrap forks twice), then less and less often,
// up to every 5s: a scan reads every process's status, a sample between
// scans only the tree's.
const (
	firstRescan = 200 * time.Millisecond
	lastRescan  = 5 * time.Second
)

// Sample reads the processes' usage now.
func (m *Meter) Sample() Sample {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tree && (m.pids == nil || time.Since(m.scanned) >= m.rescan) {
		m.pids = descendants(m.root)
		m.scanned = time.Now()
		m.rescan = min(max(2*m.rescan, firstRescan), lastRescan)
	}
	s := Sample{Known: usageKnown}
	var cpu time.Duration
	for pid := range m.pids {
		pu, ok := processUsage(pid)
		if !ok {
			continue
		}
		cpu += pu.cpu
		for tid, w := range pu.waits {
			k := [2]int{pid, tid}
			s.Waited = max(s.Waited, w-m.waits[k])
			m.waits[k] = w
		}
	}
	// A process that ended took its share away from the sum (until its
	// parent reaps it): keep the highest reading.
	m.cpu = max(m.cpu, cpu)
	s.CPU = m.cpu
	return s
}

// procUsage is one process's CPU time and its threads' waits so far.
type procUsage struct {
	cpu   time.Duration
	waits map[int]time.Duration
}
