//go:build unix

package lambda

import (
	"os"
	"syscall"
)

// killGroup kills the environment's process group: SIGKILL, as Lambda stops a runtime that has no
// extensions registered for the Shutdown phase.
func killGroup(p *os.Process) {
	if err := syscall.Kill(-p.Pid, syscall.SIGKILL); err != nil {
		_ = p.Kill()
	}
}
