package conformance_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

// wantError checks that err is Cognito's error code (and, when message is not empty, its message).
func wantError(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || (message != "" && ae.ErrorMessage() != message) {
		t.Fatalf("want %s %q, got %s %q", code, message, ae.ErrorCode(), ae.ErrorMessage())
	}
}

// "After five failed sign-in attempts with a user's password ... Attempts made during a lockout period
// generate a Password attempts exceeded exception": Amazon Cognito Developer Guide, "Lockout behavior
// for failed sign-in attempts" (authentication.html#authentication-flow-lockout-behavior).
func TestSignInLockedOutAfterFiveFailuresEvenWithTheRightPassword(t *testing.T) {
	tg := newTarget(t)
	user := tg.confirmed(t)
	for range 5 {
		_, err := tg.signIn(t, tg.clientID, user, "Wrong-Password-1")
		wantError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	}
	_, err := tg.signIn(t, tg.clientID, user, password)
	wantError(t, err, "NotAuthorizedException", "Password attempts exceeded")
}

// Same page: the lockout lasts 2^(n-5) seconds for n failed attempts, and signing in after it has passed
// succeeds. Slow against AWS.
func TestSignInLockoutEndsAfterItsPeriod(t *testing.T) {
	tg := newTarget(t)
	user := tg.confirmed(t)
	for range 6 {
		_, _ = tg.signIn(t, tg.clientID, user, "Wrong-Password-1")
	}
	tg.advance(t, 3*time.Second) // 6 failures: 2 s
	if _, err := tg.signIn(t, tg.clientID, user, password); err != nil {
		t.Fatalf("sign in after the lockout: %v", err)
	}
}

// CreateUserPool's UsernameConfiguration, CaseSensitive false: "users can sign in with any combination
// of capital and lowercase letters ... Amazon Cognito treats any variation in case as the same user, and
// prevents a case variation from being assigned to the same attribute for a different user" (API
// Reference, CreateUserPool; UsernameConfigurationType). The auth stack sets it.
func TestUserNamesAreCaseInsensitive(t *testing.T) {
	tg := newTarget(t)
	user := tg.confirmed(t)
	if _, err := tg.signIn(t, tg.clientID, strings.ToUpper(user), password); err != nil {
		t.Fatalf("sign in with the upper-cased address: %v", err)
	}
	_, err := tg.client.SignUp(ctx(t), &cip.SignUpInput{ClientId: &tg.clientID, Username: aws.String(strings.ToUpper(user)), Password: aws.String(password)})
	wantError(t, err, "UsernameExistsException", "")
}

// AdminResetUserPassword: "If a user tries to sign in after the API request, Amazon Cognito responds
// with a PasswordResetRequiredException error" (API Reference, AdminResetUserPassword).
func TestAdminResetUserPasswordStopsTheOldPassword(t *testing.T) {
	tg := newTarget(t)
	tg.needsMailbox(t) // AWS would email the code to an example.com address
	user := tg.confirmed(t)
	if _, err := tg.client.AdminResetUserPassword(ctx(t), &cip.AdminResetUserPasswordInput{UserPoolId: &tg.poolID, Username: &user}); err != nil {
		t.Fatalf("AdminResetUserPassword: %v", err)
	}
	_, err := tg.signIn(t, tg.clientID, user, password)
	wantError(t, err, "PasswordResetRequiredException", "")
}

// AdminDisableUser: "Deactivates a user and revokes all access tokens for the user. A deactivated user
// can't sign in" (API Reference, AdminDisableUser): neither with the password nor with a refresh token.
func TestAdminDisableUserStopsSignInAndRefresh(t *testing.T) {
	tg := newTarget(t)
	user := tg.confirmed(t)
	tok := tg.tokens(t, user)
	if _, err := tg.client.AdminDisableUser(ctx(t), &cip.AdminDisableUserInput{UserPoolId: &tg.poolID, Username: &user}); err != nil {
		t.Fatalf("AdminDisableUser: %v", err)
	}
	wantError(t, tg.refresh(t, tg.clientID, aws.ToString(tok.RefreshToken)), "NotAuthorizedException", "")
	_, err := tg.signIn(t, tg.clientID, user, password)
	wantError(t, err, "NotAuthorizedException", "")
	_, err = tg.client.GetUser(ctx(t), &cip.GetUserInput{AccessToken: tok.AccessToken})
	wantError(t, err, "NotAuthorizedException", "")
}

