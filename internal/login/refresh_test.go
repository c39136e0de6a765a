package login_test

import (
	"net/http"
	"reflect"
	"testing"
)

func TestRefresh_SuccessReturnsNewTokensWithoutARefreshToken(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(opInitiateAuth, tokensReply(issuedIDToken, issuedAccessToken, "", 3600))

	res := h.invoke(t, event(t, refreshEvent))

	res.wantStatus(t, http.StatusOK)
	want := map[string]any{
		"id_token":     issuedIDToken,
		"access_token": issuedAccessToken,
		"expires_in":   float64(3600),
		"token_type":   "Bearer",
	}
	if got := res.object(t); !reflect.DeepEqual(got, want) {
		t.Errorf("body = %v, want %v", got, want)
	}
	in := h.onlyCall(t, opInitiateAuth)
	if in.AuthFlow != "REFRESH_TOKEN_AUTH" || in.ClientId != h.cognito.ClientID {
		t.Errorf("AuthFlow, ClientId = %q, %q; want REFRESH_TOKEN_AUTH, %q", in.AuthFlow, in.ClientId, h.cognito.ClientID)
	}
	if want := map[string]string{"REFRESH_TOKEN": goldenRefreshToken}; !reflect.DeepEqual(in.AuthParameters, want) {
		t.Errorf("AuthParameters = %v, want %v", in.AuthParameters, want)
	}
}

func TestRefresh_InvalidExpiredOrRevokedTokenIs401(t *testing.T) {
	for _, tc := range []struct{ errorType, cognitoMessage string }{
		{"NotAuthorizedException", "Invalid Refresh Token"},
		{"NotAuthorizedException", "Refresh Token has expired"},
		{"NotAuthorizedException", "Refresh Token has been revoked"},
		{"UserNotConfirmedException", "User is not confirmed."},
		{"PasswordResetRequiredException", "Password reset required for the user"},
	} {
		t.Run(tc.cognitoMessage, func(t *testing.T) {
			h := newHarness(t)
			h.cognito.Reply(opInitiateAuth, cognitoError(tc.errorType, tc.cognitoMessage))

			res := h.invoke(t, event(t, refreshEvent))

			res.wantStatus(t, http.StatusUnauthorized)
			if msg := res.message(t); msg != "refresh token is invalid, expired or revoked: sign in again" {
				t.Errorf("message = %q", msg)
			}
		})
	}
}
