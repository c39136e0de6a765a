// Package cognitotest runs the project's one Cognito emulation (internal/emulator/cognito) in the
// test's process, on a free loopback port, with a user pool and app client made as the auth and API
// stacks make them, the real AWS SDK client pointed at it, and fault injection for the callers'
// error handling.
package cognitotest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/localstack/launch"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/emulator/cognito"
	"github.com/example/cognito-sam-go/internal/testlog"
)

// Region is the region of the emulated pools.
const Region = "us-east-1"

// Stack is a running emulation with one pool and one public app client.
type Stack struct {
	URL      string // http://127.0.0.1:<port>: what AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER points at
	Region   string
	PoolID   string
	ClientID string
	Client   *cip.Client // the real SDK client, SigV4-signed with dummy local credentials
	Emulator *cognito.Emulator

	mailbox string
	faults  *faults
	logs    *testlog.Buffer
}

// Call is one call the emulation received: for tests of the wire format, its head and body as sent.
type Call struct {
	Operation string
	Header    http.Header
	Body      []byte
}

// Option changes how Start sets the emulation up.
type Option func(*config)

type config struct {
	now      func() time.Time
	quota    int
	stateDir string
	hashes   int
}

// WithClock gives the emulation a clock (lockout back-off, code and session expiry, token lifetimes).
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithMailQuota sets the daily email quota (Cognito's COGNITO_DEFAULT sender: 50).
func WithMailQuota(n int) Option { return func(c *config) { c.quota = n } }

// WithStateDir keeps the state in dir, so that a second Start with the same dir is a restart: it
// finds the pool and client the first made instead of making new ones.
func WithStateDir(dir string) Option { return func(c *config) { c.stateDir = dir } }

// WithHashIterations sets PBKDF2's iteration count for new password hashes (default the emulation's
// own): a timing test lowers it, so that hashing under -race on a loaded machine does not drown what
// it measures.
func WithHashIterations(n int) Option { return func(c *config) { c.hashes = n } }

// Start runs the emulation until the test ends.
func Start(t testing.TB, opts ...Option) *Stack {
	t.Helper()
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	mailDir := cfg.stateDir
	if mailDir == "" {
		mailDir = t.TempDir()
	}
	s := &Stack{Region: Region, mailbox: filepath.Join(mailDir, "mail.jsonl"), logs: &testlog.Buffer{},
		faults: &faults{reply: map[string]reply{}, stall: map[string]bool{}}}
	em, err := cognito.New(cognito.Options{Region: Region, StateDir: cfg.stateDir, Mailbox: s.mailbox,
		MailQuota: cfg.quota, Now: cfg.now, HashIterations: cfg.hashes, Logger: slog.New(slog.NewJSONHandler(s.logs, nil))})
	if err != nil {
		t.Fatalf("cognitotest: %v", err)
	}
	s.Emulator = em
	s.faults.next = em
	srv, err := cognito.Listen(s.faults, "127.0.0.1:0", slog.New(slog.NewJSONHandler(s.logs, nil)))
	if err != nil {
		em.Close()
		t.Fatalf("cognitotest: %v", err)
	}
	t.Cleanup(func() {
		s.faults.stop()
		srv.Close()
		em.Close()
	})
	s.URL = srv.URL
	s.Client = cip.New(cip.Options{Region: Region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	if err := s.provision(cfg.stateDir != ""); err != nil {
		t.Fatalf("cognitotest: provision the pool: %v", err)
	}
	return s
}

// provision makes the pool as auth-stack/template.yaml declares it and the client as
// api-stack/template.yaml does, or, on a restart, finds them.
func (s *Stack) provision(reuse bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if reuse {
		pools, err := s.Client.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
		if err != nil {
			return err
		}
		if len(pools.UserPools) > 0 {
			s.PoolID = aws.ToString(pools.UserPools[0].Id)
			clients, err := s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &s.PoolID})
			if err != nil {
				return err
			}
			if len(clients.UserPoolClients) == 0 {
				return errors.New("the state holds a pool without a client")
			}
			s.ClientID = aws.ToString(clients.UserPoolClients[0].ClientId)
			return nil
		}
	}
	pool, err := s.Client.CreateUserPool(ctx, PoolInput("cognitotest-users"))
	if err != nil {
		return err
	}
	s.PoolID = aws.ToString(pool.UserPool.Id)
	if _, err := s.Client.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &s.PoolID, Domain: aws.String("cognitotest")}); err != nil {
		return err
	}
	client, err := s.Client.CreateUserPoolClient(ctx, ClientInput(s.PoolID))
	if err != nil {
		return err
	}
	s.ClientID = aws.ToString(client.UserPoolClient.ClientId)
	return nil
}

