package testredis

import (
	"os/exec"
	"syscall"
)

// dieWithTest stops the server if the test binary dies without cleaning
// up (go test's -timeout kills it), so no server outlives its test.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
