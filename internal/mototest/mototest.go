// Package mototest starts moto's server (an emulated Cognito) for tests, on a free loopback port, and
// provisions a user pool and a public app client in it. Tests that use it fail, never skip, when
// moto_server is not installed: the Cognito behaviour they check is not optional.
package mototest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/example/cognito-sam-go/internal/localstack"
)

// NotFound is the failure message when moto_server is not on PATH.
const NotFound = "moto_server not found: pip install 'moto[server]'"

// Region is the region the tests' clients name; moto keeps one backend per region.
const Region = "us-east-1"

// Server is a running moto_server.
type Server struct {
	URL string // http://127.0.0.1:<port>

	mu  sync.Mutex
	log bytes.Buffer
}

// Output is what moto_server has written so far, for failure messages.
func (s *Server) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

type lockedWriter struct{ s *Server }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.log.Write(p)
}

// Start runs moto_server on a free loopback port until the test ends. It fails the test when
// moto_server is missing or does not answer within 30 seconds.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Fatal(NotFound)
	}
	// A free port can be taken by someone else between our probe and moto's bind: try a few.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := start(t, bin)
		if err == nil {
			return s
		}
		lastErr = err
	}
	t.Fatalf("moto_server did not start: %v", lastErr)
	return nil
}

func start(t testing.TB, bin string) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	s := &Server{}
	m, err := localstack.StartMoto(context.Background(), bin, "127.0.0.1", port, lockedWriter{s})
	if err != nil {
		return nil, fmt.Errorf("port %d: %w: %s", port, err, s.Output())
	}
	s.URL = m.URL
	t.Cleanup(m.Stop)
	return s, nil
}

// FreePort returns a TCP port on 127.0.0.1 that nothing listened on a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ClosedURL returns an http URL on a loopback port that nothing listens on.
func ClosedURL(t testing.TB) string {
	t.Helper()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

// Env is the environment that points the SDK's default configuration at the server with dummy
// credentials and no shared config files.
func (s *Server) Env(dir string) map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": s.URL,
		"AWS_REGION":                  Region,
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             dir + "/aws-config",
		"AWS_SHARED_CREDENTIALS_FILE": dir + "/aws-credentials",
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
}

// Client is an administrator's Cognito client for the server, with dummy credentials.
func (s *Server) Client() *cip.Client {
	return cip.New(cip.Options{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(s.URL),
	})
}

// Pool is a user pool with a public app client.
type Pool struct {
	ID       string
	ClientID string
}

// CreatePool creates a user pool with the auth stack's password policy (12 characters, upper, lower,
// digit and symbol), email as the username, and a public client that allows USER_PASSWORD_AUTH.
func (s *Server) CreatePool(t testing.TB) Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := s.Client()
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:           aws.String(t.Name()),
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength:    aws.Int32(12),
			RequireLowercase: true,
			RequireUppercase: true,
			RequireNumbers:   true,
			RequireSymbols:   true,
		}},
	})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	client, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId:        pool.UserPool.Id,
		ClientName:        aws.String("public"),
		GenerateSecret:    false,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return Pool{ID: aws.ToString(pool.UserPool.Id), ClientID: aws.ToString(client.UserPoolClient.ClientId)}
}

// CreateUser creates username in the pool with a temporary password and no message sent: the user
// must choose a new password at first sign-in (NEW_PASSWORD_REQUIRED).
func (s *Server) CreateUser(t testing.TB, poolID, username, temporaryPassword string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.Client().AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:        aws.String(poolID),
		Username:          aws.String(username),
		TemporaryPassword: aws.String(temporaryPassword),
		MessageAction:     types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(username)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
}

// SetPassword gives username a permanent password.
func (s *Server) SetPassword(t testing.TB, poolID, username, password string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.Client().AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(poolID),
		Username:   aws.String(username),
		Password:   aws.String(password),
		Permanent:  true,
	})
	if err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
}
