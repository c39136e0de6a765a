package login_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/cognitofake"
)

func TestLogin_SuccessReturnsTokensAndSendsUserPasswordAuth(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(cognitofake.InitiateAuth, cognitofake.Tokens(issuedIDToken, issuedAccessToken, issuedRefreshToken, 3600))

	res := h.invoke(t, event(t, loginEvent))

	res.wantStatus(t, http.StatusOK)
	if got := res.object(t); !reflect.DeepEqual(got, issuedTokensBody) {
		t.Errorf("body = %v, want %v", got, issuedTokensBody)
	}
	if cc := res.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store: tokens must not be cached", cc)
	}
	in := h.onlyCall(t, cognitofake.InitiateAuth)
	if in.AuthFlow != "USER_PASSWORD_AUTH" || in.ClientId != testClientID {
		t.Errorf("AuthFlow, ClientId = %q, %q; want USER_PASSWORD_AUTH, %q", in.AuthFlow, in.ClientId, testClientID)
	}
	wantParams := map[string]string{"USERNAME": goldenUsername, "PASSWORD": goldenPassword}
	if !reflect.DeepEqual(in.AuthParameters, wantParams) {
		t.Errorf("AuthParameters = %v, want %v", in.AuthParameters, wantParams)
	}
}

func TestLogin_WrongPasswordUnknownUserAndDisabledUserGetIdentical401(t *testing.T) {
	cases := []struct{ name, errorType, message string }{
		{"wrong password", "NotAuthorizedException", "Incorrect username or password."},
		{"unknown user", "UserNotFoundException", "User does not exist."},
		{"disabled user", "NotAuthorizedException", "User is disabled."},
		{"too many wrong passwords", "NotAuthorizedException", "Password attempts exceeded"},
	}
	var bodies []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.cognito.Reply(cognitofake.InitiateAuth, cognitofake.Error(tc.errorType, tc.message))

			res := h.invoke(t, event(t, loginEvent))

			res.wantStatus(t, http.StatusUnauthorized)
			if msg := res.message(t); msg != "Incorrect username or password" {
				t.Errorf("message = %q", msg)
			}
			bodies = append(bodies, res.body)
		})
	}
	for i := 1; i < len(bodies); i++ {
		if bodies[i] != bodies[0] {
			t.Errorf("%s answered %s but %s answered %s: a caller could tell them apart",
				cases[i].name, bodies[i], cases[0].name, bodies[0])
		}
	}
}

func TestLogin_AccountsThatCannotSignInYetGet403SayingWhatToDo(t *testing.T) {
	cases := []struct{ errorType, cognitoMessage, wantWord string }{
		{"UserNotConfirmedException", "User is not confirmed.", "confirm"},
		{"PasswordResetRequiredException", "Password reset required for the user", "reset"},
	}
	for _, tc := range cases {
		t.Run(tc.errorType, func(t *testing.T) {
			h := newHarness(t)
			h.cognito.Reply(cognitofake.InitiateAuth, cognitofake.Error(tc.errorType, tc.cognitoMessage))

			res := h.invoke(t, event(t, loginEvent))

			res.wantStatus(t, http.StatusForbidden)
			if msg := res.message(t); !strings.Contains(msg, tc.wantWord) {
				t.Errorf("message %q does not tell the user to %s", msg, tc.wantWord)
			}
		})
	}
}

