//go:build linux || darwin

package term

import (
	"os"
	"syscall"
	"unsafe"
)

// ttyWidth is the width of the terminal f is, or 0.
func ttyWidth(f *os.File) int {
	var ws struct{ rows, cols, x, y uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws)))
	if errno != 0 {
		return 0
	}
	return int(ws.cols)
}
