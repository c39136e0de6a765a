package login_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
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
	tokens := tokensReply(issuedIDToken, issuedAccessToken, issuedRefreshToken, 3600)
	// Cognito's messages can name the user; they must not be logged either.
	userNamed := func(errorType string) reply {
		return cognitoError(errorType, "User "+goldenUsername+" with password "+goldenPassword+" failed")
	}
	steps := []struct {
		name  string
		op    string
		reply reply
		ev    events.APIGatewayProxyRequest
	}{
		{"login", opInitiateAuth, tokens, event(t, loginEvent)},
		{"login challenge", opInitiateAuth, challengeReply("NEW_PASSWORD_REQUIRED", issuedSession), event(t, loginEvent)},
		{"login MFA", opInitiateAuth, challengeReply("SOFTWARE_TOKEN_MFA", issuedSession), event(t, loginEvent)},
		{"login wrong password", opInitiateAuth, userNamed("NotAuthorizedException"), event(t, loginEvent)},
		{"login unconfirmed", opInitiateAuth, userNamed("UserNotConfirmedException"), event(t, loginEvent)},
		{"login throttled", opInitiateAuth, userNamed("TooManyRequestsException"), event(t, loginEvent)},
		{"login Cognito down", opInitiateAuth, userNamed("InternalErrorException"), event(t, loginEvent)},
		{"login misconfigured", opInitiateAuth, userNamed("InvalidParameterException"), event(t, loginEvent)},
		{"new password", opRespondToAuthChallenge, tokens, event(t, newPasswordEvent)},
		{"new password weak", opRespondToAuthChallenge, userNamed("InvalidPasswordException"), event(t, newPasswordEvent)},
		{"new password bad session", opRespondToAuthChallenge, userNamed("NotAuthorizedException"), event(t, newPasswordEvent)},
		{"refresh", opInitiateAuth, tokensReply(issuedIDToken, issuedAccessToken, "", 3600), event(t, refreshEvent)},
		{"refresh revoked", opInitiateAuth, userNamed("NotAuthorizedException"), event(t, refreshEvent)},
		{"sign-up", opSignUp, okReply, event(t, signUpEvent)},
		{"sign-up taken", opSignUp, userNamed("UsernameExistsException"), event(t, signUpEvent)},
		{"sign-up weak", opSignUp, userNamed("InvalidPasswordException"), event(t, signUpEvent)},
		{"sign-up refused by the policy", opSignUp, okReply, withBody(event(t, signUpEvent),
			`{"username":"`+goldenUsername+`","password":"`+weakPassword+`"}`)},
		{"resend undeliverable", opResendConfirmationCode, userNamed("CodeDeliveryFailureException"), event(t, resendEvent)},
		{"forgot", opForgotPassword, okReply, event(t, forgotEvent)},
		{"forgot limit", opForgotPassword, userNamed("LimitExceededException"), event(t, forgotEvent)},
		{"reset", opConfirmForgotPassword, okReply, event(t, resetEvent)},
		{"reset wrong code", opConfirmForgotPassword, userNamed("CodeMismatchException"), event(t, resetEvent)},
		{"logout", opRevokeToken, okReply, event(t, logoutEvent)},
		{"logout unknown token", opRevokeToken, userNamed("UnauthorizedException"), event(t, logoutEvent)},
		{"bad body", opInitiateAuth, tokens, withBody(event(t, loginEvent),
			`{"username":"`+goldenUsername+`","password":"`+goldenPassword+`","`+goldenSession+`":1}`)},
		{"not an email", opInitiateAuth, tokens, withBody(event(t, loginEvent),
			`{"username":"`+goldenPassword+`","password":"`+goldenPassword+`"}`)},
		{"unknown path", opInitiateAuth, tokens, func() events.APIGatewayProxyRequest {
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
	// The x-amzn-RequestId AWS puts on every answer (the emulation sends none): a canned answer.
	refused := cognitoError("NotAuthorizedException", "Incorrect username or password.")
	refused.header = map[string]string{"x-amzn-RequestId": "fake-4f1c6d1e"}
	h := newCannedHarness(t, refused)

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
