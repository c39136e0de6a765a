package login_test

import (
	"net/http"
	"testing"
)

const signedOutBody = `{"message":"signed out: the refresh token no longer works"}`

func TestLogout_RevokesTheRefreshTokenWithThePublicClientID(t *testing.T) {
	h := newHarness(t)
	h.cognito.Reply(opRevokeToken, okReply)

	res := h.invoke(t, event(t, logoutEvent))

	res.wantStatus(t, http.StatusOK)
	if res.body != signedOutBody {
		t.Errorf("body = %s", res.body)
	}
	in := h.onlyCall(t, opRevokeToken)
	if in.ClientId != h.cognito.ClientID || in.Token != goldenRefreshToken {
		t.Errorf("ClientId, Token = %q, %q", in.ClientId, in.Token)
	}
	if body := string(h.cognito.Calls()[0].Body); !jsonHasNoKey(t, body, "ClientSecret") {
		t.Errorf("RevokeToken sent a ClientSecret: %s", body)
	}
}

func TestLogout_AfterwardsRefreshIs401AndSigningOutAgainIs200(t *testing.T) {
	h := newHarness(t)
	h.cognito.addUser(t, goldenUsername, goldenPassword, stateConfirmed)

	signIn := h.invoke(t, event(t, loginEvent))
	signIn.wantStatus(t, http.StatusOK)
	token, _ := signIn.object(t)["refresh_token"].(string)
	body := `{"refresh_token":"` + token + `"}`
	h.invoke(t, withBody(event(t, refreshEvent), body)).wantStatus(t, http.StatusOK)

	h.invoke(t, withBody(event(t, logoutEvent), body)).wantStatus(t, http.StatusOK)
	h.invoke(t, withBody(event(t, refreshEvent), body)).wantStatus(t, http.StatusUnauthorized)
	again := h.invoke(t, withBody(event(t, logoutEvent), body))
	again.wantStatus(t, http.StatusOK)
	if again.body != signedOutBody {
		t.Errorf("second sign-out answered %s", again.body)
	}
	// An access token is not a refresh token: nothing to revoke, same answer.
	access, _ := signIn.object(t)["access_token"].(string)
	h.invoke(t, withBody(event(t, logoutEvent), `{"refresh_token":"`+access+`"}`)).wantStatus(t, http.StatusOK)
}
