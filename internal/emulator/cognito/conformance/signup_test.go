package conformance_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

// InvalidPasswordException carries Cognito's reason, "Password did not conform with policy: ..."
// (the message Cognito answers SignUp with, as LocalStack's and moto's recorded Cognito tests show).
func TestPolicyRefusalInCognitosWords(t *testing.T) {
	tg := newTarget(t)
	_, err := tg.client.SignUp(ctx(t), &cip.SignUpInput{ClientId: &tg.clientID, Username: aws.String(email(t)), Password: aws.String("Short-1")})
	wantError(t, err, "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
	_, err = tg.client.SignUp(ctx(t), &cip.SignUpInput{ClientId: &tg.clientID, Username: aws.String(email(t)), Password: aws.String("no-upper-case-1")})
	wantError(t, err, "InvalidPasswordException", "Password did not conform with policy: Password must have uppercase characters")
}

// Cognito documents no order between the name and the policy checks of SignUp; the emulation checks
// the policy first (the side that tells nothing), so a weak password is refused alike for an address
// that has an account and one that has none. Against AWS this records what Cognito does.
func TestWeakPasswordRefusedAlikeForNewAndExistingAddresses(t *testing.T) {
	tg := newTarget(t)
	existing := tg.confirmed(t)
	for _, name := range []string{existing, email(t)} {
		_, err := tg.client.SignUp(ctx(t), &cip.SignUpInput{ClientId: &tg.clientID, Username: aws.String(name), Password: aws.String("weak")})
		wantError(t, err, "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
	}
}

// Cognito limits wrong confirmation codes but publishes no number (the maintainers: "we do not share
// externally the exact limits involved", amazon-cognito-identity-js issue 548); the emulation spends a
// code after 5 wrong answers, so the right one no longer confirms. Local only: the code is emailed.
func TestConfirmationCodeSpentAfterFiveWrongAnswers(t *testing.T) {
	tg := newTarget(t)
	name := email(t)
	link := tg.signUp(t, name)
	right := link.Query().Get("confirmation_code")
	for range 5 {
		_, err := tg.client.ConfirmSignUp(ctx(t), &cip.ConfirmSignUpInput{ClientId: &tg.clientID, Username: aws.String(name), ConfirmationCode: aws.String(wrong(right))})
		wantError(t, err, "CodeMismatchException", "")
	}
	_, err := tg.client.ConfirmSignUp(ctx(t), &cip.ConfirmSignUpInput{ClientId: &tg.clientID, Username: aws.String(name), ConfirmationCode: aws.String(right)})
	wantError(t, err, "CodeMismatchException", "")
}

// The same limit on the confirmation link of the pool's domain (its confirmUser endpoint).
func TestConfirmationLinkSpentAfterFiveWrongCodes(t *testing.T) {
	tg := newTarget(t)
	name := email(t)
	link := tg.signUp(t, name)
	q := link.Query()
	right := q.Get("confirmation_code")
	open := func(code string) int {
		q.Set("confirmation_code", code)
		link.RawQuery = q.Encode()
		resp, err := http.Get(link.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 5 {
		if got := open(wrong(right)); got != http.StatusBadRequest {
			t.Fatalf("wrong code: %d", got)
		}
	}
	if got := open(right); got == http.StatusOK {
		t.Fatal("the right code confirmed after 5 wrong ones")
	}
	out, err := tg.client.AdminGetUser(ctx(t), &cip.AdminGetUserInput{UserPoolId: &tg.poolID, Username: aws.String(name)})
	if err != nil || out.UserStatus != types.UserStatusTypeUnconfirmed {
		t.Fatalf("AdminGetUser: %v %v", err, out)
	}
}

// The same limit on password-reset codes (ConfirmForgotPassword).
func TestResetCodeSpentAfterFiveWrongAnswers(t *testing.T) {
	tg := newTarget(t)
	tg.needsMailbox(t)
	user := tg.confirmed(t)
	if _, err := tg.client.ForgotPassword(ctx(t), &cip.ForgotPasswordInput{ClientId: &tg.clientID, Username: &user}); err != nil {
		t.Fatalf("ForgotPassword: %v", err)
	}
	right := tg.mail(t, "forgot", user).Code
	reset := func(code string) error {
		_, err := tg.client.ConfirmForgotPassword(ctx(t), &cip.ConfirmForgotPasswordInput{ClientId: &tg.clientID, Username: &user,
			ConfirmationCode: aws.String(code), Password: aws.String("Another-Pass-22")})
		return err
	}
	for range 5 {
		wantError(t, reset(wrong(right)), "CodeMismatchException", "")
	}
	wantError(t, reset(right), "CodeMismatchException", "")
}

// AdminCreateUser without MessageAction SUPPRESS sends the invitation with the temporary password
// (API Reference, AdminCreateUser: "sends a welcome message ... with a temporary password").
func TestAdminCreateUserEmailsAnInvitation(t *testing.T) {
	tg := newTarget(t)
	tg.needsMailbox(t)
	name := email(t)
	if _, err := tg.client.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{UserPoolId: &tg.poolID, Username: &name,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name)}}}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	invite := tg.mail(t, "invite", name)
	out, err := tg.signIn(t, tg.clientID, name, invite.Code)
	if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("sign in with the emailed temporary password: %v %+v", err, out)
	}
}