// Cognito's failures are the same on every route; each is tried on all three.
func TestCognitoFailuresMapToGatewayStatusesOnEveryRoute(t *testing.T) {
	const leak = "internal detail from Cognito" // Cognito's message must never reach the caller
	cases := []struct {
		name           string
		reply          cognitofake.Reply
		wantStatus     int
		wantRetryAfter string
	}{
		{"throttled", cognitofake.Error("TooManyRequestsException", leak), http.StatusTooManyRequests, "1"},
		{"quota exceeded", cognitofake.Error("LimitExceededException", leak), http.StatusTooManyRequests, "1"},
		{"internal error", cognitofake.Error("InternalErrorException", leak), http.StatusServiceUnavailable, ""},
		{"unmodelled 503 page", cognitofake.Reply{Status: 503, RawBody: []byte("<html>" + leak + "</html>")}, http.StatusServiceUnavailable, ""},
		{"misconfigured client id", cognitofake.Error("ResourceNotFoundException", leak), http.StatusBadGateway, ""},
		{"flow not enabled", cognitofake.Error("InvalidParameterException", leak), http.StatusBadGateway, ""},
		{"broken pool", cognitofake.Error("InvalidUserPoolConfigurationException", leak), http.StatusBadGateway, ""},
		{"unknown error", cognitofake.Error("SomethingNewException", leak), http.StatusBadGateway, ""},
		{"answer not JSON", cognitofake.Reply{RawBody: []byte("{" + leak)}, http.StatusBadGateway, ""},
		{"neither tokens nor challenge", cognitofake.Reply{Body: map[string]any{}}, http.StatusBadGateway, ""},
		{"challenge without session", cognitofake.Challenge("NEW_PASSWORD_REQUIRED", ""), http.StatusBadGateway, ""},
	}
	routes := []string{loginEvent, newPasswordEvent, refreshEvent}
	for _, tc := range cases {
		for _, route := range routes {
			if tc.name == "misconfigured client id" && route == newPasswordEvent {
				continue // there it is moto's answer to an unknown session: 401, tested below
			}
			if tc.name == "challenge without session" && route == refreshEvent {
				continue // refresh answers any challenge 501
			}
			t.Run(tc.name+"/"+strings.TrimSuffix(route, "-request.json"), func(t *testing.T) {
				h := newHarness(t)
				h.replyAll(tc.reply)

				res := h.invoke(t, event(t, route))

				res.wantStatus(t, tc.wantStatus)
				if msg := res.message(t); strings.Contains(msg, leak) {
					t.Errorf("message %q passes Cognito's own message on", msg)
				}
				if got := res.header.Get("Retry-After"); got != tc.wantRetryAfter {
					t.Errorf("Retry-After = %q, want %q", got, tc.wantRetryAfter)
				}
			})
		}
	}
}

func TestLogin_UnreachableCognitoIs503(t *testing.T) {
	// A port nothing listens on: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()

	// A server that hangs up without answering: the connection drops mid-call.
	hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(hangUp.Close)

	for name, endpoint := range map[string]string{"connection refused": refused, "connection dropped": hangUp.URL} {
		t.Run(name, func(t *testing.T) {
			fake := cognitofake.New()
			t.Cleanup(fake.Close)
			h := newHarnessWithEndpoint(t, fake, endpoint)

			res := h.invoke(t, event(t, loginEvent))

			res.wantStatus(t, http.StatusServiceUnavailable)
			res.message(t)
		})
	}
}

func TestLogin_CognitoSlowerThanTheCallTimeoutIs504WithinIt(t *testing.T) {
	const timeout = 200 * time.Millisecond
	h := newHarness(t, withCallTimeout(timeout))
	slow := cognitofake.Tokens(issuedIDToken, issuedAccessToken, issuedRefreshToken, 3600)
	slow.Delay = 5 * time.Second
	h.cognito.Reply(cognitofake.InitiateAuth, slow)

	start := time.Now()
	res := h.invoke(t, event(t, loginEvent))
	took := time.Since(start)

	res.wantStatus(t, http.StatusGatewayTimeout)
	res.message(t)
	if took < timeout || took > timeout+time.Second {
		t.Errorf("answered after %v, want about the %v call timeout", took, timeout)
	}
}

func TestLogin_NewPasswordRequiredReturnsTheChallengeAndSessionWithoutTokens(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(cognitofake.InitiateAuth, cognitofake.Challenge("NEW_PASSWORD_REQUIRED", issuedSession))

	res := h.invoke(t, event(t, loginEvent))

	res.wantStatus(t, http.StatusOK)
	want := map[string]any{"challenge_name": "NEW_PASSWORD_REQUIRED", "session": issuedSession}
	if got := res.object(t); !reflect.DeepEqual(got, want) {
		t.Errorf("body = %v, want %v", got, want)
	}
}

func TestLogin_OtherChallengesAre501NamingTheChallenge(t *testing.T) {
	for _, name := range []string{"SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP", "MFA_SETUP", "SELECT_MFA_TYPE", "CUSTOM_CHALLENGE"} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.cognito.Reply(cognitofake.InitiateAuth, cognitofake.Challenge(name, issuedSession))

			res := h.invoke(t, event(t, loginEvent))

			res.wantStatus(t, http.StatusNotImplemented)
			if msg := res.message(t); !strings.Contains(msg, name) {
				t.Errorf("message %q does not name the challenge", msg)
			}
			if strings.Contains(res.body, issuedSession) {
				t.Error("answer carries the session of a challenge nobody can complete")
			}
		})
	}
}
