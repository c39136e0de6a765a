package login_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/example/cognito-sam-go/internal/cognitofake"
)

// weakPassword breaks the pool's policy (no upper-case letter, no digit).
const weakPassword = "weak-secret-words"

// Every path is driven once with the golden values; none of them may reach the log.
func TestLogsNeverContainUsernamePasswordTokensOrSession(t *testing.T) {
	h := newHarness(t)
	secrets := []string{
		goldenUsername, goldenPassword, goldenSession, goldenNewPassword, goldenRefreshToken, goldenCode,
		issuedIDToken, issuedAccessToken, issuedRefreshToken, issuedSession, weakPassword,
	}
	tokens := cognitofake.Tokens(issuedIDToken, issuedAccessToken, issuedRefreshToken, 3600)
	// Cognito's messages can name the user; they must not be logged either.
	userNamed := func(errorType string) cognitofake.Reply {
		return cognitofake.Error(errorType, "User "+goldenUsername+" with password "+goldenPassword+" failed")
	}
	steps := []struct {
		name  string
		op    string
		reply cognitofake.Reply
		ev    events.APIGatewayProxyRequest
	}{
		{"login", cognitofake.InitiateAuth, tokens, event(t, loginEvent)},
		{"login challenge", cognitofake.InitiateAuth, cognitofake.Challenge("NEW_PASSWORD_REQUIRED", issuedSession), event(t, loginEvent)},
		{"login MFA", cognitofake.InitiateAuth, cognitofake.Challenge("SOFTWARE_TOKEN_MFA", issuedSession), event(t, loginEvent)},
		{"login wrong password", cognitofake.InitiateAuth, userNamed("NotAuthorizedException"), event(t, loginEvent)},
		{"login unconfirmed", cognitofake.InitiateAuth, userNamed("UserNotConfirmedException"), event(t, loginEvent)},
		{"login throttled", cognitofake.InitiateAuth, userNamed("TooManyRequestsException"), event(t, loginEvent)},
		{"login Cognito down", cognitofake.InitiateAuth, userNamed("InternalErrorException"), event(t, loginEvent)},
		{"login misconfigured", cognitofake.InitiateAuth, userNamed("InvalidParameterException"), event(t, loginEvent)},
		{"new password", cognitofake.RespondToAuthChallenge, tokens, event(t, newPasswordEvent)},
		{"new password weak", cognitofake.RespondToAuthChallenge, userNamed("InvalidPasswordException"), event(t, newPasswordEvent)},
		{"new password bad session", cognitofake.RespondToAuthChallenge, userNamed("NotAuthorizedException"), event(t, newPasswordEvent)},
		{"refresh", cognitofake.InitiateAuth, cognitofake.Tokens(issuedIDToken, issuedAccessToken, "", 3600), event(t, refreshEvent)},
		{"refresh revoked", cognitofake.InitiateAuth, userNamed("NotAuthorizedException"), event(t, refreshEvent)},
		{"sign-up", cognitofake.SignUp, cognitofake.Reply{}, event(t, signUpEvent)},
		{"sign-up taken", cognitofake.SignUp, userNamed("UsernameExistsException"), event(t, signUpEvent)},
		{"sign-up weak", cognitofake.SignUp, userNamed("InvalidPasswordException"), event(t, signUpEvent)},
		{"sign-up refused by the policy", cognitofake.SignUp, cognitofake.Reply{}, withBody(event(t, signUpEvent),
			`{"username":"`+goldenUsername+`","password":"`+weakPassword+`"}`)},
		{"resend undeliverable", cognitofake.ResendConfirmationCode, userNamed("CodeDeliveryFailureException"), event(t, resendEvent)},
		{"forgot", cognitofake.ForgotPassword, cognitofake.Reply{}, event(t, forgotEvent)},
		{"forgot limit", cognitofake.ForgotPassword, userNamed("LimitExceededException"), event(t, forgotEvent)},
		{"reset", cognitofake.ConfirmForgotPassword, cognitofake.Reply{}, event(t, resetEvent)},
		{"reset wrong code", cognitofake.ConfirmForgotPassword, userNamed("CodeMismatchException"), event(t, resetEvent)},
		{"logout", cognitofake.RevokeToken, cognitofake.Reply{}, event(t, logoutEvent)},
		{"logout unknown token", cognitofake.RevokeToken, userNamed("UnauthorizedException"), event(t, logoutEvent)},
		{"bad body", cognitofake.InitiateAuth, tokens, withBody(event(t, loginEvent),
			`{"username":"`+goldenUsername+`","password":"`+goldenPassword+`","`+goldenSession+`":1}`)},
		{"not an email", cognitofake.InitiateAuth, tokens, withBody(event(t, loginEvent),
			`{"username":"`+goldenPassword+`","password":"`+goldenPassword+`"}`)},
		{"unknown path", cognitofake.InitiateAuth, tokens, func() events.APIGatewayProxyRequest {
			ev := event(t, loginEvent)
			ev.Path = "/" + goldenUsername
			return ev
		}()},
	}
	for _, s := range steps {
		h.cognito.Reply(s.op, s.reply)
		h.invoke(t, s.ev)
	}

	logs := h.logs.String()
	for _, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q:\n%s", secret, logs)
		}
	}
	if lines := logLines(t, h.logs); len(lines) != len(steps) {
		t.Errorf("%d log lines for %d requests, want one each:\n%s", len(lines), len(steps), logs)
	}
}

func TestLogs_OneLinePerRequestWithRouteStatusAndCognitoErrorCode(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(cognitofake.InitiateAuth, cognitofake.Error("NotAuthorizedException", "Incorrect username or password."))

	h.invoke(t, event(t, loginEvent))

	lines := logLines(t, h.logs)
	if len(lines) != 1 {
		t.Fatalf("%d log lines, want 1", len(lines))
	}
	want := map[string]any{
		"route":          "/login",
		"status":         float64(http.StatusUnauthorized),
		"cognito_error":  "NotAuthorizedException",
		"aws_request_id": event(t, loginEvent).RequestContext.RequestID,
	}
	for k, v := range want {
		if lines[0][k] != v {
			t.Errorf("log %s = %v, want %v", k, lines[0][k], v)
		}
	}
	if id, _ := lines[0]["cognito_request_id"].(string); !strings.HasPrefix(id, "fake-") {
		t.Errorf("log cognito_request_id = %q, want the x-amzn-RequestId Cognito answered with", id)
	}
}
