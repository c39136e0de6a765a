package login_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestNewPassword_SuccessAnswersLikeLoginAndSendsTheChallengeResponse(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(opRespondToAuthChallenge, tokensReply(issuedIDToken, issuedAccessToken, issuedRefreshToken, 3600))

	res := h.invoke(t, event(t, newPasswordEvent))

	res.wantStatus(t, http.StatusOK)
	if got := res.object(t); !reflect.DeepEqual(got, issuedTokensBody) {
		t.Errorf("body = %v, want %v", got, issuedTokensBody)
	}
	in := h.onlyCall(t, opRespondToAuthChallenge)
	if in.ChallengeName != "NEW_PASSWORD_REQUIRED" || in.ClientId != h.cognito.ClientID || in.Session != goldenSession {
		t.Errorf("ChallengeName, ClientId, Session = %q, %q, %q", in.ChallengeName, in.ClientId, in.Session)
	}
	wantResponses := map[string]string{"USERNAME": goldenUsername, "NEW_PASSWORD": goldenNewPassword}
	if !reflect.DeepEqual(in.ChallengeResponses, wantResponses) {
		t.Errorf("ChallengeResponses = %v, want %v", in.ChallengeResponses, wantResponses)
	}
}

func TestNewPassword_BadOrExpiredSessionIs401(t *testing.T) {
	cases := []struct{ errorType, message string }{
		{"NotAuthorizedException", "Invalid session for the user, session is expired."},
		{"ExpiredCodeException", "Invalid code provided, please request a code again."},
		{"CodeMismatchException", "Invalid session provided"},
	}
	for _, tc := range cases {
		t.Run(tc.errorType, func(t *testing.T) {
			h := newHarness(t)
			h.cognito.Reply(opRespondToAuthChallenge, cognitoError(tc.errorType, tc.message))

			res := h.invoke(t, event(t, newPasswordEvent))

			res.wantStatus(t, http.StatusUnauthorized)
			if msg := res.message(t); msg != "session is invalid or has expired: sign in again" {
				t.Errorf("message = %q", msg)
			}
		})
	}
}

func TestNewPassword_FollowUpChallengeIs501NamingIt(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(opRespondToAuthChallenge, challengeReply("MFA_SETUP", issuedSession))

	res := h.invoke(t, event(t, newPasswordEvent))

	res.wantStatus(t, http.StatusNotImplemented)
	if msg := res.message(t); !strings.Contains(msg, "MFA_SETUP") {
		t.Errorf("message %q does not name the challenge", msg)
	}
}

// The session proves the password: the caller may be told the account needs a reset.
func TestNewPassword_ResetRequiredIs403SayingWhatToDoAndUnconfirmedIs401(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(opRespondToAuthChallenge, cognitoError("PasswordResetRequiredException", "Password reset required for the user"))
	res := h.invoke(t, event(t, newPasswordEvent))
	res.wantStatus(t, http.StatusForbidden)
	if msg := res.message(t); !strings.Contains(msg, "/password/forgot") {
		t.Errorf("message %q does not say what to do", msg)
	}

	h.cognito.Reply(opRespondToAuthChallenge, cognitoError("UserNotConfirmedException", "User is not confirmed."))
	h.invoke(t, event(t, newPasswordEvent)).wantStatus(t, http.StatusUnauthorized)
}

// A session is bound to the user it was issued to: another user's session is a bad session.
func TestNewPassword_AnotherUsersSessionIs401(t *testing.T) {
	h := newHarness(t)
	h.cognito.addUser(t, "bob@example.com", goldenPassword, stateForceChangePassword)
	h.cognito.addUser(t, goldenUsername, goldenPassword, stateForceChangePassword)
	challenge := h.invoke(t, withBody(event(t, loginEvent), `{"username":"bob@example.com","password":"`+goldenPassword+`"}`))
	challenge.wantStatus(t, http.StatusOK)
	session, _ := challenge.object(t)["session"].(string)

	body := `{"username":"` + goldenUsername + `","session":"` + session + `","new_password":"` + goldenNewPassword + `"}`
	res := h.invoke(t, withBody(event(t, newPasswordEvent), body))

	res.wantStatus(t, http.StatusUnauthorized)
	if s := h.cognito.userStatus(t, goldenUsername); s != "FORCE_CHANGE_PASSWORD" {
		t.Errorf("alice's state = %v: bob's session changed her password", s)
	}
}
