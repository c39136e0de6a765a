package login_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/cognitofake"
)

const linkSentBody = `{"message":"if this address can be confirmed, a confirmation link is on its way to it: open the link, then sign in"}`

func TestSignUp_NewAddressIs202AndSendsTheEmailAsUsernameAndAttribute(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(cognitofake.SignUp, cognitofake.Reply{Body: map[string]any{"UserConfirmed": false, "UserSub": "sub-1"}})

	res := h.invoke(t, event(t, signUpEvent))

	res.wantStatus(t, http.StatusAccepted)
	if res.body != linkSentBody {
		t.Errorf("body = %s, want %s", res.body, linkSentBody)
	}
	in := h.onlyCall(t, cognitofake.SignUp)
	if in.ClientId != testClientID || in.Username != goldenUsername || in.Password != goldenPassword {
		t.Errorf("ClientId, Username, Password = %q, %q, %q", in.ClientId, in.Username, in.Password)
	}
	if want := []cognitofake.Attribute{{Name: "email", Value: goldenUsername}}; !reflect.DeepEqual(in.UserAttributes, want) {
		t.Errorf("UserAttributes = %v, want %v", in.UserAttributes, want)
	}
}

// Refusals that would tell something the caller must not learn are answered exactly like success: on
// sign-up a taken address, and the failures only a new address can meet; on sign-out a token Cognito
// will not revoke (unknown, already revoked, foreign), since signing out twice is not an error.
func TestRefusalsThatMustNotShowAreAnsweredLikeSuccess(t *testing.T) {
	cases := []struct {
		event, op, errorType, message string
		wantStatus                    int
		wantBody                      string
	}{
		{signUpEvent, cognitofake.SignUp, "UsernameExistsException", "An account with the given email already exists.", http.StatusAccepted, linkSentBody},
		{signUpEvent, cognitofake.SignUp, "CodeDeliveryFailureException", "Unable to deliver message", http.StatusAccepted, linkSentBody},
		{signUpEvent, cognitofake.SignUp, "LimitExceededException", "Exceeded daily email limit for the operation or the account.", http.StatusAccepted, linkSentBody},
		{signUpEvent, cognitofake.SignUp, "InvalidEmailRoleAccessPolicyException", "Cognito is not allowed to use your email identity.", http.StatusAccepted, linkSentBody},
		{logoutEvent, cognitofake.RevokeToken, "UnauthorizedException", "Invalid token", http.StatusOK, signedOutBody},
		{logoutEvent, cognitofake.RevokeToken, "UnsupportedTokenTypeException", "Unsupported token type.", http.StatusOK, signedOutBody},
		{logoutEvent, cognitofake.RevokeToken, "NotAuthorizedException", "Refresh Token has been revoked", http.StatusOK, signedOutBody},
		{logoutEvent, cognitofake.RevokeToken, "InvalidParameterException", "1 validation error detected", http.StatusOK, signedOutBody},
	}
	for _, tc := range cases {
		t.Run(tc.op+"/"+tc.errorType, func(t *testing.T) {
			h := newHarness(t)
			h.cognito.Reply(tc.op, cognitofake.Error(tc.errorType, tc.message))

			res := h.invoke(t, event(t, tc.event))

			res.wantStatus(t, tc.wantStatus)
			if res.body != tc.wantBody {
				t.Errorf("body = %s, want success's %s", res.body, tc.wantBody)
			}
		})
	}
}

func TestSignUp_AdministratorsOnlyPoolIs403(t *testing.T) {
	h := newHarness(t)
	pool := cognitofake.NewPool(testClientID)
	pool.AdminCreateUserOnly = true
	h.cognito.Serve(pool)

	res := h.invoke(t, event(t, signUpEvent))

	res.wantStatus(t, http.StatusForbidden)
	if msg := res.message(t); !strings.Contains(msg, "administrator") {
		t.Errorf("message %q does not say who creates accounts", msg)
	}
	if _, exists := pool.UserState(goldenUsername); exists {
		t.Error("an account was created")
	}
}

func TestSignUp_ValueCognitoRefusesIs400WithoutCognitosMessage(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(cognitofake.SignUp, cognitofake.Error("InvalidParameterException", "Invalid email address format: "+goldenUsername))

	res := h.invoke(t, event(t, signUpEvent))

	res.wantStatus(t, http.StatusBadRequest)
	if msg := res.message(t); strings.Contains(msg, goldenUsername) {
		t.Errorf("message %q echoes the address", msg)
	}
}

func TestSignUp_CreatesAnUnconfirmedAccountAndEmailsIt(t *testing.T) {
	h := newHarness(t)
	pool := cognitofake.NewPool(testClientID)
	h.cognito.Serve(pool)

	h.invoke(t, event(t, signUpEvent)).wantStatus(t, http.StatusAccepted)
	h.invoke(t, event(t, resendEvent)).wantStatus(t, http.StatusAccepted)

	if s, ok := pool.UserState(goldenUsername); !ok || s != cognitofake.Unconfirmed {
		t.Errorf("account state = %v, %v; want unconfirmed", s, ok)
	}
	var kinds []string
	for _, m := range pool.Outbox() {
		if m.To == goldenUsername {
			kinds = append(kinds, m.Kind)
		}
	}
	if want := []string{"signup", "resend"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("emails = %v, want %v", kinds, want)
	}
	// Signing in before opening the link is the wrong-password 401.
	h.invoke(t, withBody(event(t, loginEvent), `{"username":"`+goldenUsername+`","password":"`+goldenPassword+`"}`)).wantStatus(t, http.StatusUnauthorized)
}
