package launch

import "syscall"

// procAttr has the kernel kill the stack if the test or benchmark that started it dies first.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