// PoolInput is the auth stack's AWS::Cognito::UserPool properties (auth-stack/template.yaml) as a
// CreateUserPool call; a test in this package checks that they match the template.
func PoolInput(name string) *cip.CreateUserPoolInput {
	return &cip.CreateUserPoolInput{
		PoolName:               aws.String(name),
		UserPoolTier:           types.UserPoolTierTypeLite,
		DeletionProtection:     types.DeletionProtectionTypeInactive,
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		UsernameConfiguration:  &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		VerificationMessageTemplate: &types.VerificationMessageTemplateType{
			DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithLink,
		},
		EmailConfiguration: &types.EmailConfigurationType{EmailSendingAccount: types.EmailSendingAccountTypeCognitoDefault},
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(12), RequireLowercase: true, RequireUppercase: true, RequireNumbers: true,
			RequireSymbols: true, TemporaryPasswordValidityDays: 7,
		}},
		AccountRecoverySetting: &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)},
		}},
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: false},
		MfaConfiguration:      types.UserPoolMfaTypeOff,
	}
}

// ClientInput is the API stack's AWS::Cognito::UserPoolClient properties (api-stack/template.yaml)
// as a CreateUserPoolClient call.
func ClientInput(poolID string) *cip.CreateUserPoolClientInput {
	return &cip.CreateUserPoolClientInput{
		UserPoolId:                 aws.String(poolID),
		ClientName:                 aws.String("cognitotest-api"),
		GenerateSecret:             false,
		SupportedIdentityProviders: []string{"COGNITO"},
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		EnableTokenRevocation:      aws.Bool(true),
		IdTokenValidity:            aws.Int32(60),
		AccessTokenValidity:        aws.Int32(60),
		RefreshTokenValidity:       30,
		TokenValidityUnits: &types.TokenValidityUnitsType{IdToken: types.TimeUnitsTypeMinutes,
			AccessToken: types.TimeUnitsTypeMinutes, RefreshToken: types.TimeUnitsTypeDays},
		AuthSessionValidity: aws.Int32(3),
	}
}

// Mail is every message the pool has sent so far, oldest first.
func (s *Stack) Mail(t testing.TB) []cognito.Message {
	t.Helper()
	msgs, err := cognito.ReadMailbox(s.mailbox)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("cognitotest: read the mailbox: %v", err)
	}
	return msgs
}

// ConfirmedUser creates a CONFIRMED user with a verified email (the username) and that permanent password.
func (s *Stack) ConfirmedUser(t testing.TB, username, password string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: &s.PoolID, Username: &username, MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(username)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	})
	if err != nil {
		t.Fatalf("cognitotest: AdminCreateUser %s: %v", username, err)
	}
	_, err = s.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: &s.PoolID, Username: &username, Password: &password, Permanent: true,
	})
	if err != nil {
		t.Fatalf("cognitotest: AdminSetUserPassword %s: %v", username, err)
	}
}

// ReplyNext answers the next call of op with exactly status and body instead of the emulation's answer.
func (s *Stack) ReplyNext(op string, status int, body string) { s.ReplyNextN(op, 1, status, body) }

