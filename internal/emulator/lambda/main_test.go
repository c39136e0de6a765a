package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the test functions and functions/echo, built once for this host by TestMain.
var binDir string

// testFunctions are the main packages TestMain builds, each to binDir/<last path element>.
var testFunctions = []string{"./testdata/hello", "./testdata/crash", "./testdata/initexit",
	"./testdata/initerror", "./testdata/logs", "../../../functions/echo"}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambda-emulator-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binDir = dir
	// The flags `make build` uses; one go build for all, so that the link steps share one command.
	args := append([]string{"build", "-tags", "lambda.norpc", "-trimpath", "-o", dir + string(filepath.Separator)}, testFunctions...)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the test functions (needs the Go toolchain on PATH): %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func bin(name string) string { return filepath.Join(binDir, name) }

const testRegion = "eu-west-1"

// recorder is an Options.OnEvent that keeps every event and lets a test wait for one.
type recorder struct {
	mu     sync.Mutex
	events []Event
	notify chan struct{}
}

func newRecorder() *recorder { return &recorder{notify: make(chan struct{}, 1)} }

func (r *recorder) observe(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *recorder) pids(kind EventKind) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int
	for _, e := range r.events {
		if e.Kind == kind {
			out = append(out, e.PID)
		}
	}
	return out
}

// waitFor waits, up to d, until cond holds over the events.
func (r *recorder) waitFor(t *testing.T, d time.Duration, what string, cond func([]Event) bool) {
	t.Helper()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		ok := cond(r.events)
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.notify:
		case <-deadline.C:
			t.Fatalf("waited %v for %s", d, what)
		}
	}
}

func count(events []Event, kind EventKind) int {
	n := 0
	for _, e := range events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// lockedBuffer is an Output a test can read while functions write to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start builds a Service and closes it, checking that Close leaves no process, when the test ends.
func start(t *testing.T, fns []Function, out *lockedBuffer) (*Service, *recorder) {
	t.Helper()
	rec := newRecorder()
	opts := Options{Region: testRegion, OnEvent: rec.observe}
	if out != nil {
		opts.Output = out
	}
	svc, err := New(fns, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := svc.Close(); err != nil {
			t.Error(err)
		}
		for _, pid := range rec.pids(EventStarted) {
			if alive(pid) {
				t.Errorf("process %d still running after Close", pid)
			}
		}
	})
	return svc, rec
}

// alive reports whether pid is a running process (not a zombie: Close reaps).
func alive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}

type helloResponse struct {
	PID        int               `json:"pid"`
	Env        map[string]string `json:"env"`
	RequestID  string            `json:"request_id"`
	ARN        string            `json:"arn"`
	DeadlineMS int64             `json:"deadline_ms"`
}

func invokeHello(t *testing.T, svc *Service, name, payload string) helloResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	raw, err := svc.Invoke(ctx, name, []byte(payload))
	if err != nil {
		t.Fatalf("invoke %s: %v", name, err)
	}
	var r helloResponse
	if err := json.Unmarshal(raw, &r); err != nil || r.PID == 0 {
		t.Fatalf("response %.200s: %v", raw, err)
	}
	return r
}

// functionError asserts err is a *FunctionError of type typ.
func functionError(t *testing.T, err error, typ string) *FunctionError {
	t.Helper()
	var fe *FunctionError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a *FunctionError %s", err, typ)
	}
	if fe.Type != typ {
		t.Fatalf("error type %q (%s), want %q", fe.Type, fe.Message, typ)
	}
	if !json.Valid(fe.Payload) {
		t.Fatalf("error payload %q is not JSON", fe.Payload)
	}
	return fe
}
