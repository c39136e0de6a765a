package testusers_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
	"github.com/example/cognito-sam-go/internal/passwordpolicy"
	"github.com/example/cognito-sam-go/internal/templates"
	"github.com/example/cognito-sam-go/internal/testusers"
	"github.com/example/cognito-sam-go/internal/tokencli"
)

type stack struct {
	server *cognitotest.Stack
}

// newStack starts the Cognito emulation with one pool and points the SDK's default configuration at it.
// It sets process environment variables, so tests that use it do not run in parallel.
func newStack(t *testing.T) stack {
	t.Helper()
	server := cognitotest.Start(t)
	for k, v := range server.Env(t.TempDir()) {
		t.Setenv(k, v)
	}
	return stack{server: server}
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs testuser with env as the project's own variables (the SDK reads the process environment).
func (s stack) run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	full := map[string]string{"USER_POOL_ID": s.server.PoolID}
	for k, v := range env {
		full[k] = v
	}
	var out, errOut bytes.Buffer
	code := testusers.Main(context.Background(), args, func(k string) string { return full[k] }, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// vars parses KEY=VALUE lines.
func vars(t *testing.T, stdout string) map[string]string {
	t.Helper()
	m := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "::") {
			m[k] = v
		}
	}
	return m
}

func (s stack) create(t *testing.T, args ...string) (username, password string) {
	t.Helper()
	r := s.run(t, nil, append([]string{"create"}, args...)...)
	if r.code != 0 {
		t.Fatalf("create: exit %d: %s", r.code, r.stderr)
	}
	v := vars(t, r.stdout)
	return v["USERNAME"], v["PASSWORD"]
}

func (s stack) exists(t *testing.T, username string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.server.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.server.PoolID), Username: aws.String(username)})
	var notFound *types.UserNotFoundException
	if errors.As(err, &notFound) {
		return false
	}
	if err != nil {
		t.Fatalf("AdminGetUser %s: %v", username, err)
	}
	return true
}

