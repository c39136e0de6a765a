//go:build unix && !linux

package lambda

import "syscall"

// procAttr puts the environment's process in its own group, so that killing it reaches anything the
// bootstrap spawned. Without Linux's Pdeathsig, only Close stops the processes.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
