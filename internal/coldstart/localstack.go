package coldstart

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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
)

// Outputs are the contract's stack output keys, as the local stack writes them to outputs.json.
// The field names are the keys.
type Outputs struct {
	ApiUrl, UserPoolId, UserPoolArn, UserPoolClientId, CognitoUrl, Region string
}

// LocalStack is a running cmd/local (moto plus the gateway), as internal/e2e starts it.
type LocalStack struct {
	Out  Outputs
	Log  string // where its output goes
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// StartLocal runs the cmd/local binary on free loopback ports and waits, at most 60 s, for outputs.json.
func StartLocal(ctx context.Context, bin, root, stateDir string) (*LocalStack, error) {
	apiPort, err := freePort()
	if err != nil {
		return nil, err
	}
	cognitoPort, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(stateDir, "local.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	s := &LocalStack{Log: logPath, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "-api-port", strconv.Itoa(apiPort), "-cognito-port", strconv.Itoa(cognitoPort),
		"-root", root, "-state-dir", stateDir)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	s.cmd.SysProcAttr = procAttr()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()

	path := filepath.Join(stateDir, "outputs.json")
	deadline := time.Now().Add(60 * time.Second)
	for {
		if raw, err := os.ReadFile(path); err == nil {
			if err := json.Unmarshal(raw, &s.Out); err != nil {
				_ = s.Stop()
				return nil, fmt.Errorf("outputs.json: %w", err)
			}
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("cmd/local exited before it was ready: %v (log: %s)", s.err, logPath)
		case <-ctx.Done():
			_ = s.Stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = s.Stop()
			return nil, fmt.Errorf("cmd/local not ready after 60s (log: %s)", logPath)
		}
	}
}

// Stop sends SIGTERM and waits for the stack to stop (at most 15 s, then SIGKILL).
func (s *LocalStack) Stop() error {
	select {
	case <-s.done:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("cmd/local did not stop within 15s of SIGTERM")
	}
}

// CreateUser makes a confirmed user with a permanent password in the stack's pool.
func (s *LocalStack) CreateUser(ctx context.Context, email, password string) error {
	c := cip.New(cip.Options{
		Region:       s.Out.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""), // moto takes any
		BaseEndpoint: aws.String(s.Out.CognitoUrl),
	})
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

// Login signs in through the API's POST /login and returns the ID token.
func (s *LocalStack) Login(ctx context.Context, email, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Out.ApiUrl+"/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		return "", fmt.Errorf("POST /login: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var out struct {
		IDToken string `json:"id_token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil || out.IDToken == "" {
		return "", fmt.Errorf("POST /login: status %d", resp.StatusCode) // the body holds tokens: not shown
	}
	return out.IDToken, nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
