package e2e_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLocalStack_SIGTERMStopsEverythingItStarted(t *testing.T) {
	s := startStack(t)
	if !listening(s.APIPort) || !listening(s.CognitoPort) {
		t.Fatal("stack is not listening on its ports after start")
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	// Give the kernel a moment to release the sockets.
	deadline := time.Now().Add(5 * time.Second)
	for listening(s.APIPort) || listening(s.CognitoPort) {
		if time.Now().After(deadline) {
			t.Fatalf("still listening after stop: api %v, cognito %v", listening(s.APIPort), listening(s.CognitoPort))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestLocalStack_TakenPortIsAClearError(t *testing.T) {
	bin := localBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := ln.Addr().(*net.TCPAddr).Port
	for _, tc := range []struct{ name, flag, variable string }{
		{"api port", "-api-port", "API_PORT"},
		{"cognito port", "-cognito-port", "COGNITO_PORT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-root", "../..", "-state-dir", t.TempDir(), "-api-port", strconv.Itoa(freePort(t)), "-cognito-port", strconv.Itoa(freePort(t))}
			args = append(args, tc.flag, strconv.Itoa(taken))
			out, err := exec.Command(bin, args...).CombinedOutput()
			if err == nil {
				t.Fatalf("cmd/local started on a taken port:\n%s", out)
			}
			if !strings.Contains(string(out), "is taken") || !strings.Contains(string(out), tc.variable) {
				t.Fatalf("message does not say the port is taken and how to choose another:\n%s", out)
			}
			if n := strings.Count(string(out), "is taken"); n != 1 {
				t.Fatalf("the error is printed %d times, want once:\n%s", n, out)
			}
		})
	}
}

// A Cognito state the emulator cannot read stops the stack before it serves, naming the emulator and
// the way out, rather than starting half-alive with no users.
func TestLocalStack_UnreadableCognitoStateStopsNamingTheEmulator(t *testing.T) {
	bin := localBinary(t)
	state := t.TempDir()
	if err := os.MkdirAll(filepath.Join(state, "cognito"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "cognito", "journal.jsonl"), []byte("not json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-root", "../..", "-state-dir", state,
		"-api-port", strconv.Itoa(freePort(t)), "-cognito-port", strconv.Itoa(freePort(t)))
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("cmd/local started on a state it cannot read:\n%s", out)
	}
	if !strings.Contains(string(out), "Cognito emulator") || !strings.Contains(string(out), "make local-reset") {
		t.Fatalf("message does not name the Cognito emulator and make local-reset:\n%s", out)
	}
}
