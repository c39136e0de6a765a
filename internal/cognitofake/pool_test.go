package cognitofake_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"

	"github.com/example/cognito-sam-go/internal/cognitofake"
)

const (
	poolClient = "client"
	user       = "u@example.com"
	password   = "Strong-Password-1!"
)

// code is Cognito's error code for err, or "ok".
func code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return "ok"
}

func servePool(t *testing.T, state cognitofake.State) (*cip.Client, *cognitofake.Pool) {
	t.Helper()
	fake := cognitofake.New()
	t.Cleanup(fake.Close)
	pool := cognitofake.NewPool(poolClient)
	if state != 0 {
		pool.AddUser(user, password, state)
	}
	fake.Serve(pool)
	return client(fake.URL), pool
}

// Each operation answers as Cognito does with PreventUserExistenceErrors ENABLED, per state (0: missing).
func TestPool_AnswersPerAccountStateAsCognitoDoes(t *testing.T) {
	ctx := context.Background()
	ops := map[string]func(*cip.Client) error{
		"wrong password": func(c *cip.Client) error {
			_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: "USER_PASSWORD_AUTH", ClientId: aws.String(poolClient),
				AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": "wrong"}})
			return err
		},
		"sign up": func(c *cip.Client) error {
			_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(poolClient), Username: aws.String(user), Password: aws.String(password)})
			return err
		},
		"resend": func(c *cip.Client) error {
			_, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(poolClient), Username: aws.String(user)})
			return err
		},
		"forgot": func(c *cip.Client) error {
			_, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(poolClient), Username: aws.String(user)})
			return err
		},
		"reset without a code": func(c *cip.Client) error {
			_, err := c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(poolClient),
				Username: aws.String(user), ConfirmationCode: aws.String("123456"), Password: aws.String(password)})
			return err
		},
	}
	want := map[string]map[cognitofake.State]string{
		"wrong password": {0: "NotAuthorizedException", cognitofake.Unconfirmed: "UserNotConfirmedException",
			cognitofake.Confirmed: "NotAuthorizedException", cognitofake.Disabled: "NotAuthorizedException",
			cognitofake.ResetRequired: "PasswordResetRequiredException", cognitofake.ForceChangePassword: "NotAuthorizedException"},
		"sign up": {0: "ok", cognitofake.Unconfirmed: "UsernameExistsException", cognitofake.Confirmed: "UsernameExistsException"},
		"resend": {0: "ok", cognitofake.Unconfirmed: "ok", cognitofake.Confirmed: "InvalidParameterException",
			cognitofake.Disabled: "ok", cognitofake.ResetRequired: "InvalidParameterException"},
		"forgot": {0: "ok", cognitofake.Unconfirmed: "ok", cognitofake.Confirmed: "ok", cognitofake.Disabled: "ok",
			cognitofake.ResetRequired: "ok", cognitofake.ForceChangePassword: "NotAuthorizedException"},
		"reset without a code": {0: "CodeMismatchException", cognitofake.Confirmed: "ExpiredCodeException",
			cognitofake.Disabled: "CodeMismatchException", cognitofake.ResetRequired: "ExpiredCodeException"},
	}
	for name, byState := range want {
		for state, wantCode := range byState {
			t.Run(name+"/"+state.String(), func(t *testing.T) {
				c, _ := servePool(t, state)
				if got := code(ops[name](c)); got != wantCode {
					t.Errorf("got %s, want %s", got, wantCode)
				}
			})
		}
	}
}

func TestPool_SignUpDeliversAndRefusesWeakPasswordsAndAdminOnlyPools(t *testing.T) {
	ctx := context.Background()
	c, pool := servePool(t, 0)
	signUp := func(pw string) error {
		_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(poolClient), Username: aws.String(user), Password: aws.String(pw)})
		return err
	}
	if got := code(signUp("short")); got != "InvalidPasswordException" {
		t.Errorf("weak password: %s", got)
	}
	if got := code(signUp(password)); got != "ok" {
		t.Fatalf("sign-up: %s", got)
	}
	if s, _ := pool.UserState(user); s != cognitofake.Unconfirmed {
		t.Errorf("state %v, want unconfirmed", s)
	}
	if out := pool.Outbox(); len(out) != 1 || out[0].Kind != "signup" || out[0].To != user || len(out[0].Code) != 6 {
		t.Errorf("outbox %+v", out)
	}
	pool.AdminCreateUserOnly = true
	if got := code(signUp(password)); got != "NotAuthorizedException" {
		t.Errorf("admin-only pool: %s", got)
	}
}

func TestPool_ForgotAndResendHitAPerAccountLimitOnlyForExistingAccounts(t *testing.T) {
	ctx := context.Background()
	for _, state := range []cognitofake.State{0, cognitofake.Confirmed} {
		c, _ := servePool(t, state)
		var last error
		for range 6 {
			_, last = c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(poolClient), Username: aws.String(user)})
		}
		want := map[cognitofake.State]string{0: "ok", cognitofake.Confirmed: "LimitExceededException"}[state]
		if got := code(last); got != want {
			t.Errorf("%v: sixth ForgotPassword %s, want %s", state, got, want)
		}
	}
}

func TestPool_RevokedRefreshTokenIsRefusedAndOtherTokensCannotBeRevoked(t *testing.T) {
	ctx := context.Background()
	c, _ := servePool(t, cognitofake.Confirmed)
	out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: "USER_PASSWORD_AUTH", ClientId: aws.String(poolClient),
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": password}})
	if err != nil {
		t.Fatal(err)
	}
	refresh := aws.ToString(out.AuthenticationResult.RefreshToken)
	refreshAuth := func() error {
		_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: aws.String(poolClient),
			AuthParameters: map[string]string{"REFRESH_TOKEN": refresh}})
		return err
	}
	revoke := func(token string) error {
		_, err := c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(poolClient), Token: aws.String(token)})
		return err
	}
	if got := code(refreshAuth()); got != "ok" {
		t.Fatalf("refresh before revocation: %s", got)
	}
	if got := code(revoke(refresh)); got != "ok" {
		t.Fatalf("revoke: %s", got)
	}
	if got := code(refreshAuth()); got != "NotAuthorizedException" {
		t.Errorf("refresh after revocation: %s", got)
	}
	if got := code(revoke(aws.ToString(out.AuthenticationResult.AccessToken))); got != "UnsupportedTokenTypeException" {
		t.Errorf("revoking an access token: %s", got)
	}
	if got := code(revoke("never-issued")); got != "UnauthorizedException" {
		t.Errorf("revoking an unknown token: %s", got)
	}
}
