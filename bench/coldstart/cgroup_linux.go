package coldstart

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
)

// The filesystems' magic numbers (linux/magic.h).
const (
	cgroupSuperMagic  = 0x27e0eb
	cgroup2SuperMagic = 0x63677270
)

func onCgroupFS(dir string) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return false
	}
	return st.Type == cgroupSuperMagic || st.Type == cgroup2SuperMagic
}

// Start starts cmd inside the group, so that the process is limited from its first instruction:
// start is cmd.Start, or a wrapper of it that times the exec (the Lambda emulator's), called once
// the thread that forks is in the group, so that the move is not timed with it.
//
// v2: clone3's CLONE_INTO_CGROUP (SysProcAttr.UseCgroupFD). v1 has no such flag, but a child is born
// in its parent thread's cgroups and v1 moves single threads (the "tasks" file): the thread that
// starts cmd, locked to this goroutine, joins the group for the start and goes back to this process's
// own groups (the group's parents) after it. Should going back fail, the thread stays locked to a
// goroutine that ends, and Go destroys it (unless it is the main thread: then the error says so).
func (g *Cgroup) Start(cmd *exec.Cmd, start func() error) error {
	if g.Version == 2 {
		dir, err := os.Open(g.CPUDir)
		if err != nil {
			return err
		}
		defer dir.Close()
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{}
		}
		cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, int(dir.Fd())
		return start()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		tid := strconv.Itoa(syscall.Gettid())
		move := func(dirs []string) error {
			for _, d := range dirs {
				if err := writeFile(filepath.Join(d, "tasks"), tid); err != nil {
					return fmt.Errorf("move thread %s to %s: %w", tid, d, err)
				}
			}
			return nil
		}
		err := move(g.dirs())
		if err == nil {
			err = start()
		}
		if back := move(g.parents()); back != nil {
			errc <- errors.Join(err, back) // the thread stays locked: it ends with this goroutine
			return
		}
		runtime.UnlockOSThread()
		errc <- err
	}()
	return <-errc
}
