package firstrun_test

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/example/cognito-sam-go/internal/localstack/launch"
)

// preflightFiles are what scripts/preflight.sh reads.
var preflightFiles = []string{"scripts/preflight.sh", "scripts/python-env.sh", "requirements.txt", "Makefile"}

// bareBin is a PATH directory with bash only: no go, python3, node or npm.
func bareBin(t *testing.T) string {
	t.Helper()
	bash := "/bin/bash"
	if _, err := os.Stat(bash); err != nil {
		t.Fatal("bash is missing at /bin/bash")
	}
	bin := t.TempDir()
	if err := os.Symlink(bash, filepath.Join(bin, "bash")); err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestPreflight_NamesEachMissingPrerequisiteOnce(t *testing.T) {
	dir := sandbox(t, preflightFiles...)
	env := []string{"PATH=" + bareBin(t), "CHROMIUM=/nonexistent/chromium", "GO="}
	for _, tc := range []struct {
		target string
		want   []string
	}{
		{"local", []string{"Go is missing", "Python 3 is missing"}},
		{"test", []string{"Go is missing", "Python 3 is missing", "Node.js 20 or later with npm is missing", "Chromium is missing at /nonexistent/chromium"}},
	} {
		t.Run(tc.target, func(t *testing.T) {
			r := run(t, dir, env, "/bin/bash", "scripts/preflight.sh", tc.target)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
			}
			got := messages(r.stderr, "make "+tc.target+": ")
			if len(got) != len(tc.want) || strings.Count(r.stderr, "\n") != len(tc.want) {
				t.Fatalf("want %d messages, one line each (%q), got:\n%s", len(tc.want), tc.want, r.stderr)
			}
			for i, want := range tc.want {
				if !strings.Contains(got[i], want) {
					t.Errorf("message %d = %q, want it to say %q", i, got[i], want)
				}
			}
		})
	}
}

// freePort is a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	port, err := launch.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// holdPort listens on a loopback port until the test ends, as another program would.
func holdPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// holdStateDir takes STATE_DIR's lock as a running cmd/local holds it (internal/localstack/state.go).
func holdStateDir(t *testing.T, dir string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, ".lock"), "", 0o644)
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
}

// `make local` stops on a taken port or a running stack before it compiles anything: the sandbox
// has no Go code, so reaching the build would print the build's line and go's errors.
func TestMakeLocal_TakenPortOrRunningStackStopsBeforeCompiling(t *testing.T) {
	dir := sandbox(t, preflightFiles...)
	stateDir := filepath.Join(dir, "state")
	api, cognito, web := freePort(t), freePort(t), freePort(t)
	taken := holdPort(t)
	for _, tc := range []struct {
		name   string
		args   []string
		locked bool
		want   string
	}{
		{"api port", []string{"API_PORT=" + strconv.Itoa(taken)}, false,
			"API port 127.0.0.1:" + strconv.Itoa(taken) + " is taken or cannot be bound (Address already in use): stop what uses it or choose another with make local API_PORT=<port>"},
		{"cognito port", []string{"COGNITO_PORT=" + strconv.Itoa(taken)}, false, "Cognito emulator port 127.0.0.1:" + strconv.Itoa(taken) + " is taken"},
		{"web port", []string{"WEB_PORT=" + strconv.Itoa(taken)}, false, "make local WEB_PORT=<port> (WEB_PORT=0 turns the page off)"},
		// The running stack holds its ports too: only the cause is named.
		{"running stack", []string{"API_PORT=" + strconv.Itoa(taken)}, true,
			"state directory " + stateDir + " is in use by another local stack: stop it, or give this one its own with make local STATE_DIR=<dir>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.locked {
				holdStateDir(t, stateDir)
			}
			args := append([]string{"--no-print-directory", "local", "API_PORT=" + strconv.Itoa(api), "COGNITO_PORT=" + strconv.Itoa(cognito),
				"WEB_PORT=" + strconv.Itoa(web), "STATE_DIR=" + stateDir}, tc.args...)
			r := run(t, dir, []string{"PATH=" + projectPath(t)}, "make", args...)
			if r.code == 0 {
				t.Fatalf("make local succeeded:\n%s%s", r.stdout, r.stderr)
			}
			got := messages(r.stderr, "make local: ")
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Fatalf("want one message saying %q, got:\n%s", tc.want, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, "building the local stack") || strings.Contains(r.stdout+r.stderr, "go build") {
				t.Fatalf("make local reached the build:\n%s%s", r.stdout, r.stderr)
			}
		})
	}
}

func TestPreflightLocal_FreePortsAndNoStackPass(t *testing.T) {
	dir := sandbox(t, preflightFiles...)
	env := []string{"PATH=" + projectPath(t), "API_PORT=" + strconv.Itoa(freePort(t)), "COGNITO_PORT=" + strconv.Itoa(freePort(t)),
		"WEB_PORT=0", "STATE_DIR=" + filepath.Join(dir, "state")}
	// A stack that stopped leaves its .lock behind, unlocked: that is no running stack.
	writeFile(t, filepath.Join(dir, "state", ".lock"), "", 0o644)
	if r := run(t, dir, env, "scripts/preflight.sh", "local"); r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, want 0 and silence:\n%s", r.code, r.stderr)
	}
}