func TestNewPasswordMeetsPolicy(t *testing.T) {
	policies := []struct {
		name string
		passwordpolicy.Policy
	}{
		{"no requirements", passwordpolicy.Policy{MinimumLength: 6}},
		{"the auth stack's policy", templates.PoolPasswordPolicy(t)},
		{"40 characters with a symbol", passwordpolicy.Policy{MinimumLength: 40, RequireSymbols: true}},
		{"99 characters, every class", passwordpolicy.Policy{MinimumLength: 99, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}},
	}
	strictest := passwordpolicy.Policy{MinimumLength: 1, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}
	for _, tt := range policies {
		p := tt.Policy
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			for range 200 {
				pw, err := testusers.NewPassword(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := p.Check(pw); err != nil {
					t.Fatalf("%q breaks the policy: %v", pw, err)
				}
				if err := strictest.Check(pw); err != nil {
					t.Fatalf("%q lacks a character class: %v", pw, err)
				}
				if len(pw) < testusers.PasswordLength {
					t.Fatalf("%q is shorter than %d", pw, testusers.PasswordLength)
				}
				if strings.ContainsAny(pw, " %'\"`$\\!#&*;|<>(){}[]?~") {
					t.Fatalf("%q holds a character that needs quoting in a shell or escaping in a workflow command", pw)
				}
				if seen[pw] {
					t.Fatalf("%q generated twice", pw)
				}
				seen[pw] = true
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"no command", nil, nil, "usage: testuser <command>"},
		{"unknown command", nil, []string{"destroy"}, `unknown command "destroy"`},
		{"no pool", map[string]string{"USER_POOL_ID": ""}, []string{"create"}, "missing USER_POOL_ID (-user-pool-id)"},
		{"create with an empty prefix", nil, []string{"create", "-prefix", ""}, `-prefix ""`},
		{"create with a bad domain", nil, []string{"create", "-domain", "not a domain"}, `-domain "not a domain"`},
		{"create -github-env outside GitHub Actions", nil, []string{"create", "-github-env"}, "GITHUB_ENV is not set"},
		{"delete without USERNAME", nil, []string{"delete"}, "missing USERNAME (-username)"},
		{"delete outside the prefix", map[string]string{"USERNAME": "jane@example.com"}, []string{"delete"}, `refusing to delete jane@example.com: the name does not start with "e2e-"`},
		{"sweep with an empty prefix", nil, []string{"sweep", "-prefix", ""}, `-prefix ""`},
		{"sweep with a quote in the prefix", nil, []string{"sweep", "-prefix", `e2e"`}, `-prefix "e2e\""`},
		{"sweep with a negative age", nil, []string{"sweep", "-older-than", "-1h"}, "-older-than must not be negative"},
		{"sweep with a bad duration", nil, []string{"sweep", "--older-than", "2 hours"}, `invalid value "2 hours" for flag -older-than`},
		{"list without a pool", map[string]string{"USER_POOL_ID": ""}, []string{"list"}, "missing USER_POOL_ID (-user-pool-id)"},
		{"list with a quote in the prefix", nil, []string{"list", "-prefix", `e2e"`}, `-prefix "e2e\""`},
		{"list with an argument", nil, []string{"list", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"USER_POOL_ID": "us-east-1_test"}
			for k, v := range tt.env {
				env[k] = v
			}
			var out, errOut bytes.Buffer
			app := &testusers.App{
				Getenv: func(k string) string { return env[k] },
				Stdout: &out, Stderr: &errOut,
				NewClient: func(context.Context) (testusers.API, error) {
					t.Fatal("a usage error must be found before Cognito is called")
					return nil, nil
				},
			}
			if code := app.Run(context.Background(), tt.args); code != testusers.ExitUsage {
				t.Errorf("exit %d, want %d", code, testusers.ExitUsage)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr %q should contain %q", errOut.String(), tt.wantErr)
			}
		})
	}
}

func TestCreatePrintsCredentialsThatSignIn(t *testing.T) {
	s := newStack(t)
	r := s.run(t, nil, "create")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "USERNAME=") || !strings.HasPrefix(lines[1], "PASSWORD=") {
		t.Fatalf("want USERNAME= and PASSWORD= lines and nothing else, got %q", r.stdout)
	}
	v := vars(t, r.stdout)
	username, password := v["USERNAME"], v["PASSWORD"]
	if !strings.HasPrefix(username, "e2e-") || !strings.HasSuffix(username, "@example.com") || len(username) <= len("e2e-@example.com") {
		t.Errorf("username %q should be e2e-<random>@example.com", username)
	}
	if err := templates.PoolPasswordPolicy(t).Check(password); err != nil {
		t.Errorf("password breaks the pool's policy: %v", err)
	}
	if strings.Contains(r.stderr, password) {
		t.Errorf("stderr shows the password")
	}

	// Confirmed, with a verified email, and no temporary password: cmd/token signs it in.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	user, err := s.server.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.server.PoolID), Username: aws.String(username)})
	if err != nil {
		t.Fatal(err)
	}
	if user.UserStatus != types.UserStatusTypeConfirmed {
		t.Errorf("user status %s, want CONFIRMED", user.UserStatus)
	}
	attrs := map[string]string{}
	for _, a := range user.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if attrs["email"] != username || attrs["email_verified"] != "true" {
		t.Errorf("attributes %v: want email %s, verified", attrs, username)
	}

	var tokOut, tokErr bytes.Buffer
	tokEnv := map[string]string{"COGNITO_URL": s.server.URL, "CLIENT_ID": s.server.ClientID, "USERNAME": username, "PASSWORD": password, "AWS_REGION": cognitotest.Region}
	if code := tokencli.Main(context.Background(), nil, func(k string) string { return tokEnv[k] }, &tokOut, &tokErr); code != 0 {
		t.Fatalf("token for the new user: exit %d: %s", code, tokErr.String())
	}
	if parts := strings.Split(strings.TrimSpace(tokOut.String()), "."); len(parts) != 3 {
		t.Errorf("token printed %q, want a JWT", tokOut.String())
	}
}

