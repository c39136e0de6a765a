package login_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// succeedingHarness answers every call with success, so that a request which should have been
// refused but reached Cognito shows up as a 200 and a recorded call.
func succeedingHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.replyAll(tokensReply(issuedIDToken, issuedAccessToken, issuedRefreshToken, 3600))
	return h
}

func TestBadBodiesAre400WithAMessageAndNeverReachCognito(t *testing.T) {
	tooLongEmail := strings.Repeat("a", 117) + "@example.com" // 129 characters
	cases := []struct {
		route     string
		name      string
		body      string
		wantField string // named in the message, when the problem is one field
		secret    string // a value the answer must not echo
	}{
		{loginEvent, "not JSON", `username=alice@example.com&password=hunter2`, "", "hunter2"},
		{loginEvent, "empty body", ``, "", ""},
		{loginEvent, "only whitespace", " \n\t ", "", ""},
		{loginEvent, "truncated JSON", `{"username":"alice@example.com","password":"hunter2"`, "", "hunter2"},
		{loginEvent, "array", `[{"username":"alice@example.com","password":"hunter2"}]`, "", "hunter2"},
		{loginEvent, "string", `"alice@example.com"`, "", "alice@example.com"},
		{loginEvent, "number", `42`, "", ""},
		{loginEvent, "boolean", `true`, "", ""},
		{loginEvent, "null", `null`, "", ""},
		{loginEvent, "missing username", `{"password":"hunter2"}`, "username", "hunter2"},
		{loginEvent, "missing password", `{"username":"alice@example.com"}`, "password", "alice@example.com"},
		{loginEvent, "empty object", `{}`, "username", ""},
		{loginEvent, "null username", `{"username":null,"password":"hunter2"}`, "username", "hunter2"},
		{loginEvent, "empty username", `{"username":"","password":"hunter2"}`, "username", "hunter2"},
		{loginEvent, "empty password", `{"username":"alice@example.com","password":""}`, "password", "alice@example.com"},
		{loginEvent, "username a number", `{"username":12345,"password":"hunter2"}`, "username", "hunter2"},
		{loginEvent, "username a boolean", `{"username":true,"password":"hunter2"}`, "username", "hunter2"},
		{loginEvent, "username an object", `{"username":{"email":"alice@example.com"},"password":"hunter2"}`, "username", "hunter2"},
		{loginEvent, "username an array", `{"username":["alice@example.com"],"password":"hunter2"}`, "username", "hunter2"},
		{loginEvent, "password a number", `{"username":"alice@example.com","password":123456}`, "password", "123456"},
		{loginEvent, "unknown field", `{"username":"alice@example.com","password":"hunter2","admin":true}`, "admin", "hunter2"},
		{loginEvent, "trailing garbage", `{"username":"alice@example.com","password":"hunter2"} x`, "", "hunter2"},
		{loginEvent, "two objects", `{"username":"alice@example.com","password":"hunter2"}{}`, "", "hunter2"},
		{loginEvent, "username not an email", `{"username":"alice","password":"hunter2"}`, "username", "hunter2"},
		{loginEvent, "username with a display name", `{"username":"Alice <alice@example.com>","password":"hunter2"}`, "username", "alice@example.com"},
		{loginEvent, "username with a comment", `{"username":"alice@example.com (Alice)","password":"hunter2"}`, "username", "alice@example.com"},
		{loginEvent, "username with spaces around", `{"username":" alice@example.com ","password":"hunter2"}`, "username", "alice@example.com"},
		{loginEvent, "username with two @", `{"username":"alice@evil@example.com","password":"hunter2"}`, "username", "evil"},
		{loginEvent, "username without a dotted domain", `{"username":"alice@localhost","password":"hunter2"}`, "username", "localhost"},
		{loginEvent, "username too long", `{"username":"` + tooLongEmail + `","password":"hunter2"}`, "username", tooLongEmail},
		{loginEvent, "password too long", `{"username":"alice@example.com","password":"` + strings.Repeat("p", 257) + `"}`, "password", strings.Repeat("p", 257)},

		{newPasswordEvent, "missing session", `{"username":"alice@example.com","new_password":"Brand-New-Secret-42"}`, "session", "Brand-New-Secret-42"},
		{newPasswordEvent, "session too short", `{"username":"alice@example.com","session":"` + strings.Repeat("s", 19) + `","new_password":"Brand-New-Secret-42"}`, "session", strings.Repeat("s", 19)},
		{newPasswordEvent, "session too long", `{"username":"alice@example.com","session":"` + strings.Repeat("s", 2049) + `","new_password":"Brand-New-Secret-42"}`, "session", strings.Repeat("s", 20)},
		{newPasswordEvent, "session a number", `{"username":"alice@example.com","session":12345678901234567890123,"new_password":"Brand-New-Secret-42"}`, "session", "Brand-New-Secret-42"},
		{newPasswordEvent, "empty new_password", `{"username":"alice@example.com","session":"` + goldenSession + `","new_password":""}`, "new_password", goldenSession},
		{newPasswordEvent, "new_password too long", `{"username":"alice@example.com","session":"` + goldenSession + `","new_password":"` + strings.Repeat("n", 257) + `"}`, "new_password", goldenSession},
		{newPasswordEvent, "username not an email", `{"username":"alice","session":"` + goldenSession + `","new_password":"Brand-New-Secret-42"}`, "username", goldenSession},
		{newPasswordEvent, "login's password field", `{"username":"alice@example.com","session":"` + goldenSession + `","password":"Brand-New-Secret-42"}`, "password", "Brand-New-Secret-42"},

		{refreshEvent, "missing refresh_token", `{}`, "refresh_token", ""},
		{refreshEvent, "empty refresh_token", `{"refresh_token":""}`, "refresh_token", ""},
		{refreshEvent, "refresh_token a boolean", `{"refresh_token":false}`, "refresh_token", ""},
		{refreshEvent, "refresh_token too long", `{"refresh_token":"` + strings.Repeat("r", 4097) + `"}`, "refresh_token", strings.Repeat("r", 20)},
		{refreshEvent, "unknown field", `{"refresh_token":"` + goldenRefreshToken + `","username":"alice@example.com"}`, "username", goldenRefreshToken},

		{signUpEvent, "missing password", `{"username":"alice@example.com"}`, "password", "alice@example.com"},
		{signUpEvent, "username not an email", `{"username":"alice","password":"hunter2"}`, "username", "hunter2"},
		{signUpEvent, "extra attribute", `{"username":"alice@example.com","password":"hunter2","email":"eve@example.com"}`, "email", "eve@example.com"},
		{signUpEvent, "password too long", `{"username":"alice@example.com","password":"` + strings.Repeat("p", 257) + `"}`, "password", strings.Repeat("p", 257)},

		{resendEvent, "missing username", `{}`, "username", ""},
		{resendEvent, "username not an email", `{"username":"alice"}`, "username", "alice"},
		{resendEvent, "password sent too", `{"username":"alice@example.com","password":"hunter2"}`, "password", "hunter2"},

		{forgotEvent, "missing username", `{}`, "username", ""},
		{forgotEvent, "username a number", `{"username":7}`, "username", ""},
		{forgotEvent, "username with a display name", `{"username":"Alice <alice@example.com>"}`, "username", "alice@example.com"},

		{resetEvent, "missing code", `{"username":"alice@example.com","new_password":"Brand-New-Secret-42"}`, "code", "Brand-New-Secret-42"},
		{resetEvent, "empty code", `{"username":"alice@example.com","code":"","new_password":"Brand-New-Secret-42"}`, "code", "Brand-New-Secret-42"},
		{resetEvent, "code a number", `{"username":"alice@example.com","code":482913,"new_password":"Brand-New-Secret-42"}`, "code", "482913"},
		{resetEvent, "code too long", `{"username":"alice@example.com","code":"` + strings.Repeat("1", 2049) + `","new_password":"x"}`, "code", strings.Repeat("1", 20)},
		{resetEvent, "missing new_password", `{"username":"alice@example.com","code":"482913"}`, "new_password", "482913"},
		{resetEvent, "login's password field", `{"username":"alice@example.com","code":"482913","password":"Brand-New-Secret-42"}`, "password", "Brand-New-Secret-42"},

		{logoutEvent, "missing refresh_token", `{}`, "refresh_token", ""},
		{logoutEvent, "refresh_token a number", `{"refresh_token":12345}`, "refresh_token", "12345"},
		{logoutEvent, "access_token instead", `{"access_token":"` + issuedAccessToken + `"}`, "access_token", issuedAccessToken},
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(tc.route, "-request.json")+"/"+tc.name, func(t *testing.T) {
			h := succeedingHarness(t)

			res := h.invoke(t, withBody(event(t, tc.route), tc.body))

			res.wantStatus(t, http.StatusBadRequest)
			msg := res.message(t)
			if tc.wantField != "" && !strings.Contains(msg, `"`+tc.wantField+`"`) {
				t.Errorf("message %q does not name field %q", msg, tc.wantField)
			}
			if tc.secret != "" && strings.Contains(res.body, tc.secret) {
				t.Errorf("answer %s echoes a value from the request", res.body)
			}
			h.wantNoCognitoCall(t)
		})
	}
}

