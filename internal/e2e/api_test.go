package e2e_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
)

func TestLocalStack_OutputsCarryTheContractKeys(t *testing.T) {
	s := sharedStack(t)
	// Read by key name, not through the Go type that wrote it: the keys are the contract.
	var keys map[string]string
	raw, err := os.ReadFile(filepath.Join(s.StateDir, "outputs.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatalf("outputs.json: %v", err)
	}
	for _, name := range []string{"ApiUrl", "UserPoolId", "UserPoolArn", "UserPoolClientId", "CognitoUrl", "Region"} {
		if keys[name] == "" {
			t.Errorf("outputs.json: %s is missing or empty", name)
		}
	}
	o := s.Out
	if !strings.HasPrefix(o.ApiUrl, "http://127.0.0.1:") || strings.HasSuffix(o.ApiUrl, "/") {
		t.Errorf("ApiUrl %q", o.ApiUrl)
	}
	if !strings.HasSuffix(o.UserPoolArn, ":userpool/"+o.UserPoolId) {
		t.Errorf("UserPoolArn %q does not name pool %q", o.UserPoolArn, o.UserPoolId)
	}
	// The --env-vars file for `sam local start-api`, keyed by function logical id.
	raw, err = os.ReadFile(filepath.Join(s.StateDir, "sam-env.json"))
	if err != nil {
		t.Fatal(err)
	}
	var envs map[string]map[string]string
	if err := json.Unmarshal(raw, &envs); err != nil {
		t.Fatal(err)
	}
	login := envs["LoginFunction"]
	// SAM CLI's containers reach the emulator as host.docker.internal (see samconfig.toml).
	cognitoURL, err := url.Parse(o.CognitoUrl)
	if err != nil {
		t.Fatal(err)
	}
	if login["USER_POOL_CLIENT_ID"] != o.UserPoolClientId || login["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] != "http://host.docker.internal:"+cognitoURL.Port() {
		t.Errorf("sam-env.json LoginFunction = %v", login)
	}
	if _, ok := envs["EchoFunction"]; !ok {
		t.Errorf("sam-env.json has no EchoFunction: %v", envs)
	}
}

func TestLoginThenEcho_WithRawAndBearerIDToken(t *testing.T) {
	s := sharedStack(t)
	email, password := newEmail(), newPassword()
	s.createUser(t, email, password)
	tokens := login(t, s, email, password)
	for _, k := range []string{"id_token", "access_token", "refresh_token"} {
		if v, _ := tokens[k].(string); v == "" {
			t.Fatalf("login answer lacks %s: %v", k, tokens)
		}
	}
	if tokens["token_type"] != "Bearer" || tokens["expires_in"] != float64(3600) {
		t.Fatalf("token_type/expires_in: %v", tokens)
	}
	idToken := tokens["id_token"].(string)
	for name, header := range map[string]string{"raw": idToken, "bearer": "Bearer " + idToken} {
		t.Run(name, func(t *testing.T) {
			r := call(t, s, "POST", "/echo", `{"hello":"world","n":[1,2]}`, "Authorization", header)
			assertStatus(t, r, http.StatusOK)
			got := r.json(t)
			if mustJSON(got["body"]) != `{"hello":"world","n":[1,2]}` {
				t.Errorf("body %v", got["body"])
			}
			claims, _ := got["claims"].(map[string]any)
			if claims["email"] != email || claims["token_use"] != "id" || claims["aud"] != s.Out.UserPoolClientId {
				t.Errorf("claims %v", claims)
			}
			// API Gateway's formatting: every claim a string, exp as a date.
			if exp, _ := claims["exp"].(string); !strings.HasSuffix(exp, "UTC "+time.Now().UTC().Format("2006")) && !strings.Contains(exp, " UTC ") {
				t.Errorf("exp %q is not API Gateway's date format", claims["exp"])
			}
			for k, v := range claims {
				if _, ok := v.(string); !ok {
					t.Errorf("claim %s is %T, want string", k, v)
				}
			}
		})
	}
	t.Run("empty body echoes null", func(t *testing.T) {
		r := call(t, s, "POST", "/echo", "", "Authorization", idToken)
		assertStatus(t, r, http.StatusOK)
		if got := r.json(t); got["body"] != nil {
			t.Fatalf("body %v, want null", got["body"])
		}
	})
	t.Run("body not JSON is 400", func(t *testing.T) {
		assertStatus(t, call(t, s, "POST", "/echo", "{oops", "Authorization", idToken), http.StatusBadRequest)
	})
}

func TestEcho_AuthorizerRefusesWhatAPIGatewayRefuses(t *testing.T) {
	s := sharedStack(t)
	email, password := newEmail(), newPassword()
	s.createUser(t, email, password)
	tokens := login(t, s, email, password)
	idToken, accessToken := tokens["id_token"].(string), tokens["access_token"].(string)

	emulator := s.signingKey(t)
	kid := emulator.ID
	issuer := "https://cognito-idp." + s.Out.Region + ".amazonaws.com/" + s.Out.UserPoolId
	now := time.Now()
	signed := func(edit func(jwt.MapClaims)) string {
		c := authtest.IDClaims(issuer, now)
		edit(c)
		return authtest.Sign(t, emulator, c)
	}
	parts := strings.Split(idToken, ".")
	tampered := parts[0] + "." + strings.TrimRight(jwtSegment(t, `{"sub":"someone-else","token_use":"id","iss":"`+issuer+`","exp":9999999999}`), "=") + "." + parts[2]
	noneToken := jwtSegment(t, `{"alg":"none","typ":"JWT"}`) + "." + parts[1] + "."

	tests := []struct {
		name, header, want string
	}{
		{"no token", "", "Unauthorized"},
		{"garbage", "not-a-jwt", "Unauthorized"},
		{"bearer with nothing", "Bearer ", "Unauthorized"},
		{"tampered payload", tampered, "Unauthorized"},
		{"signed by another key with the emulator's kid", authtest.Sign(t, authtest.NewKey(t, kid), authtest.IDClaims(issuer, now)), "Unauthorized"},
		{"expired", signed(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix(); c["iat"] = now.Add(-time.Hour).Unix() }), "The incoming token has expired"},
		{"another pool's issuer", signed(func(c jwt.MapClaims) {
			c["iss"] = "https://cognito-idp." + s.Out.Region + ".amazonaws.com/" + s.Out.Region + "_Other1"
		}), "Unauthorized"},
		{"access token", accessToken, "Unauthorized"},
		{"alg none", noneToken, "Unauthorized"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.header != "" {
				headers = []string{"Authorization", tc.header}
			}
			r := call(t, s, "POST", "/echo", `{"a":1}`, headers...)
			assertStatus(t, r, http.StatusUnauthorized)
			if got := r.message(t); got != tc.want {
				t.Fatalf("message %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("a token with chosen claims signed by the emulator's key is accepted", func(t *testing.T) {
		tok := signed(func(c jwt.MapClaims) { c["cognito:groups"] = []string{"admins", "staff"} })
		r := call(t, s, "POST", "/echo", `{}`, "Authorization", "Bearer "+tok)
		assertStatus(t, r, http.StatusOK)
		if g := r.json(t)["claims"].(map[string]any)["cognito:groups"]; g != "admins,staff" {
			t.Fatalf("cognito:groups %v, want API Gateway's comma-joined string", g)
		}
	})
}

func TestLogin_WrongPasswordAndUnknownUserGetTheIdentical401(t *testing.T) {
	s := sharedStack(t)
	email, password := newEmail(), newPassword()
	s.createUser(t, email, password)
	wrong := call(t, s, "POST", "/login", mustJSON(map[string]string{"username": email, "password": password + "x"}))
	unknown := call(t, s, "POST", "/login", mustJSON(map[string]string{"username": newEmail(), "password": password}))
	assertStatus(t, wrong, http.StatusUnauthorized)
	assertStatus(t, unknown, http.StatusUnauthorized)
	if string(wrong.body) != string(unknown.body) {
		t.Fatalf("bodies differ: %s vs %s", wrong.body, unknown.body)
	}
}

func TestLogin_BadBodiesAre400(t *testing.T) {
	s := sharedStack(t)
	tests := map[string]string{
		"not JSON":          `{"username":`,
		"array":             `[]`,
		"string":            `"x"`,
		"null":              `null`,
		"empty":             ``,
		"missing password":  `{"username":"a@example.com"}`,
		"missing username":  `{"password":"Secret-pass1!"}`,
		"empty username":    `{"username":"","password":"Secret-pass1!"}`,
		"empty password":    `{"username":"a@example.com","password":""}`,
		"number username":   `{"username":42,"password":"Secret-pass1!"}`,
		"object password":   `{"username":"a@example.com","password":{}}`,
		"not an email":      `{"username":"not-an-email","password":"Secret-pass1!"}`,
		"unknown field":     `{"username":"a@example.com","password":"Secret-pass1!","admin":true}`,
		"trailing data":     `{"username":"a@example.com","password":"Secret-pass1!"} {}`,
		"username too long": mustJSON(map[string]string{"username": strings.Repeat("a", 200) + "@example.com", "password": "Secret-pass1!"}),
		"password too long": mustJSON(map[string]string{"username": "a@example.com", "password": strings.Repeat("P", 300)}),
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			r := call(t, s, "POST", "/login", body)
			assertStatus(t, r, http.StatusBadRequest)
			if r.message(t) == "" {
				t.Fatalf("no message: %s", r.body)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		r := call(t, s, "POST", "/login", `{"username":"`+strings.Repeat("a", 64<<10)+`"}`)
		if r.status != http.StatusRequestEntityTooLarge && r.status != http.StatusBadRequest {
			t.Fatalf("status %d, want 413 or 400", r.status)
		}
	})
}

func TestUnknownRouteOrMethod_Is403MissingAuthenticationToken(t *testing.T) {
	s := sharedStack(t)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/"}, {"POST", "/nope"}, {"GET", "/login"}, {"PUT", "/echo"}, {"POST", "/echo/extra"}, {"DELETE", "/refresh"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := call(t, s, tc.method, tc.path, `{}`)
			assertStatus(t, r, http.StatusForbidden)
			if got := r.message(t); got != "Missing Authentication Token" {
				t.Fatalf("message %q", got)
			}
		})
	}
}

func jwtSegment(t testing.TB, s string) string {
	t.Helper()
	return strings.TrimRight(base64URL([]byte(s)), "=")
}
