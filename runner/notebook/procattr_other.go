//go:build unix && !linux

package notebook

import "syscall"

// procAttr puts the chapter program in a process group of its own, which
// the runner kills whole.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
