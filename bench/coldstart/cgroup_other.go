//go:build !linux

package coldstart

import (
	"errors"
	"os/exec"
)

func onCgroupFS(string) bool { return false }

// Start needs Linux's cgroups.
func (g *Cgroup) Start(*exec.Cmd, func() error) error {
	return errors.Join(ErrNoCgroups, errors.ErrUnsupported)
}
