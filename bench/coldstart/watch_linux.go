package coldstart

import (
	"errors"
	"syscall"
	"unsafe"
)

// fileWatch counts opens of a set of files (inotify IN_OPEN), to show without strace whether a
// function reads them during a cold start.
type fileWatch struct {
	fd    int
	paths map[int32]string
}

func watchFiles(paths []string) (*fileWatch, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		return nil, err
	}
	w := &fileWatch{fd: fd, paths: map[int32]string{}}
	for _, p := range paths {
		wd, err := syscall.InotifyAddWatch(fd, p, syscall.IN_OPEN)
		if err != nil {
			syscall.Close(fd)
			return nil, err
		}
		w.paths[int32(wd)] = p
	}
	return w, nil
}

// opened returns the watched files opened since watchFiles, one entry per open, and stops watching;
// called again, it returns nothing.
func (w *fileWatch) opened() ([]string, error) {
	if w == nil || w.fd < 0 {
		return nil, nil
	}
	defer func() {
		syscall.Close(w.fd)
		w.fd = -1
	}()
	var out []string
	buf := make([]byte, 64<<10)
	for range 1000 { // bounded: the queue holds what the cold start caused, nothing more arrives
		n, err := syscall.Read(w.fd, buf)
		if errors.Is(err, syscall.EAGAIN) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
			if ev.Mask&syscall.IN_OPEN != 0 {
				out = append(out, w.paths[ev.Wd])
			}
			off += syscall.SizeofInotifyEvent + int(ev.Len)
		}
	}
	return out, errors.New("inotify: too many events")
}
