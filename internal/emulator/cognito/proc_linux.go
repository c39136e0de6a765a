package cognito

import (
	"os"
	"syscall"
)

// childProcAttr puts the child in its own process group, so that stopping it reaches anything it
// spawned, and has the kernel kill it if this process dies without stopping it.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func signalGroup(p *os.Process, sig syscall.Signal) {
	if err := syscall.Kill(-p.Pid, sig); err != nil {
		_ = p.Signal(sig)
	}
}
