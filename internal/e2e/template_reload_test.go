package e2e_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitStatus calls method path until it answers want, boundedly: the effect of a reload is observed,
// not waited for blindly.
func waitStatus(t *testing.T, s *stack, method, path string, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r := call(t, s, method, path, "")
		if r.status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s %s to answer %d; last %d %s; output:\n%s", within, method, path, want, r.status, r.body, s.logs)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// With -watch, a template change (here: the scaffold adds a public GET /hello to api-stack/template.yaml)
// is translated and deployed again and served without a restart; Cognito keeps its users and keys, so
// an existing user still signs in and a token issued before the reload still passes the authorizer. A
// template that fails to deploy prints its error once and the previous stack keeps serving.
func TestLocalStack_TemplateReloadServesTheNewRouteAndKeepsCognitoState(t *testing.T) {
	root := copyRepository(t)
	s := startWatching(t, root)
	logs := s.logs
	email, password := newEmail(), newPassword()
	s.createUser(t, email, password)
	idToken := login(t, s, email, password)["id_token"].(string)
	assertStatus(t, call(t, s, "GET", "/hello", ""), http.StatusForbidden) // no such route yet
	waitLog(t, logs, "watching the functions' Go code and the templates", 1, time.Minute)

	scaffoldHello(t, root)
	waitStatus(t, s, "GET", "/hello", http.StatusOK, 5*time.Minute)
	stillSignedIn := func() {
		t.Helper()
		assertStatus(t, call(t, s, "POST", "/echo", `{"after":"reload"}`, "Authorization", idToken), http.StatusOK)
		login(t, s, email, password)
	}
	stillSignedIn()

	tpl := filepath.Join(root, "api-stack", "template.yaml")
	good, err := os.ReadFile(tpl)
	must(t, err)
	broken := string(good) + "  BrokenByTheTest:\n    Value: !GetAtt NoSuchResourceByTheTest.Arn\n"
	must(t, os.WriteFile(tpl, []byte(broken), 0o644))
	waitLog(t, logs, `"msg":"template reload failed: the previous stack keeps serving"`, 1, 3*time.Minute)
	assertStatus(t, call(t, s, "GET", "/hello", ""), http.StatusOK)
	stillSignedIn()

	reloads := strings.Count(logs.String(), `"msg":"reloaded the templates"`)
	must(t, os.WriteFile(tpl, good, 0o644))
	waitLog(t, logs, `"msg":"reloaded the templates"`, reloads+1, 5*time.Minute)
	if n := strings.Count(logs.String(), "NoSuchResourceByTheTest"); n != 1 {
		t.Errorf("the deploy error printed %d times, want once:\n%s", n, logs)
	}
	assertStatus(t, call(t, s, "GET", "/hello", ""), http.StatusOK)
	stillSignedIn()
}