// The limits are Cognito's, counted in characters: the longest accepted values must get through.
func TestLongestAcceptedValuesReachCognito(t *testing.T) {
	longestEmail := strings.Repeat("a", 116) + "@example.com" // 128 characters
	cases := []struct{ route, name, body string }{
		{loginEvent, "128-character username", `{"username":"` + longestEmail + `","password":"hunter2"}`},
		{loginEvent, "256-character password", `{"username":"alice@example.com","password":"` + strings.Repeat("p", 256) + `"}`},
		{loginEvent, "256 multibyte characters", `{"username":"alice@example.com","password":"` + strings.Repeat("é", 256) + `"}`},
		{loginEvent, "unicode username", `{"username":"zoë@example.com","password":"hunter2"}`},
		{newPasswordEvent, "20-character session", `{"username":"alice@example.com","session":"` + strings.Repeat("s", 20) + `","new_password":"` + goldenNewPassword + `"}`},
		{newPasswordEvent, "2048-character session", `{"username":"alice@example.com","session":"` + strings.Repeat("s", 2048) + `","new_password":"` + goldenNewPassword + `"}`},
		{refreshEvent, "4096-character refresh token", `{"refresh_token":"` + strings.Repeat("r", 4096) + `"}`},
		{signUpEvent, "256-character password at sign-up", `{"username":"alice@example.com","password":"` + strings.Repeat("Pp1-", 64) + `"}`},
		{resendEvent, "128-character username to resend", `{"username":"` + longestEmail + `"}`},
		{forgotEvent, "128-character username to reset", `{"username":"` + longestEmail + `"}`},
		{resetEvent, "2048-character code", `{"username":"alice@example.com","code":"` + strings.Repeat("1", 2048) + `","new_password":"` + goldenNewPassword + `"}`},
		{logoutEvent, "4096-character token to revoke", `{"refresh_token":"` + strings.Repeat("r", 4096) + `"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := succeedingHarness(t)

			res := h.invoke(t, withBody(event(t, tc.route), tc.body))

			if res.status < 200 || res.status > 299 {
				t.Fatalf("status = %d, want a success; body %s", res.status, res.body)
			}
			if n := len(h.cognito.Calls()); n != 1 {
				t.Errorf("Cognito got %d calls, want 1", n)
			}
		})
	}
}

func TestBodyOver16KiBIs413AndNeverReachesCognito(t *testing.T) {
	const limit = 16 << 10
	// A body of exactly n bytes whose password field fills the rest.
	body := func(n int) string {
		head, tail := `{"username":"alice@example.com","password":"`, `"}`
		return head + strings.Repeat("p", n-len(head)-len(tail)) + tail
	}
	for _, e := range allEvents {
		t.Run(e.event, func(t *testing.T) {
			h := succeedingHarness(t)

			res := h.invoke(t, withBody(event(t, e.event), body(limit+1)))

			res.wantStatus(t, http.StatusRequestEntityTooLarge)
			res.message(t)
			h.wantNoCognitoCall(t)
		})
	}
	t.Run("exactly 16 KiB is read, then judged", func(t *testing.T) {
		h := succeedingHarness(t)

		res := h.invoke(t, withBody(event(t, loginEvent), body(limit)))

		res.wantStatus(t, http.StatusBadRequest) // the password is too long, but the body was not too large
		h.wantNoCognitoCall(t)
	})
}

func TestUnknownPathOrMethodIs403MissingAuthenticationToken(t *testing.T) {
	cases := []struct{ method, path string }{
		{http.MethodGet, "/login"},
		{http.MethodPut, "/login"},
		{http.MethodOptions, "/login"},
		{http.MethodHead, "/refresh"},
		{http.MethodDelete, "/login/new-password"},
		{http.MethodPatch, "/refresh"},
		{http.MethodPost, "/"},
		{http.MethodPost, "/login/"},
		{http.MethodPost, "/LOGIN"},
		{http.MethodPost, "/signout"},
		{http.MethodGet, "/signup"},
		{http.MethodPut, "/password/reset"},
		{http.MethodPost, "/password"},
		{http.MethodPost, "/signup/"},
		{http.MethodPost, "/logout/all"},
		{http.MethodPost, "/login/new-password/extra"},
		{http.MethodPost, "/echo"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %s", tc.method, tc.path), func(t *testing.T) {
			h := succeedingHarness(t)
			ev := event(t, loginEvent)
			ev.HTTPMethod, ev.Path, ev.Resource = tc.method, tc.path, tc.path

			res := h.invoke(t, ev)

			res.wantStatus(t, http.StatusForbidden)
			if res.body != `{"message":"Missing Authentication Token"}` {
				t.Errorf("body = %s, want API Gateway's own", res.body)
			}
			h.wantNoCognitoCall(t)
		})
	}
}
