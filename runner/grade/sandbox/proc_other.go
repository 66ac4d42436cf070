//go:build !linux

package sandbox

// rlimitNPROC: the process limit is set on Linux only.
const rlimitNPROC = -1

func becomeSubreaper()        {}
func killOrphans()            {}
func userTasks() uint64       { return 0 }
func uidsInUse() map[int]bool { return nil }

// usageKnown: only Linux says how long a process waited for a CPU.
const usageKnown = false

func processUsage(pid int) (procUsage, bool) { return procUsage{}, false }

func descendants(root int) map[int]bool { return map[int]bool{root: true} }
