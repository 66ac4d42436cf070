//go:build !windows && !js

package sandbox

import (
	"errors"
	"os"
	"sync"
	"time"
)

// uidRescan is how long a look at the users that processes run as is
// trusted: a run's user is one no process ran as at most this long ago.
// Looking (every process's status in /proc) costs about as much as a
// small exercise, so it is done once for the several runs a checker makes
// in a row, not once per run.
const uidRescan = time.Second

// A uidPool hands out the user ids a process's runs are given when it
// runs as root: uid 1<<20 + pid + k<<22 for k = 0, 1, 2…, so that two
// processes (pids are below 2^22) never hand out the same one, skipping
// any that a process ran as at the last look (an account's, a
// container's: a sweep would kill its processes), looked at again once
// that look is older than uidRescan. Runs of the same process at the same
// time get different ids, and so do runs one after another: a killed
// run's processes may take a moment to go, and would count against the
// next run's process limit. Only when every k is used are ids given back
// (put) handed out again, the longest given back first, if no process
// ran as them at a look that came after.
type uidPool struct {
	mu      sync.Mutex
	base    int64               // 1<<20 + pid
	scan    func() map[int]bool // the uids some process runs as
	now     func() time.Time    // the clock
	inUse   map[int]bool        // as last scanned
	scanned time.Time           // when
	next    int64               // k of the next id never handed out
	free    []int               // handed out and given back
	taken   map[int]bool        // handed out, not given back
	given   []int               // given by the grader, to hand out first
}

var errNoUID = errors.New("sandbox: no free user id for the run")

// maxUID keeps the ids handed out below 2^31: bubblewrap cannot map a
// user id above it into its namespace ("setting up uid map: Invalid
// argument"). That leaves a process about 500 ids of its own.
const maxUID = 1<<31 - 1

func newUIDPool(pid int, scan func() map[int]bool) *uidPool {
	return &uidPool{base: 1<<20 + int64(pid%(1<<22)), scan: scan, now: time.Now, taken: map[int]bool{}}
}

// take hands out an id: one given to the process (see GiveUIDs), or
// one that no process ran as at the last look.
func (p *uidPool) take() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.given) > 0 {
		uid := p.given[0]
		p.given = p.given[1:]
		return uid, nil
	}
	fresh := false
	if p.inUse == nil || p.now().Sub(p.scanned) >= uidRescan {
		p.look()
		fresh = true
	}
	for {
		uid := p.base + p.next<<22
		if uid >= maxUID {
			break
		}
		p.next++
		if !p.inUse[int(uid)] {
			p.taken[int(uid)] = true
			return int(uid), nil
		}
	}
	for {
		// The longest given back first.
		for i, uid := range p.free {
			if !p.inUse[uid] {
				p.free = append(p.free[:i], p.free[i+1:]...)
				p.taken[uid] = true
				return uid, nil
			}
		}
		if fresh {
			return -1, errNoUID
		}
		p.look()
		fresh = true
	}
}

func (p *uidPool) look() { p.inUse, p.scanned = p.scan(), p.now() }

// put gives back an id whose run has ended, its processes killed.
func (p *uidPool) put(uid int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.taken[uid] {
		delete(p.taken, uid)
		p.free = append(p.free, uid)
	}
}

// uids is this process's pool.
var uids = sync.OnceValue(func() *uidPool { return newUIDPool(os.Getpid(), uidsInUse) })

// TakeUIDs hands out n user ids for the runs of another process (a
// checker, which the grader starts), checked as this process's own runs'
// are: so that a grader starting many checkers looks through /proc once a
// second, not once per checker. Give them back with PutUIDs once that
// process has ended, its runs killed. Not run as root: none.
func TakeUIDs(n int) ([]int, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var ids []int
	for range n {
		uid, err := uids().take()
		if err != nil {
			PutUIDs(ids)
			return nil, err
		}
		ids = append(ids, uid)
	}
	return ids, nil
}

// PutUIDs gives back ids from TakeUIDs.
func PutUIDs(ids []int) {
	for _, uid := range ids {
		uids().put(uid)
	}
}

// GiveUIDs gives this process ids that its parent took for it
// (TakeUIDs): its runs use each once, before any of its own.
func GiveUIDs(ids []int) {
	p := uids()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.given = append(p.given, ids...)
}