func TestCreateUsesPrefixAndDomain(t *testing.T) {
	s := newStack(t)
	username, _ := s.create(t, "-prefix", "e2e-pr42-", "-domain", "test.example.org")
	if !strings.HasPrefix(username, "e2e-pr42-") || !strings.HasSuffix(username, "@test.example.org") {
		t.Errorf("username %q", username)
	}
	other, _ := s.create(t, "-prefix", "e2e-pr42-", "-domain", "test.example.org")
	if other == username {
		t.Errorf("two creates gave the same username %q", username)
	}
}

func TestCreateInGitHubActions(t *testing.T) {
	s := newStack(t)
	tests := []struct {
		name          string
		env           map[string]string
		args          []string
		wantMask      bool
		wantGitHubEnv bool
	}{
		{"outside GitHub Actions: no mask", nil, nil, false, false},
		{"GITHUB_ACTIONS=true: mask line first", map[string]string{"GITHUB_ACTIONS": "true"}, nil, true, false},
		{"-github-env: mask line and GITHUB_ENV", map[string]string{"GITHUB_ACTIONS": "true"}, []string{"-github-env"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			envFile := filepath.Join(t.TempDir(), "github_env")
			env := map[string]string{"GITHUB_ENV": envFile}
			for k, v := range tt.env {
				env[k] = v
			}
			r := s.run(t, env, append([]string{"create"}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			v := vars(t, r.stdout)
			lines := strings.Split(r.stdout, "\n")
			mask := "::add-mask::" + v["PASSWORD"]
			if tt.wantMask && lines[0] != mask {
				t.Errorf("first line %q, want %q", lines[0], mask)
			}
			if !tt.wantMask && strings.Contains(r.stdout, "::add-mask::") {
				t.Errorf("mask line outside GitHub Actions: %q", r.stdout)
			}
			written, err := os.ReadFile(envFile)
			if tt.wantGitHubEnv {
				want := "USERNAME=" + v["USERNAME"] + "\nPASSWORD=" + v["PASSWORD"] + "\n"
				if err != nil || string(written) != want {
					t.Errorf("GITHUB_ENV holds %q (%v), want %q", written, err, want)
				}
			} else if !errors.Is(err, os.ErrNotExist) {
				t.Errorf("GITHUB_ENV written without -github-env: %q", written)
			}
		})
	}
}

func TestDeleteRemovesTheUserAndToleratesAGoneOne(t *testing.T) {
	s := newStack(t)
	username, _ := s.create(t)
	if !s.exists(t, username) {
		t.Fatalf("%s was not created", username)
	}

	r := s.run(t, map[string]string{"USERNAME": username}, "delete")
	if r.code != 0 {
		t.Fatalf("delete: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "deleted "+username) {
		t.Errorf("stderr %q should say it deleted %s", r.stderr, username)
	}
	if s.exists(t, username) {
		t.Errorf("%s still exists after delete", username)
	}

	r = s.run(t, nil, "delete", "-username", username)
	if r.code != 0 {
		t.Fatalf("second delete: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, username+" was already gone") {
		t.Errorf("stderr %q should say the user was already gone", r.stderr)
	}
}

func TestDeleteRefusesUsersOutsideThePrefix(t *testing.T) {
	s := newStack(t)
	s.server.TemporaryUser(t, "jane@example.com", "Temporary-Pass-1")
	r := s.run(t, map[string]string{"USERNAME": "jane@example.com"}, "delete")
	if r.code != testusers.ExitUsage {
		t.Errorf("exit %d, want %d", r.code, testusers.ExitUsage)
	}
	if !s.exists(t, "jane@example.com") {
		t.Errorf("jane@example.com was deleted")
	}
}

func TestSweepDeletesOnlyOldPrefixedUsers(t *testing.T) {
	s := newStack(t)
	old1, _ := s.create(t)
	old2, _ := s.create(t)
	s.server.TemporaryUser(t, "jane@example.com", "Temporary-Pass-1")
	other, _ := s.create(t, "-prefix", "smoke-")

	// Nothing is older than a day yet.
	r := s.run(t, nil, "sweep", "--older-than", "24h")
	if r.code != 0 {
		t.Fatalf("sweep: exit %d: %s", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("sweep -older-than 24h deleted %q", r.stdout)
	}

	// A dry run lists the prefixed users and deletes none.
	r = s.run(t, nil, "sweep", "-older-than", "0s", "-dry-run")
	if r.code != 0 {
		t.Fatalf("dry run: exit %d: %s", r.code, r.stderr)
	}
	for _, u := range []string{old1, old2} {
		if !strings.Contains(r.stdout, "would delete "+u+" (") {
			t.Errorf("dry run output %q should list %s", r.stdout, u)
		}
		if !s.exists(t, u) {
			t.Errorf("dry run deleted %s", u)
		}
	}
	if n := strings.Count(r.stdout, "\n"); n != 2 {
		t.Errorf("dry run lists %d users, want 2: %q", n, r.stdout)
	}

	r = s.run(t, nil, "sweep", "-older-than", "0s")
	if r.code != 0 {
		t.Fatalf("sweep: exit %d: %s", r.code, r.stderr)
	}
	for _, u := range []string{old1, old2} {
		if !strings.Contains(r.stdout, "deleted "+u+" (") {
			t.Errorf("sweep output %q should name %s", r.stdout, u)
		}
		if s.exists(t, u) {
			t.Errorf("sweep left %s", u)
		}
	}
	for _, u := range []string{"jane@example.com", other} {
		if !s.exists(t, u) {
			t.Errorf("sweep deleted %s, which is outside the prefix", u)
		}
	}

	// Nothing left to do is a success.
	if r = s.run(t, nil, "sweep", "-older-than", "0s"); r.code != 0 || r.stdout != "" {
		t.Errorf("second sweep: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestSweepReadsEveryPage(t *testing.T) {
	s := newStack(t)
	const n = 130 // more than two pages of 60
	for i := range n {
		s.server.TemporaryUser(t, fmt.Sprintf("e2e-page%03d@example.com", i), "Temporary-Pass-1")
	}
	r := s.run(t, nil, "sweep", "-older-than", "0s")
	if r.code != 0 {
		t.Fatalf("sweep: exit %d: %s", r.code, r.stderr)
	}
	if got := strings.Count(r.stdout, "deleted "); got != n {
		t.Errorf("sweep deleted %d users, want %d", got, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	left, err := s.server.Client.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(s.server.PoolID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(left.Users) != 0 {
		t.Errorf("%d users left after the sweep", len(left.Users))
	}
}

func TestUnreachableCognitoFailsWithOneLine(t *testing.T) {
	dir := t.TempDir()
	for k, v := range cognitotest.EnvFor(cognitotest.ClosedURL(t), dir) {
		t.Setenv(k, v)
	}
	for _, args := range [][]string{{"create"}, {"delete", "-username", "e2e-x@example.com"}, {"sweep"}, {"list"}} {
		t.Run(args[0], func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := testusers.Main(context.Background(), append(args, "-timeout", "5s"),
				func(k string) string { return map[string]string{"USER_POOL_ID": "us-east-1_x"}[k] }, &out, &errOut)
			if code != testusers.ExitFailure {
				t.Errorf("exit %d, want %d", code, testusers.ExitFailure)
			}
			if strings.Count(errOut.String(), "\n") != 1 || !strings.Contains(errOut.String(), "connection refused") {
				t.Errorf("stderr %q: want one line naming the refused connection", errOut.String())
			}
		})
	}
}
