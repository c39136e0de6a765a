package apigateway_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestOneLogLinePerRequestWithoutSecrets: each request logs requestId, method, path, resource,
// status and latency, and a refusal its reason; never the token, a header, query or body.
func TestOneLogLinePerRequestWithoutSecrets(t *testing.T) {
	s := start(t, options{})
	access := s.idToken(t, map[string]any{"token_use": "access"})
	s.do(t, "POST", "/echo?password=hunter2hunter2", `{"password":"hunter2hunter2"}`, "Authorization", access)
	s.do(t, "POST", "/login", `{"password":"hunter2hunter2"}`, "X-Secret", "s3cr3t-header")
	logs := s.logs.String()
	for _, secret := range []string{access, "hunter2hunter2", "s3cr3t-header"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("secret in logs:\n%s", logs)
		}
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("%d request lines, want 2:\n%s", len(lines), logs)
	}
	refused, served := lines[0], lines[1]
	if refused["status"] != 401.0 || refused["resource"] != "/echo" || refused["reason"] != `token_use is "access", ID token required` {
		t.Fatalf("refusal line %v", refused)
	}
	for _, k := range []string{"requestId", "method", "path", "resource", "status", "latency_ms"} {
		if _, ok := served[k]; !ok {
			t.Fatalf("line without %s: %v", k, served)
		}
	}
}

// An unmatched request is API Gateway's bare 403, and the local log names the routes the API has.
func TestUnmatchedRequestLogsTheRoutesThereAre(t *testing.T) {
	s := start(t, options{})
	s.do(t, "GET", "/logn", "")
	logs := s.logs.String()
	for _, want := range []string{`"status":403`, "no route for this method and path", "POST /echo", "POST /login"} {
		if !strings.Contains(logs, want) {
			t.Fatalf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestNetHTTPRefusalsAreLoggedAsJSON(t *testing.T) {
	s := start(t, options{})
	s.raw(t, "BROKEN\r\n\r\n")
	// The gateway logs net/http's refusal after writing it to the connection, so the client can
	// read the answer before the line exists: wait for it, boundedly.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.logs.String(), `"status":400`) {
		if time.Now().After(deadline) {
			t.Fatalf("no log line for net/http's 400 within 5 s:\n%s", s.logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
