package login_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
	"github.com/example/cognito-sam-go/internal/login"
	"github.com/example/cognito-sam-go/internal/templates"
)

func lookup(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestFromEnv_RejectsMissingOrBadSettingsNamingTheVariable(t *testing.T) {
	valid := map[string]string{"USER_POOL_CLIENT_ID": testClientID, "AWS_REGION": testRegion, "PASSWORD_POLICY": templates.PoolPasswordPolicy(t).String()}
	cases := []struct {
		name, variable, value string
	}{
		{"missing client id", "USER_POOL_CLIENT_ID", ""},
		{"blank client id", "USER_POOL_CLIENT_ID", "  "},
		{"missing region", "AWS_REGION", ""},
		{"timeout not a duration", "COGNITO_CALL_TIMEOUT", "5"},
		{"timeout garbage", "COGNITO_CALL_TIMEOUT", "soon"},
		{"timeout zero", "COGNITO_CALL_TIMEOUT", "0s"},
		{"timeout negative", "COGNITO_CALL_TIMEOUT", "-1s"},
		{"timeout not under the function's", "COGNITO_CALL_TIMEOUT", "10s"},
		{"endpoint without scheme", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "127.0.0.1:5000"},
		{"endpoint not http", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "ftp://127.0.0.1:5000"},
		{"missing password policy", "PASSWORD_POLICY", ""},
		{"password policy not JSON", "PASSWORD_POLICY", "MinimumLength=12"},
		{"password policy shorter than Cognito allows", "PASSWORD_POLICY", `{"MinimumLength":5}`},
		{"password policy with an unknown rule", "PASSWORD_POLICY", `{"MinimumLength":12,"RequireEmoji":true}`},
		{"sign-up floor not a duration", "SIGNUP_MIN_DURATION", "1"},
		{"sign-up floor negative", "SIGNUP_MIN_DURATION", "-1s"},
		{"sign-up floor past the function's timeout", "SIGNUP_MIN_DURATION", "9s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range valid {
				env[k] = v
			}
			env[tc.variable] = tc.value

			h, err := login.FromEnv(lookup(env), nil)

			if err == nil || h != nil {
				t.Fatalf("FromEnv = %v, %v; want an error", h, err)
			}
			if !strings.Contains(err.Error(), tc.variable) {
				t.Errorf("error %q does not name %s", err, tc.variable)
			}
		})
	}
}

func TestFromEnv_BuildsAHandlerForTheConfiguredClientEndpointAndOrigin(t *testing.T) {
	cases := []struct{ origin, wantHeader string }{
		{"https://app.example.com", "https://app.example.com"},
		{"", ""},
	}
	for _, tc := range cases {
		t.Run("origin "+tc.origin, func(t *testing.T) {
			fake := cognito{cognitotest.Start(t)}
			h, err := login.FromEnv(lookup(map[string]string{
				"USER_POOL_CLIENT_ID": fake.ClientID,
				"AWS_REGION":          fake.Region,
				"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": fake.URL,
				"COGNITO_CALL_TIMEOUT":                       "2s",
				"CORS_ALLOW_ORIGIN":                          tc.origin,
				"PASSWORD_POLICY":                            `{"MinimumLength":30}`,
				"SIGNUP_MIN_DURATION":                        "0s",
			}), nil)
			if err != nil {
				t.Fatal(err)
			}

			res := invoke(t, h, event(t, loginEvent))

			res.wantStatus(t, http.StatusUnauthorized)
			if got := res.header.Get("Access-Control-Allow-Origin"); got != tc.wantHeader {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tc.wantHeader)
			}
			calls := fake.Calls()
			if len(calls) != 1 {
				t.Fatalf("the configured endpoint got %d calls, want 1", len(calls))
			}
			if in, err := calls[0].Input(); err != nil || in.ClientId != fake.ClientID {
				t.Errorf("ClientId = %q (%v), want USER_POOL_CLIENT_ID's", in.ClientId, err)
			}

			// PASSWORD_POLICY's 30 characters refuse the golden sign-up's password before Cognito.
			weak := invoke(t, h, event(t, signUpEvent))
			weak.wantStatus(t, http.StatusBadRequest)
			if msg := weak.message(t); msg != "Password did not conform with policy: Password not long enough" {
				t.Errorf("message = %q, want Cognito's reason", msg)
			}
			if n := len(fake.Calls()); n != 1 {
				t.Errorf("Cognito got %d calls, want still 1: the policy is checked first", n)
			}
		})
	}
}
