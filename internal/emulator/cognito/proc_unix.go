//go:build unix && !linux

package cognito

import (
	"os"
	"syscall"
)

// childProcAttr puts the child in its own process group, so that stopping it reaches anything it spawned.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

func signalGroup(p *os.Process, sig syscall.Signal) {
	if err := syscall.Kill(-p.Pid, sig); err != nil {
		_ = p.Signal(sig)
	}
}
