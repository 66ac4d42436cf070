//go:build linux

package sandbox

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestMeterCountsTheTree: a meter counts the CPU time of a process and
// of what it starts, a grandchild that computes included, and not the
// time a process spends waiting for nothing.
func TestMeterCountsTheTree(t *testing.T) {
	busy := exec.Command("sh", "-c", "sh -c 'while :; do :; done' & sleep 10")
	idle := exec.Command("sh", "-c", "sleep 10 & sleep 10")
	for _, c := range []*exec.Cmd{busy, idle} {
		// A group of its own, killed whole: the looping grandchild would
		// outlive its parent and spin on a core long after the test.
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := c.Start(); err != nil {
			t.Skip(err)
		}
		t.Cleanup(func() { syscall.Kill(-c.Process.Pid, syscall.SIGKILL); c.Wait() })
	}
	mb, mi := &Meter{root: busy.Process.Pid, tree: true, waits: map[[2]int]time.Duration{}},
		&Meter{root: idle.Process.Pid, tree: true, waits: map[[2]int]time.Duration{}}
	var b, i Sample
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		b, i = mb.Sample(), mi.Sample()
		if b.CPU >= 300*time.Millisecond {
			break
		}
	}
	if !b.Known || b.CPU < 300*time.Millisecond {
		t.Errorf("the busy tree used %s of CPU, by its meter; want its grandchild's loop counted", b.CPU)
	}
	if i.CPU > 100*time.Millisecond {
		t.Errorf("the idle tree used %s of CPU, by its meter", i.CPU)
	}
	// A sample never counts less CPU than the one before.
	if again := mb.Sample(); again.CPU < b.CPU {
		t.Errorf("CPU went down: %s after %s", again.CPU, b.CPU)
	}
}

// BenchmarkMeterSample is the cost of one reading of a program's usage,
// which the checker takes ten times a second: the tree's processes only,
// and a scan of every process once a second (BenchmarkDescendants).
func BenchmarkMeterSample(b *testing.B) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		b.Skip(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	m := &Meter{root: cmd.Process.Pid, tree: true, waits: map[[2]int]time.Duration{}}
	m.Sample()
	b.ResetTimer()
	for b.Loop() {
		m.scanned = time.Now() // the readings between scans
		m.Sample()
	}
}

func BenchmarkDescendants(b *testing.B) {
	for b.Loop() {
		descendants(1)
	}
}
