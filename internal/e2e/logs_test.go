package e2e_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// TestLogs_NoPasswordTokenOrSessionInStackOutput drives every route and outcome, then searches all
// the stack's output (the gateway's and the functions' log lines) for each secret it handled.
func TestLogs_NoPasswordTokenOrSessionInStackOutput(t *testing.T) {
	s := startStack(t)
	var secrets []string
	keep := func(vs ...string) {
		for _, v := range vs {
			if len(v) >= 8 {
				secrets = append(secrets, v)
			}
		}
	}

	email, password := newEmail(), newPassword()
	s.createUser(t, email, password)
	tokens := login(t, s, email, password)
	idToken, accessToken, refreshToken := tokens["id_token"].(string), tokens["access_token"].(string), tokens["refresh_token"].(string)
	keep(password, idToken, accessToken, refreshToken)

	wrongPassword := password + "-wrong"
	keep(wrongPassword)
	call(t, s, "POST", "/login", mustJSON(map[string]string{"username": email, "password": wrongPassword}))
	call(t, s, "POST", "/login", mustJSON(map[string]string{"username": newEmail(), "password": wrongPassword}))
	call(t, s, "POST", "/login", `{"username":"not-an-email","password":"`+wrongPassword+`"}`)
	call(t, s, "POST", "/login", `{"username":"`+email+`","password":"`+wrongPassword+`"`)
	refreshed := call(t, s, "POST", "/refresh", mustJSON(map[string]string{"refresh_token": refreshToken})).json(t)
	keep(refreshed["id_token"].(string), refreshed["access_token"].(string))
	call(t, s, "POST", "/refresh", mustJSON(map[string]string{"refresh_token": refreshToken + "x"}))
	call(t, s, "POST", "/echo", `{"a":1}`, "Authorization", idToken)
	call(t, s, "POST", "/echo", `{"a":1}`, "Authorization", "Bearer "+accessToken)
	call(t, s, "POST", "/echo", `{"a":1}`, "Authorization", idToken[:len(idToken)-4]+"AAAA")
	call(t, s, "GET", "/nope?password="+wrongPassword, "")

	// The new-password challenge: temporary password, session and new password.
	other, temporary, chosen := newEmail(), newPassword(), newPassword()
	keep(temporary, chosen)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Admin().AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(s.Out.UserPoolId), Username: aws.String(other), MessageAction: "SUPPRESS",
		TemporaryPassword: aws.String(temporary), UserAttributes: attrs("email", other, "email_verified", "true"),
	}); err != nil {
		t.Fatal(err)
	}
	session := call(t, s, "POST", "/login", mustJSON(map[string]string{"username": other, "password": temporary})).json(t)["session"].(string)
	keep(session)
	call(t, s, "POST", "/login/new-password", mustJSON(map[string]string{"username": other, "session": session, "new_password": "weak"}))
	done := call(t, s, "POST", "/login/new-password", mustJSON(map[string]string{"username": other, "session": session, "new_password": chosen}))
	if done.status != http.StatusOK {
		t.Fatalf("new password: %d %s", done.status, done.body)
	}

	// The account lifecycle: sign-up, the mailed link, reset codes, sign-out. Codes and links may be
	// printed only on the mailbox's own lines ("mail to ..."), as the contract says.
	signup, signupPassword, resetPassword := newEmail(), newPassword(), newPassword()
	keep(signupPassword, resetPassword)
	call(t, s, "POST", "/signup", mustJSON(map[string]string{"username": signup, "password": signupPassword}))
	call(t, s, "POST", "/signup", mustJSON(map[string]string{"username": signup, "password": "weak"}))
	call(t, s, "POST", "/signup/resend", mustJSON(map[string]string{"username": signup}))
	link := lastMail(t, s, signup, "resend")["link"]
	if r, err := httpClient.Get(link); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("confirmation link: %v %v", err, r)
	}
	keep(strings.SplitN(link, "confirmation_code=", 2)[1])
	call(t, s, "POST", "/password/forgot", mustJSON(map[string]string{"username": signup}))
	code := lastMail(t, s, signup, "forgot")["code"]
	call(t, s, "POST", "/password/reset", mustJSON(map[string]string{"username": signup, "code": "000000", "new_password": resetPassword}))
	call(t, s, "POST", "/password/reset", mustJSON(map[string]string{"username": signup, "code": code, "new_password": resetPassword}))
	mine := login(t, s, signup, resetPassword)
	keep(mine["id_token"].(string), mine["access_token"].(string), mine["refresh_token"].(string))
	call(t, s, "POST", "/logout", mustJSON(map[string]string{"refresh_token": mine["refresh_token"].(string)}))
	call(t, s, "POST", "/logout", mustJSON(map[string]string{"refresh_token": mine["refresh_token"].(string)}))

	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	var logLines []string
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if !strings.HasPrefix(line, "mail to ") {
			logLines = append(logLines, line)
		}
	}
	logs := strings.Join(logLines, "\n")
	// A six-digit code is too short for the substring search below: look for it as a whole number.
	codeRE := regexp.MustCompile(`(^|[^0-9])` + regexp.QuoteMeta(code) + `([^0-9]|$)`)
	if !codeRE.MatchString(s.logs.String()) {
		t.Fatal("the reset code is not on the mailbox's printed line")
	}
	if codeRE.MatchString(logs) {
		t.Error("a log line outside the mailbox carries the reset code")
	}
	if !strings.Contains(logs, `"status":401`) || !strings.Contains(logs, `"path":"/login/new-password"`) {
		t.Fatalf("expected request log lines; got:\n%s", logs)
	}
	for _, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("stack output contains a secret (%d chars, starts %q)", len(secret), secret[:4])
		}
	}
}