// A refresh token belongs to the app client it was issued to: REFRESH_TOKEN_AUTH with another client's
// id is refused (API Reference, InitiateAuth: "REFRESH_TOKEN_AUTH ... the refresh token ... and the
// app client"; RFC 6749 section 6 "the refresh token was issued to the authenticated client").
func TestRefreshTokenOfAnotherClientIsRefused(t *testing.T) {
	tg := newTarget(t)
	user := tg.confirmed(t)
	tok := tg.tokens(t, user)
	in := cognitotest.ClientInput(tg.poolID)
	in.ClientName = aws.String("conformance-other")
	other, err := tg.client.CreateUserPoolClient(ctx(t), in)
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	otherID := aws.ToString(other.UserPoolClient.ClientId)
	t.Cleanup(func() {
		_, _ = tg.client.DeleteUserPoolClient(ctx(t), &cip.DeleteUserPoolClientInput{UserPoolId: &tg.poolID, ClientId: &otherID})
	})
	wantError(t, tg.refresh(t, otherID, aws.ToString(tok.RefreshToken)), "NotAuthorizedException", "")
	if err := tg.refresh(t, tg.clientID, aws.ToString(tok.RefreshToken)); err != nil {
		t.Fatalf("refresh with its own client: %v", err)
	}
}

// A deleted user's refresh token no longer works: NotAuthorizedException, a client error (the API
// answers it 401), never a server error.
func TestRefreshTokenOfADeletedUserIsRefused(t *testing.T) {
	tg := newTarget(t)
	user := tg.confirmed(t)
	tok := tg.tokens(t, user)
	if _, err := tg.client.AdminDeleteUser(ctx(t), &cip.AdminDeleteUserInput{UserPoolId: &tg.poolID, Username: &user}); err != nil {
		t.Fatalf("AdminDeleteUser: %v", err)
	}
	wantError(t, tg.refresh(t, tg.clientID, aws.ToString(tok.RefreshToken)), "NotAuthorizedException", "")
}

// RevokeToken: "Revokes all of the access tokens generated by, and at the same time as, the specified
// refresh token. After a token is revoked, you can't use the revoked token to access Amazon Cognito
// user APIs, or to authorize access to your resource server" (API Reference, RevokeToken).
func TestRevokeTokenStopsTheRefreshTokenAndItsAccessTokens(t *testing.T) {
	tg := newTarget(t)
	user := tg.confirmed(t)
	tok := tg.tokens(t, user)
	if _, err := tg.client.RevokeToken(ctx(t), &cip.RevokeTokenInput{ClientId: &tg.clientID, Token: tok.RefreshToken}); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	wantError(t, tg.refresh(t, tg.clientID, aws.ToString(tok.RefreshToken)), "NotAuthorizedException", "")
	_, err := tg.client.GetUser(ctx(t), &cip.GetUserInput{AccessToken: tok.AccessToken})
	wantError(t, err, "NotAuthorizedException", "")
}

// PreventUserExistenceErrors ENABLED: "Amazon Cognito authentication APIs return a generic
// authentication failure response ... Incorrect username or password" for a user that does not exist
// (Developer Guide, "Managing error responses", cognito-user-pool-managing-errors.html).
func TestUnknownUserAnswersLikeAWrongPassword(t *testing.T) {
	tg := newTarget(t)
	_, err := tg.signIn(t, tg.clientID, email(t), password)
	wantError(t, err, "NotAuthorizedException", "Incorrect username or password.")
}
