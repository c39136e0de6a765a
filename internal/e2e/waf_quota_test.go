package e2e_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mailTo counts the messages the local Cognito sent to address (mail.jsonl, one JSON line each).
func mailTo(t *testing.T, s *stack, address string) int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(s.StateDir, "mail.jsonl"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var m map[string]any
		if line != "" && json.Unmarshal([]byte(line), &m) == nil && m["to"] == address {
			n++
		}
	}
	return n
}

// The e-mail quota scenario. Cognito's own sender (COGNITO_DEFAULT) allows a daily number of messages
// for the whole account (50; 12 here, -mail-quota). One address is stopped by the web ACL before it
// can spend the quota alone. Once many addresses have spent it, a new user still gets the same 202 and
// no confirmation link, an existing user asking for a reset code no code, and the only trace is the
// login function's log line with Cognito's LimitExceededException: what the CognitoLimitExceeded metric
// filter and alarm count in the cloud.
func TestWAF_EmailQuota_OneAddressCannotSpendItAndWhatAUserSeesOnceItIsGone(t *testing.T) {
	s := startStack(t, "-mail-quota", "12", "-parameter-overrides", "PublicRateLimit=10000 PublicBurstLimit=10000")
	signUp := func(ip string) (string, response) {
		email := newEmail()
		return email, callFrom(t, fromAddress(ip), s, "/signup", mustJSON(map[string]string{"username": email, "password": newPassword()}))
	}
	sent := 0
	for i := range 10 {
		email, r := signUp("127.0.0.2")
		assertStatus(t, r, http.StatusAccepted)
		if mailTo(t, s, email) != 1 {
			t.Fatalf("sign-up %d from 127.0.0.2: no confirmation link", i+1)
		}
		sent++
	}
	if _, r := signUp("127.0.0.2"); r.status != http.StatusTooManyRequests {
		t.Fatalf("11th sign-up from 127.0.0.2 in 10 minutes: status %d, want the web ACL's 429", r.status)
	}
	// One address spent 10 of the 12: others still get their links. Two more addresses spend the rest.
	for _, ip := range []string{"127.0.0.3", "127.0.0.4"} {
		email, r := signUp(ip)
		assertStatus(t, r, http.StatusAccepted)
		if mailTo(t, s, email) != 1 {
			t.Fatalf("sign-up from %s with %d of 12 messages sent: no confirmation link", ip, sent)
		}
		sent++
	}
	// The quota is gone: a new user gets the same answer and no link.
	email, r := signUp("127.0.0.5")
	assertStatus(t, r, http.StatusAccepted)
	if got := r.message(t); !strings.Contains(got, "confirmation link is on its way") {
		t.Fatalf("answer past the quota %q, want the usual sign-up message", got)
	}
	if n := mailTo(t, s, email); n != 0 {
		t.Fatalf("%d messages to %s past the daily quota", n, email)
	}
	// The login function logs Cognito's LimitExceededException (never retried: Cognito created the
	// account with the first attempt), what the CognitoLimitExceeded metric filter reads.
	waitForLogLines(t, s, 1)
	// An existing user asking for a reset code gets the same 202 and no code, logged the same way.
	user := newEmail()
	s.createUser(t, user, newPassword())
	r = callFrom(t, fromAddress("127.0.0.6"), s, "/password/forgot", mustJSON(map[string]string{"username": user}))
	assertStatus(t, r, http.StatusAccepted)
	if n := mailTo(t, s, user); n != 0 {
		t.Fatalf("%d reset codes to %s past the daily quota", n, user)
	}
	waitForLogLines(t, s, 2)
}

// waitForLogLines waits, boundedly, until the stack's output holds n log lines naming Cognito's
// LimitExceededException: a function's log line reaches the output after its answer.
func waitForLogLines(t *testing.T, s *stack, n int) {
	t.Helper()
	const line = `"cognito_error":"LimitExceededException"`
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(s.logs.String(), line) < n {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d log lines with %s within 10 s (what the CognitoLimitExceeded metric filter reads):\n%s", n, line, s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
