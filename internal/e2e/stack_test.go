package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/example/cognito-sam-go/internal/mototest"
	"github.com/example/cognito-sam-go/internal/testlog"
)

// outputs are the contract's stack output keys.
type outputs struct {
	ApiUrl, UserPoolId, UserPoolArn, UserPoolClientId, CognitoUrl, Region string
}

// stack is a running cmd/local process.
type stack struct {
	out                  outputs
	cmd                  *exec.Cmd
	done                 chan struct{}
	logs                 *testlog.Buffer
	apiPort, cognitoPort int
	stateDir             string
	stopped              bool
	exitErr              error
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
		if _, err := exec.LookPath("moto_server"); err != nil {
			buildErr = errors.New(mototest.NotFound)
			return
		}
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

// launch runs cmd/local on free ports and waits (at most 60 s) until outputs.json is written.
func launch(bin string) (*stack, error) {
	apiPort, err := mototest.FreePort()
	if err != nil {
		return nil, err
	}
	cognitoPort, err := mototest.FreePort()
	if err != nil {
		return nil, err
	}
	stateDir, err := os.MkdirTemp("", "e2e-state-")
	if err != nil {
		return nil, err
	}
	s := &stack{logs: &testlog.Buffer{}, done: make(chan struct{}), apiPort: apiPort, cognitoPort: cognitoPort, stateDir: stateDir}
	s.cmd = exec.Command(bin, "-api-port", strconv.Itoa(apiPort), "-cognito-port", strconv.Itoa(cognitoPort),
		"-root", "../..", "-state-dir", stateDir)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start cmd/local: %w", err)
	}
	go func() { s.exitErr = s.cmd.Wait(); close(s.done) }()

	deadline := time.Now().Add(60 * time.Second)
	path := filepath.Join(stateDir, "outputs.json")
	for {
		raw, err := os.ReadFile(path)
		if err == nil {
			if err := json.Unmarshal(raw, &s.out); err != nil {
				s.kill()
				return nil, fmt.Errorf("outputs.json: %w", err)
			}
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("cmd/local exited before it was ready: %v\n%s", s.exitErr, s.logs.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("cmd/local not ready after 60s:\n%s", s.logs.String())
		}
	}
}

// startStack launches a stack of the test's own, stopped when the test ends.
func startStack(t testing.TB) *stack {
	t.Helper()
	s, err := launch(localBinary(t))
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
	sharedOnce.Do(func() { sharedStk, sharedErr = launch(bin) })
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
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// stop sends SIGTERM and waits for a clean exit (at most 15 s, then SIGKILL and an error).
func (s *stack) stop() error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	defer os.RemoveAll(s.stateDir)
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.kill()
		return errors.New("cmd/local did not stop within 15s of SIGTERM")
	}
	if s.exitErr != nil {
		return fmt.Errorf("cmd/local exited with %v after SIGTERM:\n%s", s.exitErr, s.logs.String())
	}
	return nil
}

func (s *stack) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
	s.stopped = true
	os.RemoveAll(s.stateDir)
}

// admin is a Cognito client for the stack's emulator with dummy credentials.
func (s *stack) admin() *cip.Client {
	return cip.New(cip.Options{
		Region:       s.out.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(s.out.CognitoUrl),
	})
}

// createUser makes a confirmed user with a permanent password.
func (s *stack) createUser(t testing.TB, email, password string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := s.admin()
	_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(s.out.UserPoolId), Username: aws.String(email), MessageAction: "SUPPRESS",
		UserAttributes: attrs("email", email, "email_verified", "true"),
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if password == "" {
		return
	}
	_, err = c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(s.out.UserPoolId), Username: aws.String(email), Password: aws.String(password), Permanent: true,
	})
	if err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	port, err := mototest.FreePort()
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
