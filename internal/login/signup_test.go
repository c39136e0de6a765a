package login_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

const linkSentBody = `{"message":"if this address can be confirmed, a confirmation link is on its way to it: open the link, then sign in"}`

func TestSignUp_NewAddressIs202AndSendsTheEmailAsUsernameAndAttribute(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(opSignUp, jsonReply(map[string]any{"UserConfirmed": false, "UserSub": "sub-1"}))

	res := h.invoke(t, event(t, signUpEvent))

	res.wantStatus(t, http.StatusAccepted)
	if res.body != linkSentBody {
		t.Errorf("body = %s, want %s", res.body, linkSentBody)
	}
	in := h.onlyCall(t, opSignUp)
	if in.ClientId != h.cognito.ClientID || in.Username != goldenUsername || in.Password != goldenPassword {
		t.Errorf("ClientId, Username, Password = %q, %q, %q", in.ClientId, in.Username, in.Password)
	}
	if want := []attribute{{Name: "email", Value: goldenUsername}}; !reflect.DeepEqual(in.UserAttributes, want) {
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
		{signUpEvent, opSignUp, "UsernameExistsException", "An account with the given email already exists.", http.StatusAccepted, linkSentBody},
		{signUpEvent, opSignUp, "CodeDeliveryFailureException", "Unable to deliver message", http.StatusAccepted, linkSentBody},
		{signUpEvent, opSignUp, "LimitExceededException", "Exceeded daily email limit for the operation or the account.", http.StatusAccepted, linkSentBody},
		{signUpEvent, opSignUp, "InvalidEmailRoleAccessPolicyException", "Cognito is not allowed to use your email identity.", http.StatusAccepted, linkSentBody},
		{logoutEvent, opRevokeToken, "UnauthorizedException", "Invalid token", http.StatusOK, signedOutBody},
		{logoutEvent, opRevokeToken, "UnsupportedTokenTypeException", "Unsupported token type.", http.StatusOK, signedOutBody},
		{logoutEvent, opRevokeToken, "NotAuthorizedException", "Refresh Token has been revoked", http.StatusOK, signedOutBody},
		{logoutEvent, opRevokeToken, "InvalidParameterException", "1 validation error detected", http.StatusOK, signedOutBody},
	}
	for _, tc := range cases {
		t.Run(tc.op+"/"+tc.errorType, func(t *testing.T) {
			h := newHarness(t)
			h.cognito.Reply(tc.op, cognitoError(tc.errorType, tc.message))

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
	// The auth stack with AllowSelfSignUp=false: AdminCreateUserConfig.AllowAdminCreateUserOnly.
	in := cognitotest.PoolInput("")
	if _, err := h.cognito.Client.UpdateUserPool(context.Background(), &cip.UpdateUserPoolInput{
		UserPoolId: &h.cognito.PoolID, Policies: in.Policies, AutoVerifiedAttributes: in.AutoVerifiedAttributes,
		VerificationMessageTemplate: in.VerificationMessageTemplate, EmailConfiguration: in.EmailConfiguration,
		AccountRecoverySetting: in.AccountRecoverySetting, UserPoolTier: in.UserPoolTier,
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true},
	}); err != nil {
		t.Fatal(err)
	}

	res := h.invoke(t, event(t, signUpEvent))

	res.wantStatus(t, http.StatusForbidden)
	if msg := res.message(t); !strings.Contains(msg, "administrator") {
		t.Errorf("message %q does not say who creates accounts", msg)
	}
	if s := h.cognito.userStatus(t, goldenUsername); s != "" {
		t.Error("an account was created")
	}
}

func TestSignUp_ValueCognitoRefusesIs400WithoutCognitosMessage(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(opSignUp, cognitoError("InvalidParameterException", "Invalid email address format: "+goldenUsername))

	res := h.invoke(t, event(t, signUpEvent))

	res.wantStatus(t, http.StatusBadRequest)
	if msg := res.message(t); strings.Contains(msg, goldenUsername) {
		t.Errorf("message %q echoes the address", msg)
	}
}

func TestSignUp_CreatesAnUnconfirmedAccountAndEmailsIt(t *testing.T) {
	h := newHarness(t)

	h.invoke(t, event(t, signUpEvent)).wantStatus(t, http.StatusAccepted)
	h.invoke(t, event(t, resendEvent)).wantStatus(t, http.StatusAccepted)

	if s := h.cognito.userStatus(t, goldenUsername); s != "UNCONFIRMED" {
		t.Errorf("account state = %q, want UNCONFIRMED", s)
	}
	var kinds []string
	for _, m := range h.cognito.Mail(t) {
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
