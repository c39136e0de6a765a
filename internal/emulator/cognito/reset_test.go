package cognito_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

func TestResetCodeCheckedByConfirmForgotPassword(t *testing.T) {
	e := newEnv(t)
	pool := e.createPool(t, false)
	client := e.createClient(t, pool, preventExistence)
	const user = "reset@example.com"
	e.confirmedUser(t, pool, user)
	forgot := func() string {
		_, err := e.api.ForgotPassword(ctx(t), &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String(user)})
		wantAPIError(t, err, "", "")
		return e.lastMail(t, "forgot", user).Code
	}
	reset := func(code, password string) error {
		_, err := e.api.ConfirmForgotPassword(ctx(t), &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client), Username: aws.String(user),
			ConfirmationCode: aws.String(code), Password: aws.String(password)})
		return err
	}
	const newPassword = "Brand-New-Pass-3"
	var code string
	steps := []struct {
		name, code, message string
		do                  func() error
	}{
		{name: "no code requested is expired", code: "ExpiredCodeException", do: func() error { return reset("123456", newPassword) }},
		{name: "a wrong code is a mismatch", code: "CodeMismatchException", message: "Invalid verification code provided, please try again.",
			do: func() error { code = forgot(); return reset(wrongDigits(code), newPassword) }},
		{name: "the right code with a password against the policy", code: "InvalidPasswordException", do: func() error { return reset(code, "short") }},
		{name: "the right code sets the new password", do: func() error { return reset(code, newPassword) }},
		{name: "the code is single-use", code: "ExpiredCodeException", do: func() error { return reset(code, otherPassword) }},
		{name: "a code past its hour has expired", code: "ExpiredCodeException", message: "Invalid code provided, please request a code again.",
			do: func() error { c := forgot(); e.clock.Advance(time.Hour + time.Second); return reset(c, otherPassword) }},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { wantAPIError(t, s.do(), s.code, s.message) })
	}
	if _, err := e.login(t, client, user, newPassword); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
	for _, old := range []string{goodPassword, otherPassword} {
		if _, err := e.login(t, client, user, old); err == nil {
			t.Errorf("password %q still signs in", old)
		}
	}
}

func wrongDigits(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}
