package login_test

import (
	"net/http"
	"testing"
)

// A new password that breaks the pool's policy (auth-stack/template.yaml's, which the harness reads) is
// refused before Cognito is asked, in Cognito's words: the answer cannot depend on the order in which
// Cognito checks the name, the code or the session and the policy. Cognito is primed with the answer
// that would otherwise win for an existing account, to show it is never reached.
func TestWeakNewPasswordIsRefusedBeforeCognitoWithThePolicysReason(t *testing.T) {
	passwords := []struct{ password, reason string }{
		{"Aa1-aaaaaaa", "Password did not conform with policy: Password not long enough"},
		{"alllowercase-1", "Password did not conform with policy: Password must have uppercase characters"},
		{"ALLUPPERCASE-1", "Password did not conform with policy: Password must have lowercase characters"},
		{"NoDigitsHere-x", "Password did not conform with policy: Password must have numeric characters"},
		{"NoSymbolsHere1", "Password did not conform with policy: Password must have symbol characters"},
	}
	routes := []struct {
		event, op string
		primed    reply
		body      func(password string) string
	}{
		{signUpEvent, opSignUp, cognitoError("UsernameExistsException", "An account with the given email already exists."),
			func(pw string) string { return `{"username":"` + goldenUsername + `","password":"` + pw + `"}` }},
		{resetEvent, opConfirmForgotPassword, cognitoError("CodeMismatchException", "Invalid verification code provided, please try again."),
			func(pw string) string {
				return `{"username":"` + goldenUsername + `","code":"` + goldenCode + `","new_password":"` + pw + `"}`
			}},
		{newPasswordEvent, opRespondToAuthChallenge, cognitoError("NotAuthorizedException", "Invalid session for the user."),
			func(pw string) string {
				return `{"username":"` + goldenUsername + `","session":"` + goldenSession + `","new_password":"` + pw + `"}`
			}},
	}
	for _, r := range routes {
		for _, p := range passwords {
			t.Run(r.op+"/"+p.password, func(t *testing.T) {
				h := newHarness(t)
				h.cognito.Reply(r.op, r.primed)

				res := h.invoke(t, withBody(event(t, r.event), r.body(p.password)))

				res.wantStatus(t, http.StatusBadRequest)
				if msg := res.message(t); msg != p.reason {
					t.Errorf("message = %q, want %q", msg, p.reason)
				}
				h.wantNoCognitoCall(t)
			})
		}
	}
}
