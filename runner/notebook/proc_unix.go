//go:build unix && !linux

package notebook

import (
	"os"
	"syscall"
)

// procAttr puts the chapter program in a process group of its own, which
// the runner kills whole.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the process group p leads.
func killGroup(p *os.Process) { syscall.Kill(-p.Pid, syscall.SIGKILL) }
