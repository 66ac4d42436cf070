//go:build !unix

package notebook

import (
	"os"
	"syscall"
)

// procAttr: without process groups, the program alone is stopped.
func procAttr() *syscall.SysProcAttr { return nil }

// killGroup kills the program; processes its cells started may remain.
func killGroup(p *os.Process) { p.Kill() }
