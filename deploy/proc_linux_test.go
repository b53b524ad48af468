package deploy_test

import (
	"os/exec"
	"syscall"
)

// dieWithTest stops the proxy if the test process dies without cleaning up
// (a timeout's panic), so no nginx or caddy outlives it.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
