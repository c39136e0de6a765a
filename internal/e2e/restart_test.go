package e2e_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/example/cognito-sam-go/internal/localstack/launch"
	"github.com/example/cognito-sam-go/internal/testlog"
)

// startIn launches a stack on stateDir (kept after it stops, for the next start).
func startIn(t *testing.T, stateDir string) *stack {
	t.Helper()
	logs := &testlog.Buffer{}
	ls, err := launch.Start(context.Background(), localBinary(t), "../..", stateDir, logs)
	if err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	s := &stack{Stack: ls, logs: logs}
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

// The contract: "a restarted stack has the same ids, and earlier tokens still verify", users still
// sign in and refresh tokens still refresh.
func TestLocalStack_RestartKeepsIDsUsersAndTokens(t *testing.T) {
	state := t.TempDir()
	first := startIn(t, state)
	email, password := newEmail(), newPassword()
	first.createUser(t, email, password)
	tokens := login(t, first, email, password)
	if err := first.Stop(); err != nil {
		t.Fatalf("%v\n%s", err, first.logs.String())
	}

	second := startIn(t, state)
	if second.Out.UserPoolId != first.Out.UserPoolId || second.Out.UserPoolClientId != first.Out.UserPoolClientId {
		t.Fatalf("ids changed across the restart: %+v then %+v", first.Out, second.Out)
	}
	echo := call(t, second, "POST", "/echo", `{"after":"restart"}`, "Authorization", tokens["id_token"].(string))
	assertStatus(t, echo, http.StatusOK)
	refreshed := call(t, second, "POST", "/refresh", mustJSON(map[string]string{"refresh_token": tokens["refresh_token"].(string)}))
	assertStatus(t, refreshed, http.StatusOK)
	login(t, second, email, password)
}

// "A crash (SIGKILL) loses nothing that was answered": a sign-up answered 202 and killed at once is
// still there after a restart, and its mailed link confirms it.
func TestLocalStack_SIGKILLLosesNothingAnswered(t *testing.T) {
	state := t.TempDir()
	first := startIn(t, state)
	email, password := newEmail(), newPassword()
	r := call(t, first, "POST", "/signup", mustJSON(map[string]string{"username": email, "password": password}))
	assertStatus(t, r, http.StatusAccepted)
	first.Kill()
	// A killed stack leaves its outputs.json behind; the next start must not be taken as ready on it.
	if err := os.Remove(filepath.Join(state, "outputs.json")); err != nil {
		t.Fatal(err)
	}

	second := startIn(t, state)
	link, err := url.Parse(lastMail(t, second, email, "signup")["link"])
	if err != nil {
		t.Fatal(err)
	}
	// The link names the first stack's Cognito port; the restarted stack listens on another.
	cognitoURL, _ := url.Parse(second.Out.CognitoUrl)
	link.Host = cognitoURL.Host
	resp, err := httpClient.Get(link.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirmation link after the restart: %d", resp.StatusCode)
	}
	login(t, second, email, password)
}
