//go:build !linux

package sandbox

// rlimitNPROC: the process limit is set on Linux only.
const rlimitNPROC = -1

func becomeSubreaper()      {}
func killOrphans()          {}
func userTasks() uint64     { return 0 }
func uidInUse(uid int) bool { return false }
