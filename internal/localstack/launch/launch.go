// Package launch runs the cmd/local binary as `make local` does, on free loopback ports, for the
// end-to-end tests and the benchmarks: one way to start the stack, wait for it and stop it.
package launch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/localstack"
)

// readyTimeout bounds a start: translation and the functions' builds (a minute when the Go
// build cache is cold, seconds when warm).
const readyTimeout = 5 * time.Minute

// Stack is a running cmd/local process.
type Stack struct {
	Out                  localstack.Outputs
	APIPort, CognitoPort int
	StateDir             string

	cmd     *exec.Cmd
	done    chan struct{}
	exitErr error
	stopped bool
}

// Start runs bin (a build of cmd/local) against the templates under root, its state in stateDir, its
// output to output and extra flags (such as -parameter-overrides) after the others, and waits for
// outputs.json, the stack's readiness signal: at most 5 minutes, since the first start on a machine
// compiles the functions.
func Start(ctx context.Context, bin, root, stateDir string, output io.Writer, extra ...string) (*Stack, error) {
	apiPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	cognitoPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	s := &Stack{APIPort: apiPort, CognitoPort: cognitoPort, StateDir: stateDir, done: make(chan struct{})}
	args := []string{"-api-port", strconv.Itoa(apiPort), "-cognito-port", strconv.Itoa(cognitoPort), "-root", root, "-state-dir", stateDir}
	s.cmd = exec.Command(bin, append(args, extra...)...)
	s.cmd.Stdout, s.cmd.Stderr = output, output
	s.cmd.SysProcAttr = procAttr()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.exitErr = s.cmd.Wait(); close(s.done) }()

	path := filepath.Join(stateDir, "outputs.json")
	deadline := time.Now().Add(readyTimeout)
	for {
		if raw, err := os.ReadFile(path); err == nil {
			if err := json.Unmarshal(raw, &s.Out); err != nil {
				s.Kill()
				return nil, fmt.Errorf("outputs.json: %w", err)
			}
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("cmd/local exited before it was ready: %v", s.exitErr)
		case <-ctx.Done():
			s.Kill()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Kill()
			return nil, fmt.Errorf("cmd/local not ready after %s", readyTimeout)
		}
	}
}

// Stop sends SIGTERM and waits for a clean exit: at most 15 s, then SIGKILL and an error. An exit
// status other than 0 after SIGTERM is an error too. Stopping twice is a no-op.
func (s *Stack) Stop() error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("cmd/local did not stop within 15s of SIGTERM")
	}
	if s.exitErr != nil {
		return fmt.Errorf("cmd/local exited with %v after SIGTERM", s.exitErr)
	}
	return nil
}

// PID is the cmd/local process id.
func (s *Stack) PID() int { return s.cmd.Process.Pid }

// Kill ends the process at once, for failures.
func (s *Stack) Kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
	s.stopped = true
}

// Admin is an administrator's Cognito client for the stack's emulator, SigV4-signed with dummy
// credentials (the emulator requires a signature, as Cognito does, and accepts any local key).
func (s *Stack) Admin() *cip.Client {
	return cip.New(cip.Options{
		Region:       s.Out.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(s.Out.CognitoUrl),
	})
}

// CreateUser makes a confirmed user with a verified email and a permanent password.
func (s *Stack) CreateUser(ctx context.Context, email, password string) error {
	c := s.Admin()
	_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(s.Out.UserPoolId), Username: aws.String(email), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	})
	if err != nil {
		return fmt.Errorf("AdminCreateUser: %w", err)
	}
	_, err = c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(s.Out.UserPoolId), Username: aws.String(email), Password: aws.String(password), Permanent: true,
	})
	if err != nil {
		return fmt.Errorf("AdminSetUserPassword: %w", err)
	}
	return nil
}

// FreePort returns a TCP port on 127.0.0.1 that nothing listened on a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
