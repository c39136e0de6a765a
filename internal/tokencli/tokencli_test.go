package tokencli_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
	"github.com/example/cognito-sam-go/internal/tokencli"
)

const (
	username = "e2e-token@example.com"
	password = "Correct-Horse-42"
)

// run runs the command with env as its whole environment.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code = tokencli.Main(context.Background(), args, getenv, &out, &errOut)
	return code, out.String(), errOut.String()
}

func assertOneLine(t *testing.T, stderr string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "token: ") {
		t.Errorf("stderr should be one line starting with \"token: \", got %q", stderr)
	}
	if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
		t.Errorf("stderr holds a stack trace: %q", stderr)
	}
}

func assertJWT(t *testing.T, token string) {
	t.Helper()
	if parts := strings.Split(token, "."); len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		t.Errorf("want a JWT (three dot-separated parts), got %q", token)
	}
}

func TestRegionFromURL(t *testing.T) {
	tests := []struct{ host, want string }{
		{"cognito-idp.us-east-1.amazonaws.com", "us-east-1"},
		{"cognito-idp.eu-central-1.amazonaws.com", "eu-central-1"},
		{"cognito-idp-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
		{"cognito-idp.cn-north-1.amazonaws.com.cn", "cn-north-1"},
		{"cognito-idp.ap-southeast-2.api.aws", "ap-southeast-2"},
		{"COGNITO-IDP.EU-WEST-1.AMAZONAWS.COM", "eu-west-1"},
		{"127.0.0.1", ""},
		{"localhost", ""},
		{"cognito-idp.example.com", ""},
		{"evil.cognito-idp.us-east-1.amazonaws.com.example.com", ""},
	}
	for _, tt := range tests {
		if got := tokencli.RegionFromURL(tt.host); got != tt.want {
			t.Errorf("RegionFromURL(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

func TestParseArgsMergesFlagsOverEnvironment(t *testing.T) {
	env := map[string]string{
		"COGNITO_URL": "https://cognito-idp.eu-west-1.amazonaws.com/",
		"CLIENT_ID":   "env-client",
		"USERNAME":    "env@example.com",
		"PASSWORD":    "env-password",
		"AWS_REGION":  "us-east-1",
	}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name string
		args []string
		want tokencli.Options
	}{
		{
			name: "environment only; region from the URL wins over AWS_REGION",
			want: tokencli.Options{CognitoURL: "https://cognito-idp.eu-west-1.amazonaws.com", ClientID: "env-client",
				Username: "env@example.com", Password: "env-password", Region: "eu-west-1", Format: "token",
				Name: "PORTMAN_TOKEN", Timeout: 10 * time.Second},
		},
		{
			name: "flags override",
			args: []string{"-cognito-url", "http://127.0.0.1:5000", "-client-id", "flag-client", "-username", "flag@example.com",
				"-password", "flag-password", "-format", "portman", "-name", "TOKEN", "-timeout", "3s"},
			want: tokencli.Options{CognitoURL: "http://127.0.0.1:5000", ClientID: "flag-client", Username: "flag@example.com",
				Password: "flag-password", Region: "us-east-1", Format: "portman", Name: "TOKEN", Timeout: 3 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tokencli.ParseArgs(tt.args, getenv, new(bytes.Buffer))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestBadSettingsAreUsageErrors(t *testing.T) {
	full := map[string]string{
		"COGNITO_URL": "https://cognito-idp.us-east-1.amazonaws.com",
		"CLIENT_ID":   "client",
		"USERNAME":    username,
		"PASSWORD":    password,
	}
	with := func(changes map[string]string) map[string]string {
		env := map[string]string{}
		for k, v := range full {
			env[k] = v
		}
		for k, v := range changes {
			env[k] = v
		}
		return env
	}
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"nothing set", map[string]string{}, nil, "missing COGNITO_URL (-cognito-url), CLIENT_ID (-client-id), USERNAME (-username), PASSWORD (-password)"},
		{"no password", with(map[string]string{"PASSWORD": ""}), nil, "missing PASSWORD (-password)"},
		{"not a URL", with(map[string]string{"COGNITO_URL": "cognito-idp.us-east-1.amazonaws.com"}), nil, "is not an http(s) URL"},
		{"no region for a local URL", with(map[string]string{"COGNITO_URL": "http://127.0.0.1:5000"}), nil, "set AWS_REGION"},
		{"unknown format", full, []string{"-format", "json"}, `-format "json": want token or portman`},
		{"bad name", full, []string{"-name", "1X"}, `-name "1X" is not a variable name`},
		{"github-env outside GitHub Actions", full, []string{"-github-env"}, "GITHUB_ENV is not set"},
		{"unknown flag", full, []string{"-pasword", "x"}, "flag provided but not defined: -pasword"},
		{"positional argument", full, []string{"extra"}, `unexpected argument "extra"`},
		{"zero timeout", full, []string{"-timeout", "0s"}, "-timeout must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.env, tt.args...)
			if code != tokencli.ExitUsage {
				t.Errorf("exit %d, want %d", code, tokencli.ExitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout should be empty, got %q", stdout)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr %q should contain %q", stderr, tt.wantErr)
			}
			if strings.Contains(stderr, password) {
				t.Errorf("stderr holds the password: %q", stderr)
			}
		})
	}
}

func TestHelpNeverShowsThePassword(t *testing.T) {
	code, stdout, stderr := run(t, map[string]string{"PASSWORD": password}, "-h")
	if code != tokencli.ExitOK {
		t.Errorf("exit %d, want 0", code)
	}
	if strings.Contains(stdout+stderr, password) {
		t.Errorf("-h shows the password:\n%s%s", stdout, stderr)
	}
	if !strings.Contains(stderr, "Prefer the environment variable") {
		t.Errorf("-h should recommend PASSWORD over -password:\n%s", stderr)
	}
}

// cognito starts the Cognito emulation with one pool, a public client, a confirmed user with password
// and a user who still has a temporary password, and returns the environment that signs the confirmed one in.
func cognito(t *testing.T) (env map[string]string, server *cognitotest.Stack) {
	t.Helper()
	server = cognitotest.Start(t)
	server.ConfirmedUser(t, username, password)
	server.TemporaryUser(t, "e2e-new@example.com", "Temporary-Pass-2")
	env = map[string]string{
		"COGNITO_URL": server.URL,
		"CLIENT_ID":   server.ClientID,
		"USERNAME":    username,
		"PASSWORD":    password,
		"AWS_REGION":  cognitotest.Region,
	}
	return env, server
}

func TestSignInAgainstCognito(t *testing.T) {
	env, server := cognito(t)
	with := func(changes map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range env {
			out[k] = v
		}
		for k, v := range changes {
			out[k] = v
		}
		return out
	}

	t.Run("prints the ID token", func(t *testing.T) {
		code, stdout, stderr := run(t, env)
		if code != tokencli.ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.HasSuffix(stdout, "\n") || strings.Count(stdout, "\n") != 1 {
			t.Errorf("want the token alone on one line, got %q", stdout)
		}
		assertJWT(t, strings.TrimSpace(stdout))
	})

	t.Run("portman format prints PORTMAN_TOKEN=", func(t *testing.T) {
		code, stdout, stderr := run(t, env, "-format", "portman")
		if code != tokencli.ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		token, ok := strings.CutPrefix(strings.TrimSpace(stdout), "PORTMAN_TOKEN=")
		if !ok {
			t.Fatalf("want PORTMAN_TOKEN=<token>, got %q", stdout)
		}
		assertJWT(t, token)
	})

	t.Run("github-env masks the token and appends it to GITHUB_ENV", func(t *testing.T) {
		envFile := filepath.Join(t.TempDir(), "github_env")
		if err := os.WriteFile(envFile, []byte("EARLIER=1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := run(t, with(map[string]string{"GITHUB_ENV": envFile, "GITHUB_ACTIONS": "true"}), "-github-env", "-name", "ID_TOKEN")
		if code != tokencli.ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		token, ok := strings.CutPrefix(stdout, "::add-mask::")
		if !ok || strings.Count(stdout, "\n") != 1 {
			t.Fatalf("stdout should be the one ::add-mask:: line, got %q", stdout)
		}
		token = strings.TrimSuffix(token, "\n")
		assertJWT(t, token)
		written, err := os.ReadFile(envFile)
		if err != nil {
			t.Fatal(err)
		}
		if want := "EARLIER=1\nID_TOKEN=" + token + "\n"; string(written) != want {
			t.Errorf("GITHUB_ENV holds %q, want %q", written, want)
		}
		if strings.Contains(stderr, token) {
			t.Errorf("stderr shows the token: %q", stderr)
		}
	})

	failures := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr []string
	}{
		{
			name:    "wrong password",
			env:     with(map[string]string{"PASSWORD": "Wrong-Password-99"}),
			wantErr: []string{"sign-in refused for " + username, "NotAuthorizedException"},
		},
		{
			name:    "unknown user",
			env:     with(map[string]string{"USERNAME": "e2e-nobody@example.com"}),
			wantErr: []string{"sign-in refused for e2e-nobody@example.com"},
		},
		{
			name:    "temporary password names the challenge",
			env:     with(map[string]string{"USERNAME": "e2e-new@example.com", "PASSWORD": "Temporary-Pass-2"}),
			wantErr: []string{"NEW_PASSWORD_REQUIRED", "admin-set-user-password --permanent"},
		},
		{
			name:    "unknown app client",
			env:     with(map[string]string{"CLIENT_ID": "nosuchclient"}),
			wantErr: []string{"nosuchclient"},
		},
		{
			name:    "closed port",
			env:     with(map[string]string{"COGNITO_URL": cognitotest.ClosedURL(t)}),
			wantErr: []string{"cannot reach Cognito at http://127.0.0.1:", "connection refused"},
		},
	}
	for _, tt := range failures {
		t.Run(tt.name+" fails with one clear line", func(t *testing.T) {
			code, stdout, stderr := run(t, tt.env, tt.args...)
			t.Logf("stderr: %s", stderr)
			if code != tokencli.ExitFailure {
				t.Errorf("exit %d, want %d (stderr %q)", code, tokencli.ExitFailure, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout should be empty, got %q", stdout)
			}
			assertOneLine(t, stderr)
			for _, want := range tt.wantErr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q should contain %q", stderr, want)
				}
			}
			if pw := tt.env["PASSWORD"]; strings.Contains(stderr, pw) {
				t.Errorf("stderr holds the password: %q", stderr)
			}
			if strings.Contains(server.Log(), tt.env["PASSWORD"]) {
				t.Errorf("the Cognito emulation's log holds the password")
			}
		})
	}
}

func TestCognitoThatNeverAnswersHitsTheTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	env := map[string]string{
		"COGNITO_URL": srv.URL, "CLIENT_ID": "client", "USERNAME": username, "PASSWORD": password, "AWS_REGION": "us-east-1",
	}
	start := time.Now()
	code, _, stderr := run(t, env, "-timeout", "300ms")
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("took %s despite -timeout 300ms", elapsed)
	}
	if code != tokencli.ExitFailure {
		t.Errorf("exit %d, want %d", code, tokencli.ExitFailure)
	}
	assertOneLine(t, stderr)
	if want := "no answer from Cognito at " + srv.URL + " within 300ms"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q should contain %q", stderr, want)
	}
}