// AdminResetUserPassword emails a code with which ConfirmForgotPassword sets the new password
// (API Reference, AdminResetUserPassword).
func TestAdminResetUserPasswordEmailsACode(t *testing.T) {
	tg := newTarget(t)
	tg.needsMailbox(t)
	user := tg.confirmed(t)
	if _, err := tg.client.AdminResetUserPassword(ctx(t), &cip.AdminResetUserPasswordInput{UserPoolId: &tg.poolID, Username: &user}); err != nil {
		t.Fatalf("AdminResetUserPassword: %v", err)
	}
	code := tg.mail(t, "reset", user).Code
	if _, err := tg.client.ConfirmForgotPassword(ctx(t), &cip.ConfirmForgotPasswordInput{ClientId: &tg.clientID, Username: &user,
		ConfirmationCode: aws.String(code), Password: aws.String("Another-Pass-22")}); err != nil {
		t.Fatalf("ConfirmForgotPassword: %v", err)
	}
	if _, err := tg.signIn(t, tg.clientID, user, "Another-Pass-22"); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}
}

// The COGNITO_DEFAULT sender's daily quota ("Email messages sent daily per AWS account: 50",
// Developer Guide, quotas.html): past it SignUp still creates the user, UNCONFIRMED, and answers
// LimitExceededException (API Reference, SignUp). Local only (a quota of 1; AWS's is the account's).
func TestDailyEmailQuotaStillCreatesTheUser(t *testing.T) {
	if onAWS != nil {
		t.Skip("would spend the account's daily email quota: runs locally only")
	}
	tg := newTarget(t, cognitotest.WithMailQuota(1))
	first, second := email(t), email(t)
	if _, err := tg.client.SignUp(ctx(t), &cip.SignUpInput{ClientId: &tg.clientID, Username: &first, Password: aws.String(password)}); err != nil {
		t.Fatalf("first SignUp: %v", err)
	}
	_, err := tg.client.SignUp(ctx(t), &cip.SignUpInput{ClientId: &tg.clientID, Username: &second, Password: aws.String(password)})
	wantError(t, err, "LimitExceededException", "")
	out, err := tg.client.AdminGetUser(ctx(t), &cip.AdminGetUserInput{UserPoolId: &tg.poolID, Username: &second})
	if err != nil || out.UserStatus != types.UserStatusTypeUnconfirmed {
		t.Fatalf("AdminGetUser: %v %+v", err, out)
	}
	tg.advance(t, 24*time.Hour)
	if _, err := tg.client.ResendConfirmationCode(ctx(t), &cip.ResendConfirmationCodeInput{ClientId: &tg.clientID, Username: &second}); err != nil {
		t.Fatalf("the next day, ResendConfirmationCode: %v", err)
	}
}

// signUp signs name up and returns the confirmation link mailed to it (local only).
func (tg *target) signUp(t *testing.T, name string) *url.URL {
	t.Helper()
	tg.needsMailbox(t)
	if _, err := tg.client.SignUp(ctx(t), &cip.SignUpInput{ClientId: &tg.clientID, Username: aws.String(name), Password: aws.String(password)}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	link, err := url.Parse(tg.mail(t, "signup", name).Link)
	if err != nil {
		t.Fatal(err)
	}
	return link
}

// wrong is a six-digit code other than right.
func wrong(right string) string {
	if right == "000000" {
		return "000001"
	}
	return "000000"
}

// "The recovery code is valid for one hour" (Developer Guide, how-to-recover-a-user-account.html): past
// it, ConfirmForgotPassword answers ExpiredCodeException. Local only (the code is emailed).
func TestResetCodeExpiresAfterAnHour(t *testing.T) {
	tg := newTarget(t)
	tg.needsMailbox(t)
	user := tg.confirmed(t)
	if _, err := tg.client.ForgotPassword(ctx(t), &cip.ForgotPasswordInput{ClientId: &tg.clientID, Username: &user}); err != nil {
		t.Fatalf("ForgotPassword: %v", err)
	}
	code := tg.mail(t, "forgot", user).Code
	tg.advance(t, 61*time.Minute)
	_, err := tg.client.ConfirmForgotPassword(ctx(t), &cip.ConfirmForgotPasswordInput{ClientId: &tg.clientID, Username: &user,
		ConfirmationCode: aws.String(code), Password: aws.String("Another-Pass-22")})
	wantError(t, err, "ExpiredCodeException", "")
}
