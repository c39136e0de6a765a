package cognito_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/example/cognito-sam-go/internal/emulator/cognito"
	"github.com/example/cognito-sam-go/internal/mototest"
	"github.com/example/cognito-sam-go/internal/testlog"
)

const (
	goodPassword  = "Correct-Horse-9"
	otherPassword = "Battery-Staple-7"
	tempPassword  = "Temporary-Pass-1"
)

// clock is a settable clock for session and code expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a moto_server, a Front before it served by httptest on loopback, and SDK clients.
type env struct {
	moto    *mototest.Server
	front   *cognito.Front
	url     string
	api     *cip.Client // the SDK pointed at the Front, as the login function uses it
	admin   *cip.Client // the SDK pointed at moto directly
	mailbox string
	mailOut *testlog.Buffer
	logs    *testlog.Buffer
	clock   *clock
}

// shared is the moto_server every test of the package uses; tests keep apart by pool.
var shared *mototest.Server

// TestMain starts one moto_server for the package (starting one takes seconds) and stops it after.
func TestMain(m *testing.M) {
	if _, err := exec.LookPath("moto_server"); err != nil {
		fmt.Fprintln(os.Stderr, mototest.NotFound)
		os.Exit(1)
	}
	port, err := mototest.FreePort()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := &testlog.Buffer{}
	moto, err := cognito.StartMoto(context.Background(), "moto_server", port, out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "moto_server: %v\n%s", err, out)
		os.Exit(1)
	}
	shared = &mototest.Server{URL: moto.URL}
	code := m.Run()
	moto.Stop()
	os.Exit(code)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	m := shared
	e := &env{moto: m, admin: m.Client(), mailOut: &testlog.Buffer{}, logs: &testlog.Buffer{},
		clock: &clock{t: time.Now()}, mailbox: filepath.Join(t.TempDir(), "mail.jsonl")}
	mail, err := cognito.OpenMailbox(e.mailbox, e.mailOut)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mail.Close() })
	e.front, err = cognito.NewFront(cognito.Config{MotoURL: m.URL, Region: mototest.Region, Mail: mail, Now: e.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(e.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.front)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.api = cip.New(cip.Options{Region: mototest.Region, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	return e
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// createPool creates a pool configured as the auth stack's: email as username, confirmation by
// link, resets to the verified email, the stack's password policy.
func (e *env) createPool(t *testing.T, adminOnly bool) string {
	t.Helper()
	out, err := e.admin.CreateUserPool(ctx(t), &cip.CreateUserPoolInput{
		PoolName:               aws.String(strings.ReplaceAll(t.Name(), "/", "-")),
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		VerificationMessageTemplate: &types.VerificationMessageTemplateType{
			DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithLink,
		},
		AccountRecoverySetting: &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)},
		}},
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: adminOnly},
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(12), RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true,
		}},
	})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	return aws.ToString(out.UserPool.Id)
}

// createClient creates a public client allowing password and refresh auth, changed by set.
func (e *env) createClient(t *testing.T, poolID string, set func(*cip.CreateUserPoolClientInput)) string {
	t.Helper()
	in := &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientName: aws.String("public"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	}
	if set != nil {
		set(in)
	}
	out, err := e.admin.CreateUserPoolClient(ctx(t), in)
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return aws.ToString(out.UserPoolClient.ClientId)
}

func preventExistence(in *cip.CreateUserPoolClientInput) {
	in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
}

// confirmedUser creates a confirmed user with a verified email and goodPassword.
func (e *env) confirmedUser(t *testing.T, poolID, email string) {
	t.Helper()
	e.moto.CreateUser(t, poolID, email, tempPassword)
	e.moto.SetPassword(t, poolID, email, goodPassword)
}

func (e *env) login(t *testing.T, clientID, email, password string) (*cip.InitiateAuthOutput, error) {
	t.Helper()
	return e.api.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
}

func (e *env) status(t *testing.T, poolID, email string) types.UserStatusType {
	t.Helper()
	out, err := e.admin.AdminGetUser(ctx(t), &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(email)})
	if err != nil {
		t.Fatalf("AdminGetUser: %v", err)
	}
	return out.UserStatus
}

func (e *env) mail(t *testing.T) []cognito.Message {
	t.Helper()
	msgs, err := cognito.ReadMailbox(e.mailbox)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// lastMail is the newest message of kind to address.
func (e *env) lastMail(t *testing.T, kind, to string) cognito.Message {
	t.Helper()
	msgs := e.mail(t)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Kind == kind && msgs[i].To == to {
			return msgs[i]
		}
	}
	t.Fatalf("no %s mail to %s in %v", kind, to, msgs)
	return cognito.Message{}
}

// wantAPIError checks that err is Cognito's error code (and message, when not empty) as the SDK
// decodes it; code "" means success.
func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || (message != "" && ae.ErrorMessage() != message) {
		t.Fatalf("want %s %q, got %s %q", code, message, ae.ErrorCode(), ae.ErrorMessage())
	}
}
