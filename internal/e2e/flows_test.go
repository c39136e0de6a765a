package e2e_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

func TestRefresh_ReturnsNewTokensAndRefusesAnInvalidToken(t *testing.T) {
	s := sharedStack(t)
	email, password := newEmail(), newPassword()
	s.createUser(t, email, password)
	refreshToken := login(t, s, email, password)["refresh_token"].(string)

	r := call(t, s, "POST", "/refresh", mustJSON(map[string]string{"refresh_token": refreshToken}))
	assertStatus(t, r, http.StatusOK)
	got := r.json(t)
	for _, k := range []string{"id_token", "access_token"} {
		if v, _ := got[k].(string); v == "" {
			t.Fatalf("refresh answer lacks %s: %s", k, r.body)
		}
	}
	if _, has := got["refresh_token"]; has || got["token_type"] != "Bearer" {
		t.Fatalf("refresh answer shape: %s", r.body)
	}
	echo := call(t, s, "POST", "/echo", `{}`, "Authorization", got["id_token"].(string))
	assertStatus(t, echo, http.StatusOK)

	bad := call(t, s, "POST", "/refresh", mustJSON(map[string]string{"refresh_token": "0f6c1c38-not-a-refresh-token"}))
	assertStatus(t, bad, http.StatusUnauthorized)
	assertStatus(t, call(t, s, "POST", "/refresh", `{"refresh_token":7}`), http.StatusBadRequest)
	assertStatus(t, call(t, s, "POST", "/refresh", `{}`), http.StatusBadRequest)
}

func TestNewPasswordRequired_ChallengeThenNewPasswordSignsIn(t *testing.T) {
	s := sharedStack(t)
	email, temporary := newEmail(), newPassword()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.Admin().AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(s.Out.UserPoolId), Username: aws.String(email), MessageAction: "SUPPRESS",
		TemporaryPassword: aws.String(temporary), UserAttributes: attrs("email", email, "email_verified", "true"),
	})
	if err != nil {
		t.Fatal(err)
	}

	r := call(t, s, "POST", "/login", mustJSON(map[string]string{"username": email, "password": temporary}))
	assertStatus(t, r, http.StatusOK)
	challenge := r.json(t)
	session, _ := challenge["session"].(string)
	if challenge["challenge_name"] != "NEW_PASSWORD_REQUIRED" || session == "" {
		t.Fatalf("challenge answer: %s", r.body)
	}
	if _, has := challenge["id_token"]; has {
		t.Fatalf("a challenge must carry no tokens: %s", r.body)
	}

	weak := call(t, s, "POST", "/login/new-password", mustJSON(map[string]string{"username": email, "session": session, "new_password": "short"}))
	assertStatus(t, weak, http.StatusBadRequest)
	if weak.message(t) == "" {
		t.Fatalf("policy failure without a reason: %s", weak.body)
	}
	badSession := call(t, s, "POST", "/login/new-password", mustJSON(map[string]string{"username": email, "session": "AYABeNotARealSession0123456789", "new_password": newPassword()}))
	assertStatus(t, badSession, http.StatusUnauthorized)

	chosen := newPassword()
	done := call(t, s, "POST", "/login/new-password", mustJSON(map[string]string{"username": email, "session": session, "new_password": chosen}))
	assertStatus(t, done, http.StatusOK)
	if v, _ := done.json(t)["id_token"].(string); v == "" {
		t.Fatalf("no id_token after the new password: %s", done.body)
	}
	login(t, s, email, chosen)
}

// Cognito reports an unconfirmed account whatever the password; a 403 would tell anyone the address
// has signed up, so it is the wrong-password 401, with the right password too.
func TestLogin_UnconfirmedUserGetsTheSame401AsAWrongPassword(t *testing.T) {
	s := sharedStack(t)
	email, password := newEmail(), newPassword()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.Admin().SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(s.Out.UserPoolClientId), Username: aws.String(email), Password: aws.String(password),
		UserAttributes: attrs("email", email),
	})
	if err != nil {
		t.Fatal(err)
	}
	unknown := call(t, s, "POST", "/login", mustJSON(map[string]string{"username": newEmail(), "password": password}))
	assertStatus(t, unknown, http.StatusUnauthorized)
	for _, pw := range []string{password, password + "x"} {
		r := call(t, s, "POST", "/login", mustJSON(map[string]string{"username": email, "password": pw}))
		assertStatus(t, r, http.StatusUnauthorized)
		if string(r.body) != string(unknown.body) {
			t.Fatalf("unconfirmed %s differs from unknown account %s", r.body, unknown.body)
		}
	}
}

func TestLogin_DisabledUserGetsTheSame401AsAWrongPassword(t *testing.T) {
	s := sharedStack(t)
	email, password := newEmail(), newPassword()
	s.createUser(t, email, password)
	wrong := call(t, s, "POST", "/login", mustJSON(map[string]string{"username": email, "password": password + "x"}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Admin().AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(s.Out.UserPoolId), Username: aws.String(email)}); err != nil {
		t.Fatal(err)
	}
	disabled := call(t, s, "POST", "/login", mustJSON(map[string]string{"username": email, "password": password}))
	assertStatus(t, disabled, http.StatusUnauthorized)
	if string(disabled.body) != string(wrong.body) {
		t.Fatalf("disabled %s differs from wrong password %s", disabled.body, wrong.body)
	}
}

// The contract: /refresh is 401 for a refresh token "whose user is disabled or deleted" (never a 5xx).
func TestRefresh_DisabledOrDeletedUserIs401(t *testing.T) {
	s := sharedStack(t)
	for name, change := range map[string]func(context.Context, *cip.Client, *string, *string) error{
		"disabled": func(ctx context.Context, c *cip.Client, pool, user *string) error {
			_, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: pool, Username: user})
			return err
		},
		"deleted": func(ctx context.Context, c *cip.Client, pool, user *string) error {
			_, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: user})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			email, password := newEmail(), newPassword()
			s.createUser(t, email, password)
			refreshToken := login(t, s, email, password)["refresh_token"].(string)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := change(ctx, s.Admin(), aws.String(s.Out.UserPoolId), aws.String(email)); err != nil {
				t.Fatal(err)
			}
			r := call(t, s, "POST", "/refresh", mustJSON(map[string]string{"refresh_token": refreshToken}))
			assertStatus(t, r, http.StatusUnauthorized)
		})
	}
}
