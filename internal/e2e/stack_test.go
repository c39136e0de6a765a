package e2e_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
	"github.com/example/cognito-sam-go/internal/localstack/launch"
	"github.com/example/cognito-sam-go/internal/testlog"
)

// stack is a running cmd/local process and everything it has printed.
type stack struct {
	*launch.Stack
	logs *testlog.Buffer
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// localBinary builds cmd/local once per test run.
func localBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "e2e-local-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "local")
		out, err := exec.Command("go", "build", "-race", "-o", binPath, "../../cmd/local").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/local: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// start runs cmd/local with a fresh state directory, its output kept in memory, and extra flags.
func start(bin string, extra ...string) (*stack, error) {
	stateDir, err := os.MkdirTemp("", "e2e-state-")
	if err != nil {
		return nil, err
	}
	logs := &testlog.Buffer{}
	ls, err := launch.Start(context.Background(), bin, "../..", stateDir, logs, extra...)
	if err != nil {
		os.RemoveAll(stateDir)
		return nil, fmt.Errorf("%w\n%s", err, logs.String())
	}
	return &stack{Stack: ls, logs: logs}, nil
}

// startStack launches a stack of the test's own with extra cmd/local flags, stopped when the test ends.
func startStack(t testing.TB, extra ...string) *stack {
	t.Helper()
	s, err := start(localBinary(t), extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
	})
	return s
}

var (
	sharedOnce sync.Once
	sharedStk  *stack
	sharedErr  error
)

// sharedStack is one stack for the tests that do not stop or break it; TestMain stops it.
func sharedStack(t testing.TB) *stack {
	t.Helper()
	bin := localBinary(t)
	sharedOnce.Do(func() { sharedStk, sharedErr = start(bin) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedStk
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedStk != nil {
		if err := sharedStk.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: stopping the shared local stack:", err)
			code = 1
		}
	}
	for _, bin := range []string{binPath, benchBin} {
		if bin != "" {
			os.RemoveAll(filepath.Dir(bin))
		}
	}
	os.Exit(code)
}

// stop stops the stack (see launch.Stack.Stop) and removes its state directory.
func (s *stack) stop() error {
	defer os.RemoveAll(s.StateDir)
	if err := s.Stop(); err != nil {
		return fmt.Errorf("%w:\n%s", err, s.logs.String())
	}
	return nil
}

// createUser makes a confirmed user with a permanent password.
func (s *stack) createUser(t testing.TB, email, password string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.CreateUser(ctx, email, password); err != nil {
		t.Fatal(err)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	port, err := launch.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// listening reports whether anything accepts connections on 127.0.0.1:port.
func listening(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 500*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// signingKey is the local Cognito's signing key, which the emulator keeps in its state directory
// (<STATE_DIR>/cognito/keys.pem, the RSA key first), with the kid its JWKS names: tokens with chosen
// claims signed by it are genuine to the stack's authorizer.
func (s *stack) signingKey(t testing.TB) authtest.Key {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(s.StateDir, "cognito", "keys.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		t.Fatal("cognito/keys.pem holds no PEM block")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpClient.Get(s.Out.CognitoUrl + "/" + s.Out.UserPoolId + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil || len(jwks.Keys) != 1 {
		t.Fatalf("the pool's JWKS: %v (%d keys, want 1)", err, len(jwks.Keys))
	}
	return authtest.Key{ID: jwks.Keys[0].Kid, Private: key}
}
