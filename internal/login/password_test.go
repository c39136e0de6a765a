package login_test

import (
	"net/http"
	"reflect"
	"testing"
)

const (
	resetCodeSentBody   = `{"message":"if an account uses this address, a reset code is on its way to it: send it to POST /password/reset with a new password"}`
	badCodeBody         = `{"message":"code is wrong or has expired: ask for a new one with POST /password/forgot"}`
	passwordChangedBody = `{"message":"password changed: sign in with the new password"}`
)

func TestForgotPasswordAndResend_SendTheUsernameAndAnswer202(t *testing.T) {
	for _, tc := range []struct{ event, op, body string }{
		{forgotEvent, opForgotPassword, resetCodeSentBody},
		{resendEvent, opResendConfirmationCode, linkSentBody},
	} {
		t.Run(tc.op, func(t *testing.T) {
			h := newHarness(t)
			h.cognito.Reply(tc.op, jsonReply(map[string]any{"CodeDeliveryDetails": map[string]string{"DeliveryMedium": "EMAIL"}}))

			res := h.invoke(t, event(t, tc.event))

			res.wantStatus(t, http.StatusAccepted)
			if res.body != tc.body {
				t.Errorf("body = %s, want %s", res.body, tc.body)
			}
			if in := h.onlyCall(t, tc.op); in.ClientId != h.cognito.ClientID || in.Username != goldenUsername {
				t.Errorf("ClientId, Username = %q, %q", in.ClientId, in.Username)
			}
		})
	}
}

// Every refusal of the one request is about the account (its state, its deliveries, its limits), so
// each is answered exactly like success; only a warning in the log tells the deployer.
func TestForgotPasswordAndResend_RefusalsAreAnsweredLikeSuccess(t *testing.T) {
	refusals := []struct {
		errorType string
		warn      bool
	}{
		{"UserNotFoundException", false},
		{"InvalidParameterException", false},
		{"NotAuthorizedException", false},
		{"UserNotConfirmedException", false},
		{"CodeDeliveryFailureException", true},
		{"LimitExceededException", true},
		{"InvalidEmailRoleAccessPolicyException", true},
		{"SomethingNewException", true},
	}
	for _, route := range []struct{ event, op, body string }{
		{forgotEvent, opForgotPassword, resetCodeSentBody},
		{resendEvent, opResendConfirmationCode, linkSentBody},
	} {
		for _, tc := range refusals {
			t.Run(route.op+"/"+tc.errorType, func(t *testing.T) {
				h := newCannedHarness(t, cognitoError(tc.errorType, "User "+goldenUsername))

				res := h.invoke(t, event(t, route.event))

				res.wantStatus(t, http.StatusAccepted)
				if res.body != route.body {
					t.Errorf("body = %s, want success's %s", res.body, route.body)
				}
				lines := logLines(t, h.logs)
				if len(lines) != 1 {
					t.Fatalf("%d log lines", len(lines))
				}
				if gotWarn := lines[0]["level"] == "WARN"; gotWarn != tc.warn {
					t.Errorf("log level %v, want a warning: %v", lines[0]["level"], tc.warn)
				}
				if lines[0]["cognito_error"] != tc.errorType {
					t.Errorf("log cognito_error = %v, want %s", lines[0]["cognito_error"], tc.errorType)
				}
			})
		}
	}
}

func TestResetPassword_SendsCodeAndNewPasswordAndAnswers200(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(opConfirmForgotPassword, okReply)

	res := h.invoke(t, event(t, resetEvent))

	res.wantStatus(t, http.StatusOK)
	if res.body != passwordChangedBody {
		t.Errorf("body = %s", res.body)
	}
	in := h.onlyCall(t, opConfirmForgotPassword)
	if in.ClientId != h.cognito.ClientID || in.Username != goldenUsername || in.ConfirmationCode != goldenCode || in.Password != goldenNewPassword {
		t.Errorf("input = %+v", in)
	}
}

func TestResetPassword_WrongExpiredOrUnusableCodeGetsOne400(t *testing.T) {
	for _, errorType := range []string{
		"CodeMismatchException", "ExpiredCodeException", "UserNotFoundException", "NotAuthorizedException",
		"UserNotConfirmedException", "TooManyFailedAttemptsException", "LimitExceededException", "InvalidParameterException",
	} {
		t.Run(errorType, func(t *testing.T) {
			h := newHarness(t)
			h.cognito.Reply(opConfirmForgotPassword, cognitoError(errorType, "for "+goldenUsername))

			res := h.invoke(t, event(t, resetEvent))

			res.wantStatus(t, http.StatusBadRequest)
			if res.body != badCodeBody {
				t.Errorf("body = %s, want %s", res.body, badCodeBody)
			}
		})
	}
}

// Every route that sets a password answers the policy's refusal with Cognito's reason, which names
// the rule and never the password.
func TestPasswordThePolicyRefusesIs400WithCognitosReasonOnEveryRouteThatSetsOne(t *testing.T) {
	reasons := []struct{ errorType, reason string }{
		{"InvalidPasswordException", "Password did not conform with policy: Password must have symbol characters"},
		{"PasswordHistoryPolicyViolationException", "The password history policy doesn't allow reuse of a recent password."},
	}
	routes := []struct{ event, op string }{
		{newPasswordEvent, opRespondToAuthChallenge},
		{signUpEvent, opSignUp},
		{resetEvent, opConfirmForgotPassword},
	}
	for _, route := range routes {
		for _, tc := range reasons {
			t.Run(route.op+"/"+tc.errorType, func(t *testing.T) {
				h := newHarness(t)
				h.cognito.Reply(route.op, cognitoError(tc.errorType, tc.reason))

				res := h.invoke(t, event(t, route.event))

				res.wantStatus(t, http.StatusBadRequest)
				if msg := res.message(t); msg != tc.reason {
					t.Errorf("message = %q, want Cognito's reason %q", msg, tc.reason)
				}
			})
		}
	}
}

// The whole flow against the stateful pool: the emailed code resets the password, after which only
// the new one signs in; the reset-required account gets out of that state this way.
func TestForgotThenReset_OnlyTheNewPasswordSignsIn(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state accountState
	}{{"confirmed", stateConfirmed}, {"reset required", stateResetRequired}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.cognito.addUser(t, goldenUsername, goldenPassword, tc.state)

			h.invoke(t, event(t, forgotEvent)).wantStatus(t, http.StatusAccepted)
			var codes []string
			for _, m := range h.cognito.Mail(t) {
				if m.Kind == "forgot" && m.To == goldenUsername {
					codes = append(codes, m.Code)
				}
			}
			if len(codes) != 1 {
				t.Fatalf("mail = %+v, want one reset code for %s", h.cognito.Mail(t), goldenUsername)
			}
			h.invoke(t, event(t, resetEvent)).wantStatus(t, http.StatusBadRequest) // the golden code is not the one sent
			reset := `{"username":"` + goldenUsername + `","code":"` + codes[0] + `","new_password":"` + goldenNewPassword + `"}`
			res := h.invoke(t, withBody(event(t, resetEvent), reset))
			res.wantStatus(t, http.StatusOK)

			h.invoke(t, event(t, loginEvent)).wantStatus(t, http.StatusUnauthorized)
			signIn := h.invoke(t, withBody(event(t, loginEvent), `{"username":"`+goldenUsername+`","password":"`+goldenNewPassword+`"}`))
			signIn.wantStatus(t, http.StatusOK)
			if got := signIn.object(t); !reflect.DeepEqual(got["token_type"], "Bearer") {
				t.Errorf("sign-in answer %s", signIn.body)
			}
		})
	}
}
