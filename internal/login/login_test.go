package login_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
	"github.com/example/cognito-sam-go/internal/login"
)

func TestLogin_SuccessReturnsTokensAndSendsUserPasswordAuth(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(opInitiateAuth, tokensReply(issuedIDToken, issuedAccessToken, issuedRefreshToken, 3600))

	res := h.invoke(t, event(t, loginEvent))

	res.wantStatus(t, http.StatusOK)
	if got := res.object(t); !reflect.DeepEqual(got, issuedTokensBody) {
		t.Errorf("body = %v, want %v", got, issuedTokensBody)
	}
	if cc := res.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store: tokens must not be cached", cc)
	}
	in := h.onlyCall(t, opInitiateAuth)
	if in.AuthFlow != "USER_PASSWORD_AUTH" || in.ClientId != h.cognito.ClientID {
		t.Errorf("AuthFlow, ClientId = %q, %q; want USER_PASSWORD_AUTH, %q", in.AuthFlow, in.ClientId, h.cognito.ClientID)
	}
	wantParams := map[string]string{"USERNAME": goldenUsername, "PASSWORD": goldenPassword}
	if !reflect.DeepEqual(in.AuthParameters, wantParams) {
		t.Errorf("AuthParameters = %v, want %v", in.AuthParameters, wantParams)
	}
}

// Cognito tells these apart; the caller, who has not proved the password, must not be able to.
func TestLogin_WrongPasswordAndUnknownDisabledUnconfirmedOrResetRequiredAccountsGetIdentical401(t *testing.T) {
	cases := []struct{ name, errorType, message string }{
		{"wrong password", "NotAuthorizedException", "Incorrect username or password."},
		{"unknown user", "UserNotFoundException", "User does not exist."},
		{"disabled user", "NotAuthorizedException", "User is disabled."},
		{"too many wrong passwords", "NotAuthorizedException", "Password attempts exceeded"},
		{"unconfirmed, whatever the password", "UserNotConfirmedException", "User is not confirmed."},
		{"reset required, password unchecked", "PasswordResetRequiredException", "Password reset required for the user"},
	}
	var bodies []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.cognito.Reply(opInitiateAuth, cognitoError(tc.errorType, tc.message))

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

// Cognito's failures that say nothing about an account are the same on every route; each is tried on all.
func TestCognitoFailuresMapToGatewayStatusesOnEveryRoute(t *testing.T) {
	const leak = "internal detail from Cognito" // Cognito's message must never reach the caller
	signIn := []string{loginEvent, newPasswordEvent, refreshEvent}
	withChallenges := []string{loginEvent, newPasswordEvent}
	// Where a refusal of the one request is answered as success (concealAccountErrors), or has a
	// meaning of its own (tested with each route), a case names the routes it holds for.
	notConcealing := []string{loginEvent, newPasswordEvent, refreshEvent, signUpEvent, resetEvent, logoutEvent}
	cases := []struct {
		name           string
		reply          reply
		wantStatus     int
		wantRetryAfter string
		only           []string // the routes it holds for; nil means all
	}{
		{"throttled", cognitoError("TooManyRequestsException", leak), http.StatusTooManyRequests, "1", nil},
		{"quota exceeded", cognitoError("LimitExceededException", leak), http.StatusTooManyRequests, "1", signIn},
		{"internal error", cognitoError("InternalErrorException", leak), http.StatusServiceUnavailable, "", nil},
		{"unmodelled 503 page", reply{status: 503, body: "<html>" + leak + "</html>"}, http.StatusServiceUnavailable, "", nil},
		// A wrong client or pool id: on every route, /login/new-password included, the deployer's problem.
		{"misconfigured client id", cognitoError("ResourceNotFoundException", leak), http.StatusBadGateway, "", nil},
		{"flow not enabled", cognitoError("InvalidParameterException", leak), http.StatusBadGateway, "", signIn},
		{"revocation not enabled", cognitoError("UnsupportedOperationException", leak), http.StatusBadGateway, "", []string{logoutEvent}},
		{"broken pool", cognitoError("InvalidUserPoolConfigurationException", leak), http.StatusBadGateway, "", notConcealing},
		{"unknown error", cognitoError("SomethingNewException", leak), http.StatusBadGateway, "", notConcealing},
		{"answer not JSON", reply{status: 200, body: "{" + leak}, http.StatusBadGateway, "", nil},
		{"neither tokens nor challenge", jsonReply(map[string]any{}), http.StatusBadGateway, "", signIn},
		{"challenge without session", challengeReply("NEW_PASSWORD_REQUIRED", ""), http.StatusBadGateway, "", withChallenges},
	}
	for _, tc := range cases {
		for _, e := range allEvents {
			if tc.only != nil && !slices.Contains(tc.only, e.event) {
				continue
			}
			t.Run(tc.name+"/"+strings.TrimSuffix(e.event, "-request.json"), func(t *testing.T) {
				h := newHarnessReplying(t, tc.reply)

				res := h.invoke(t, event(t, e.event))

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
	refused := cognitotest.ClosedURL(t)

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
			h := login.New(login.NewCognitoClient(testRegion, endpoint), login.Config{ClientID: testClientID, CallTimeout: 2 * time.Second}, nil)

			res := invoke(t, h, event(t, loginEvent))

			res.wantStatus(t, http.StatusServiceUnavailable)
			res.message(t)
		})
	}
}

func TestLogin_CognitoSlowerThanTheCallTimeoutIs504WithinIt(t *testing.T) {
	const timeout = 200 * time.Millisecond
	h := newHarness(t, withCallTimeout(timeout))
	h.cognito.StallNext(opInitiateAuth)

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
	h.cognito.Reply(opInitiateAuth, challengeReply("NEW_PASSWORD_REQUIRED", issuedSession))

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
			h.cognito.Reply(opInitiateAuth, challengeReply(name, issuedSession))

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
