package recipes_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

const root = "../.."

type result struct {
	code           int
	stdout, stderr string
}

// run runs name with args in the repository root, with the environment minus anything that could
// point a tool at a real AWS account or a real user, plus env.
func run(t *testing.T, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = root
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || k == "USERNAME" || k == "PASSWORD" || k == "MAKEFLAGS" || k == "MAKELEVEL" {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return result{code, out.String(), errOut.String()}
}

func TestHelpListsEveryTargetAndVariableWithItsValueNeverMakeSyntax(t *testing.T) {
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "make", "--no-print-directory", "help")
	if r.code != 0 {
		t.Fatalf("make help: exit %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "$(") || strings.Contains(r.stdout, "${") {
		t.Errorf("make help prints make syntax instead of values:\n%s", r.stdout)
	}
	lines := strings.Split(r.stdout, "\n")
	listed := func(name, value string) bool {
		for _, l := range lines {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == name && f[1] == value {
				return true
			}
		}
		return false
	}
	// Every `NAME ?= default` of the Makefile, shown with its default (the first one, if set twice).
	vars := regexp.MustCompile(`(?m)^([A-Z][A-Z0-9_]*)[ \t]*\?=[ \t]*(.*)$`).FindAllStringSubmatch(string(makefile), -1)
	seen := map[string]bool{}
	for _, v := range vars {
		if seen[v[1]] {
			continue
		}
		seen[v[1]] = true
		value := strings.TrimSpace(v[2])
		if value == "" {
			value = "(empty)"
		}
		if !listed(v[1], value) {
			t.Errorf("make help does not list %s with its default %q", v[1], value)
		}
	}
	for _, name := range []string{"API_PORT", "COGNITO_PORT", "STATE_DIR", "PARAMETER_OVERRIDES", "GOARCH", "FUZZTIME"} {
		if !seen[name] {
			t.Errorf("the Makefile has no %s ?= default", name)
		}
	}
	// Every target with a ## text.
	for _, m := range regexp.MustCompile(`(?m)^([a-zA-Z0-9_-]+):[^=\n]*## `).FindAllStringSubmatch(string(makefile), -1) {
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(m[1]) + ` `).MatchString(r.stdout) {
			t.Errorf("make help does not list the target %s", m[1])
		}
	}

	// A value given on the command line is shown with the default beside it, and expanded in the texts.
	r = run(t, nil, "make", "--no-print-directory", "help", "API_PORT=3100")
	if !strings.Contains(r.stdout, "3100 (command line; default 3000)") || !strings.Contains(r.stdout, "127.0.0.1:3100") {
		t.Errorf("make help API_PORT=3100:\n%s", r.stdout)
	}
}

// tools builds cmd/testuser and cmd/token as `make tools` does and returns their paths.
func tools(t *testing.T) (testuser, token string) {
	t.Helper()
	r := run(t, nil, "make", "--no-print-directory", "tools")
	if r.code != 0 {
		t.Fatalf("make tools: exit %d: %s", r.code, r.stderr)
	}
	abs, err := filepath.Abs(filepath.Join(root, "build"))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(abs, "testuser"), filepath.Join(abs, "token")
}

// The documented exit codes reach the shell: `go run` would turn each of them into 1.
func TestBuiltToolsKeepTheirExitCodes(t *testing.T) {
	testuser, token := tools(t)
	cog := cognitotest.Start(t)
	awsEnv := []string{}
	for k, v := range cog.Env(t.TempDir()) {
		awsEnv = append(awsEnv, k+"="+v)
	}
	tokenEnv := slices.Concat([]string{"COGNITO_URL=" + cog.URL, "CLIENT_ID=" + cog.ClientID}, awsEnv)
	tests := []struct {
		name string
		env  []string
		bin  string
		args []string
		want int
	}{
		{"token without any setting", nil, token, nil, 2},
		{"token with a COGNITO_URL that is not a URL", []string{"COGNITO_URL=cognito", "CLIENT_ID=x", "USERNAME=u@example.com", "PASSWORD=p"}, token, nil, 2},
		{"token refused by Cognito (unknown user)", slices.Concat(tokenEnv, []string{"USERNAME=nobody@example.com", "PASSWORD=Wrong-Passw0rd!"}), token, nil, 1},
		{"testuser without USER_POOL_ID", awsEnv, testuser, []string{"list"}, 2},
		{"testuser delete outside its prefix", slices.Concat(awsEnv, []string{"USER_POOL_ID=" + cog.PoolID}), testuser, []string{"delete", "-username", "jane@example.com"}, 2},
		{"testuser list of a pool Cognito does not know", slices.Concat(awsEnv, []string{"USER_POOL_ID=us-east-1_missing"}), testuser, []string{"list"}, 1},
		{"testuser list of the pool", slices.Concat(awsEnv, []string{"USER_POOL_ID=" + cog.PoolID}), testuser, []string{"list"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := run(t, tt.env, tt.bin, tt.args...); r.code != tt.want {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tt.want, r.stderr)
			}
		})
	}
}

func writeOutputs(t *testing.T, dir string, outputs map[string]string) {
	t.Helper()
	b, err := json.Marshal(outputs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "outputs.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestUserTokenUsersAgainstTheStackInStateDir(t *testing.T) {
	tools(t)
	cog := cognitotest.Start(t)
	state := t.TempDir()
	writeOutputs(t, state, map[string]string{
		"ApiUrl": "http://127.0.0.1:1", "CognitoUrl": cog.URL, "UserPoolId": cog.PoolID,
		"UserPoolClientId": cog.ClientID, "Region": cognitotest.Region,
	})
	stateVar := "STATE_DIR=" + state

	// Twice: rerunning makes another user and never fails.
	var username, password string
	for range 2 {
		r := run(t, nil, "make", "-s", "user", stateVar)
		if r.code != 0 {
			t.Fatalf("make user: exit %d: %s", r.code, r.stderr)
		}
		for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			k, v, _ := strings.Cut(l, "=")
			switch k {
			case "USERNAME":
				username = v
			case "PASSWORD":
				password = v
			default:
				t.Errorf("make user printed %q on stdout: want only USERNAME= and PASSWORD= lines", l)
			}
		}
		if !strings.Contains(r.stderr, "export USERNAME='"+username+"'") || !strings.Contains(r.stderr, "make -s token") {
			t.Errorf("make user does not say what to paste next:\n%s", r.stderr)
		}
	}

	r := run(t, []string{"USERNAME=" + username, "PASSWORD=" + password}, "make", "-s", "token", stateVar)
	if r.code != 0 || strings.Count(strings.TrimSpace(r.stdout), ".") != 2 || strings.Contains(r.stdout, "\n\n") {
		t.Errorf("make -s token: exit %d, stdout %q (want one JWT), stderr %q", r.code, r.stdout, r.stderr)
	}
	r = run(t, []string{"USERNAME=" + username, "PASSWORD=Wrong-Passw0rd!"}, "make", "-s", "token", stateVar)
	if r.code == 0 || !strings.Contains(r.stderr, "Error 1") || !strings.Contains(r.stderr, "make user") {
		t.Errorf("make token with a wrong password: exit %d, stderr %q: want the tool's exit 1 and a hint", r.code, r.stderr)
	}

	r = run(t, nil, "make", "-s", "users", stateVar)
	if r.code != 0 || !strings.Contains(r.stdout, username+" ") || strings.Count(r.stdout, "CONFIRMED") != 2 {
		t.Errorf("make users: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, password) {
		t.Error("make users printed a password")
	}
}

func TestLocalRecipesSayWhenNoStackRuns(t *testing.T) {
	tools(t)
	stopped := t.TempDir()
	killed := t.TempDir()
	writeOutputs(t, killed, map[string]string{
		"ApiUrl": cognitotest.ClosedURL(t), "CognitoUrl": cognitotest.ClosedURL(t), "UserPoolId": "us-east-1_x",
		"UserPoolClientId": "x", "Region": "us-east-1",
	})
	partial := t.TempDir()
	writeOutputs(t, partial, map[string]string{"ApiUrl": "http://127.0.0.1:3000"})
	for _, target := range []string{"user", "token", "users"} {
		for _, tt := range []struct{ state, want string }{
			{stopped, "no local stack is running with STATE_DIR=" + stopped},
			{killed, "the stack was probably killed"},
			{partial, "lacks CognitoUrl, UserPoolId, UserPoolClientId, Region"},
		} {
			r := run(t, []string{"USERNAME=u@example.com", "PASSWORD=p"}, "make", "-s", target, "STATE_DIR="+tt.state)
			if r.code == 0 || !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stderr, "Traceback") {
				t.Errorf("make %s STATE_DIR=%s: exit %d, stderr %q; want a failure saying %q", target, tt.state, r.code, r.stderr, tt.want)
			}
		}
	}
}

func TestDeployRunsSamBuildAndDeployWithTheOverrides(t *testing.T) {
	bin := t.TempDir()
	logFile := filepath.Join(t.TempDir(), "sam.log")
	fake := "#!/bin/sh\necho \"sam $*\" >> '" + logFile + "'\n"
	if err := os.WriteFile(filepath.Join(bin, "sam"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"
	r := run(t, []string{"PATH=" + bin + ":" + os.Getenv("PATH")}, "make", "-s", "deploy",
		"CONFIG_ENV=api", "PARAMETER_OVERRIDES=UserPoolId=us-east-1_abc UserPoolArn="+arn)
	if r.code != 0 {
		t.Fatalf("make deploy: exit %d: %s", r.code, r.stderr)
	}
	got, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	want := "sam build --config-env api\nsam deploy --config-env api --parameter-overrides UserPoolId=us-east-1_abc UserPoolArn=" + arn + "\n"
	if string(got) != want {
		t.Errorf("make deploy ran:\n%s\nwant:\n%s", got, want)
	}

	// Without the SAM CLI on PATH: a clear message, no attempt. PATH keeps only what the recipe needs.
	tools := t.TempDir()
	for _, name := range []string{"bash", "env", "make", "dirname", "sh"} {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(p, filepath.Join(tools, name)); err != nil {
			t.Fatal(err)
		}
	}
	r = run(t, []string{"PATH=" + tools}, filepath.Join(tools, "make"), "-s", "deploy")
	if r.code == 0 || !strings.Contains(r.stderr, "the SAM CLI is missing: install it") {
		t.Errorf("make deploy without sam: exit %d, stderr %q", r.code, r.stderr)
	}
}