// ReplyNextN answers the next n calls of op so, retries included: a Cognito that keeps throttling or
// failing, which one injected answer cannot show to a client that retries.
func (s *Stack) ReplyNextN(op string, n, status int, body string) {
	if n < 1 {
		panic("cognitotest: ReplyNextN needs n >= 1")
	}
	s.setReply(op, reply{status, body, n})
}

// ReplyAlways answers every call of op so from now on, for benchmarks of a caller's own cost.
func (s *Stack) ReplyAlways(op string, status int, body string) {
	s.setReply(op, reply{status, body, 0})
}

func (s *Stack) setReply(op string, r reply) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.reply[op] = r
}

// StallNext gives the next call of op no answer until the caller's request ends (or the test does).
func (s *Stack) StallNext(op string) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.stall[op] = true
}

// Calls is every call received so far, in order.
func (s *Stack) Calls() []Call {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return append([]Call(nil), s.faults.calls...)
}

type reply struct {
	status int
	body   string
	left   int // calls it still answers; 0: every call
}

// faults records calls and injects the faults asked for before the emulation sees a call.
type faults struct {
	next http.Handler

	mu      sync.Mutex
	calls   []Call
	reply   map[string]reply
	stall   map[string]bool
	stopped chan struct{}
	once    sync.Once
}

func (f *faults) stop() {
	f.mu.Lock()
	if f.stopped == nil {
		f.stopped = make(chan struct{})
	}
	f.mu.Unlock()
	f.once.Do(func() { close(f.stopped) })
}

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "AWSCognitoIdentityProviderService."
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || len(target) <= len(prefix) {
		f.next.ServeHTTP(w, r)
		return
	}
	op := target[len(prefix):]
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, Call{Operation: op, Header: r.Header.Clone(), Body: body})
	rep, replied := f.reply[op]
	switch {
	case rep.left == 1:
		delete(f.reply, op)
	case rep.left > 1:
		f.reply[op] = reply{rep.status, rep.body, rep.left - 1}
	}
	stall := f.stall[op]
	delete(f.stall, op)
	if f.stopped == nil {
		f.stopped = make(chan struct{})
	}
	stopped := f.stopped
	f.mu.Unlock()
	switch {
	case stall:
		select {
		case <-r.Context().Done():
		case <-stopped:
		}
		return
	case replied:
		cognito.SetRequestID(w.Header())
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
		return
	}
	r.Body = io.NopCloser(bytesReader(body))
	f.next.ServeHTTP(w, r)
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// TemporaryUser creates a user (email = username, verified) with a temporary password and no message
// sent: the user must choose a new password at first sign-in (NEW_PASSWORD_REQUIRED).
func (s *Stack) TemporaryUser(t testing.TB, username, temporaryPassword string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: &s.PoolID, Username: &username, TemporaryPassword: &temporaryPassword,
		MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(username)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	})
	if err != nil {
		t.Fatalf("cognitotest: AdminCreateUser %s: %v", username, err)
	}
}

// Env is the environment that points the SDK's default configuration at the emulation with dummy
// credentials and no shared config files (dir holds the empty ones).
func (s *Stack) Env(dir string) map[string]string { return EnvFor(s.URL, dir) }

// EnvFor is Env for any Cognito URL (ClosedURL for an unreachable one).
func EnvFor(url, dir string) map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": url,
		"AWS_REGION":                  Region,
		"AWS_ACCESS_KEY_ID":           "local",
		"AWS_SECRET_ACCESS_KEY":       "local",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
}

// ClosedURL is an http URL on a loopback port nothing listens on.
func ClosedURL(t testing.TB) string {
	t.Helper()
	port, err := launch.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

// Log is every line the emulation has logged so far (JSON), for tests that check what never appears in it.
func (s *Stack) Log() string { return s.logs.String() }

// Clock is a settable clock for WithClock: tests advance it past a lockout, a code's or a session's
// lifetime.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock at the current time.
func NewClock() *Clock { return &Clock{t: time.Now()} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
