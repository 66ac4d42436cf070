package notebook

import (
	"os"
	"syscall"
)

// procAttr puts the chapter program in a process group of its own, which
// the runner kills whole, and has the kernel kill it should the runner
// itself die (SIGKILL leaves the runner no chance to).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the process group p leads.
func killGroup(p *os.Process) { syscall.Kill(-p.Pid, syscall.SIGKILL) }
