package localstack

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockState creates the state directory and takes an exclusive lock on it, so that two stacks never
// write the same files: a second stack with the same STATE_DIR fails at once with a clear message.
// The kernel releases the lock if this process dies.
func lockState(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create state directory %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock state directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("state directory %s is in use by another local stack: stop it, or give this one its own with make local STATE_DIR=<dir>", dir)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
