package localstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// Moto is a running moto_server, Cognito's emulator.
type Moto struct {
	URL  string // http://<host>:<port>, 127.0.0.1 for a wildcard host
	cmd  *exec.Cmd
	done chan struct{}
}

// ErrMotoMissing is returned when moto_server is not installed.
var ErrMotoMissing = errors.New("moto_server not found on PATH: install it with pip install 'moto[server]'")

// StartMoto starts moto_server (the command bin) on host:port (host "" is 127.0.0.1), its output going
// to output, and waits until it answers (at most 30 s). Stop ends it; on Linux it is also killed with
// this process.
func StartMoto(ctx context.Context, bin, host string, port int, output io.Writer) (*Moto, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, ErrMotoMissing
	}
	if host == "" {
		host = "127.0.0.1"
	}
	cmd := exec.Command(path, "-H", host, "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = output, output
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	reach := host
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		reach = "127.0.0.1" // listening everywhere, loopback included
	}
	m := &Moto{cmd: cmd, done: make(chan struct{}), URL: "http://" + net.JoinHostPort(reach, strconv.Itoa(port))}
	go func() { _ = cmd.Wait(); close(m.done) }()
	if err := m.waitReady(ctx, 30*time.Second); err != nil {
		m.Stop()
		return nil, err
	}
	return m, nil
}

func (m *Moto) waitReady(ctx context.Context, limit time.Duration) error {
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
		resp, err := client.Get(m.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("moto_server did not answer on %s within %s", m.URL, limit)
}

// Stop ends moto_server and everything it started: SIGTERM to its process group, SIGKILL after 5 s.
func (m *Moto) Stop() {
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

// checkPortFree fails with a clear message when something already listens on host:port.
func checkPortFree(host string, port int, what, variable string) error {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s port %s is taken or cannot be bound (%v): stop what uses it or choose another with make local %s=<port>", what, addr, err, variable)
	}
	return ln.Close()
}
