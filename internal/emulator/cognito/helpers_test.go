package cognito_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/example/cognito-sam-go/internal/emulator/cognito"
	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
	"github.com/example/cognito-sam-go/internal/testlog"
)

const (
	goodPassword  = "Correct-Horse-9x"
	otherPassword = "Battery-Staple-7x"
	tempPassword  = "Temporary-Pass-1x"
)

// env is an emulator served by httptest on loopback and SDK clients for it.
type env struct {
	em      *cognito.Emulator
	users   users // AdminCreateUser / AdminSetUserPassword through the emulator's own API
	url     string
	api     *cip.Client // the SDK, as the login function uses it
	admin   *cip.Client // the same SDK, for the administrator's calls
	mailbox string
	mailOut *testlog.Buffer
	logs    *testlog.Buffer
	clock   *cognitotest.Clock
}

const region = "us-east-1"

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{mailOut: &testlog.Buffer{}, logs: &testlog.Buffer{},
		clock: cognitotest.NewClock(), mailbox: filepath.Join(t.TempDir(), "mail.jsonl")}
	var err error
	e.em, err = cognito.New(cognito.Options{Region: region, Mailbox: e.mailbox, MailOutput: e.mailOut, Now: e.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(e.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.em.Close() })
	srv := httptest.NewServer(e.em)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.api = cip.New(cip.Options{Region: region, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	e.admin = e.api
	e.users = users{e}
	return e
}

// users creates accounts as an administrator does.
type users struct{ e *env }

// CreateUser creates username with a temporary password and no message sent.
func (u users) CreateUser(t *testing.T, poolID, username, temporaryPassword string) {
	t.Helper()
	_, err := u.e.admin.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username), TemporaryPassword: aws.String(temporaryPassword),
		MessageAction: types.MessageActionTypeSuppress,
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
func (u users) SetPassword(t *testing.T, poolID, username, password string) {
	t.Helper()
	_, err := u.e.admin.AdminSetUserPassword(ctx(t), &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username), Password: aws.String(password), Permanent: true,
	})
	if err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
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
	e.users.CreateUser(t, poolID, email, tempPassword)
	e.users.SetPassword(t, poolID, email, goodPassword)
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
