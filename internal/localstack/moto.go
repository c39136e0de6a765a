package localstack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// moto is a running moto_server, Cognito's emulator.
type moto struct {
	cmd  *exec.Cmd
	done chan struct{}
	url  string
}

// ErrMotoMissing is returned when moto_server is not installed.
var ErrMotoMissing = errors.New("moto_server not found on PATH: install it with pip install 'moto[server]'")

// startMoto starts moto_server on 127.0.0.1:port, its output going to logPath, and waits until it
// answers (at most 30 s). The process is stopped by stop, and also killed with us on Linux.
func startMoto(ctx context.Context, bin string, port int, logPath string) (*moto, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, ErrMotoMissing
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create moto log: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	m := &moto{cmd: cmd, done: make(chan struct{}), url: "http://127.0.0.1:" + strconv.Itoa(port)}
	go func() { _ = cmd.Wait(); close(m.done) }()
	if err := m.waitReady(ctx, 30*time.Second); err != nil {
		m.stop()
		return nil, fmt.Errorf("%w (its output is in %s)", err, logPath)
	}
	return m, nil
}

func (m *moto) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-m.done:
			return errors.New("moto_server exited during start-up")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := client.Get(m.url + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("moto_server did not answer on %s within %s", m.url, limit)
}

// stop ends moto_server and everything it started: SIGTERM to its process group, SIGKILL after 5 s.
func (m *moto) stop() {
	select {
	case <-m.done:
		return
	default:
	}
	signalGroup(m.cmd.Process, syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(5 * time.Second):
		signalGroup(m.cmd.Process, syscall.SIGKILL)
		<-m.done
	}
}

// checkPortFree fails with a clear message when something already listens on 127.0.0.1:port.
func checkPortFree(port int, what, variable string) error {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%s port 127.0.0.1:%d is taken (%v): stop what uses it or choose another with make local %s=<port>", what, port, err, variable)
	}
	return ln.Close()
}
