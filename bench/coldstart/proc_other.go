//go:build unix && !linux

package coldstart

import (
	"errors"
	"os"
	"syscall"
)

func procAttr() *syscall.SysProcAttr { return nil }

// peakRSS needs /proc: elsewhere the harness falls back to ru_maxrss, which can include the
// harness's own size (see ColdStart).
func peakRSS(int) (int64, error) { return 0, errors.ErrUnsupported }

// maxRSS is wait4's ru_maxrss (bytes on macOS).
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
