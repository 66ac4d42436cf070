//go:build linux

package sandbox

import (
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"
)

// TestUIDPoolSkipsUsed: an id some process runs as, at the last look, is
// never handed out; the look is made once for several runs, and again
// once it is older than uidRescan.
func TestUIDPoolSkipsUsed(t *testing.T) {
	const pid = 4321
	base := 1<<20 + pid
	used := map[int]bool{base: true, base + 1<<22: true}
	scans := 0
	p := newUIDPool(pid, func() map[int]bool {
		scans++
		m := map[int]bool{}
		for k, v := range used {
			m[k] = v
		}
		return m
	})
	now := time.Unix(1000, 0)
	p.now = func() time.Time { return now }
	var got []int
	for range 3 {
		uid, err := p.take()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, uid)
	}
	want := []int{base + 2<<22, base + 3<<22, base + 4<<22}
	if !slices.Equal(got, want) || scans != 1 {
		t.Fatalf("took %v in %d looks, want %v in 1", got, scans, want)
	}
	// A process starts as the next id: once the look is old, it is seen.
	used[base+5<<22] = true
	now = now.Add(uidRescan)
	uid, err := p.take()
	if err != nil || uid != base+6<<22 || scans != 2 {
		t.Fatalf("took %d (%v) in %d looks, want %d in 2", uid, err, scans, base+6<<22)
	}
	// One given back is not handed out again while others are left.
	p.put(base + 2<<22)
	if uid, _ := p.take(); uid != base+7<<22 {
		t.Fatalf("took %d after a put, want %d", uid, base+7<<22)
	}
}

// TestUIDPoolReusesOnlyFree: when every id of the process's range has
// been handed out, those given back are handed out again, after a fresh
// look, and only if no process runs as them.
func TestUIDPoolReusesOnlyFree(t *testing.T) {
	used := map[int]bool{}
	p := newUIDPool(7, func() map[int]bool {
		m := map[int]bool{}
		for k, v := range used {
			m[k] = v
		}
		return m
	})
	var all []int
	for {
		uid, err := p.take()
		if err != nil {
			break
		}
		if uid >= maxUID || uid < 1<<20 {
			t.Fatalf("handed out %d", uid)
		}
		all = append(all, uid)
	}
	if len(all) < 500 {
		t.Fatalf("only %d ids in a process's range", len(all))
	}
	if _, err := p.take(); err == nil {
		t.Fatal("an id handed out twice")
	}
	p.put(all[3])
	p.put(all[5])
	used[all[3]] = true // a process runs as it now, seen at the next look
	now := time.Now().Add(uidRescan)
	p.now = func() time.Time { return now }
	uid, err := p.take()
	if err != nil || uid != all[5] {
		t.Fatalf("took %d (%v), want %d, the free one not in use", uid, err, all[5])
	}
	if uid, err := p.take(); err == nil {
		t.Fatalf("took %d, in use", uid)
	}
	p.put(12345) // never handed out: ignored
	if uid, err := p.take(); err == nil {
		t.Fatalf("took %d, never handed out", uid)
	}
}

// TestRunUIDNotInUse: run as root, a box never runs as a user that a
// process runs as, here the very id this process would hand out next.
func TestRunUIDNotInUse(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("boxes get a user of their own only when run as root")
	}
	p := uids()
	p.mu.Lock()
	next := int(p.base + p.next<<22)
	p.mu.Unlock()
	sleep := exec.Command("sleep", "30")
	sleep.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(next), Gid: uint32(next)}}
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleep.Process.Kill(); sleep.Wait() }()
	// Let the next box look again, as one would after uidRescan.
	p.mu.Lock()
	p.scanned = time.Time{}
	p.mu.Unlock()
	var boxes []*Box
	defer func() {
		for _, b := range boxes {
			b.Kill()
			b.Remove()
		}
	}()
	seen := map[int]bool{}
	for range 3 {
		b, err := New("")
		if err != nil {
			t.Fatal(err)
		}
		boxes = append(boxes, b)
		if b.uid == next || b.uid < 0 || seen[b.uid] {
			t.Fatalf("a box runs as %d: in use (%d) or another box's (%v)", b.uid, next, seen)
		}
		seen[b.uid] = true
	}
}

// TestUIDPoolGiven: ids the grader gave a checker are its runs' first,
// each once, without a look of its own; then it looks for its own.
func TestUIDPoolGiven(t *testing.T) {
	scans := 0
	p := newUIDPool(99, func() map[int]bool { scans++; return map[int]bool{} })
	p.given = []int{5 << 20, 6 << 20}
	var got []int
	for range 3 {
		uid, err := p.take()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, uid)
		p.put(uid)
	}
	if want := []int{5 << 20, 6 << 20, 1<<20 + 99}; !slices.Equal(got, want) || scans != 1 {
		t.Fatalf("took %v with %d looks, want %v with 1", got, scans, want)
	}
}

// TestHighestUIDWorks: bubblewrap runs as the highest id a pool hands out
// (it cannot map one of 2^31 or more).
func TestHighestUIDWorks(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("boxes get a user of their own only when run as root")
	}
	bwrap, err := Detect()
	if err != nil {
		t.Skipf("no bubblewrap here: %v", err)
	}
	p := newUIDPool(1<<22-1, func() map[int]bool { return nil })
	highest := -1
	for {
		uid, err := p.take()
		if err != nil {
			break
		}
		highest = uid
	}
	cmd := exec.Command(bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(highest), Gid: uint32(highest),
		Groups: []uint32{}}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bwrap as %d: %v: %s", highest, err, out)
	}
}
