package lambda

import "syscall"

// procAttr puts the environment's process in its own group, so that killing it reaches anything the
// bootstrap spawned, and has the kernel kill it should this process die without Close.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
