package apigateway_test

import (
	"net/http"
	"strings"
	"testing"
)

// The stage's filter (the web ACL) sees a request before API Gateway does: its answer replaces the
// gateway's entirely, even for a path with no route, the access log line records it, and a request it
// lets through is served as usual.
func TestFilter_AnswersBeforeTheGatewayAndIsLogged(t *testing.T) {
	block := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("X-Test-Block") == "" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"message":"Too Many Requests"}`))
		return true
	}
	s := start(t, options{filter: block})
	for _, path := range []string{"/login", "/no-such-route"} {
		resp, body := s.do(t, "POST", path, `{}`, "X-Test-Block", "1")
		if resp.StatusCode != http.StatusTooManyRequests || body["message"] != "Too Many Requests" {
			t.Fatalf("%s blocked: %d %v, want the filter's 429", path, resp.StatusCode, body)
		}
	}
	if resp, body := s.do(t, "POST", "/no-such-route", `{}`); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unblocked request: %d %v, want the gateway's own 403", resp.StatusCode, body)
	}
	if !strings.Contains(s.logs.String(), `"status":429`) || !strings.Contains(s.logs.String(), "web ACL") {
		t.Fatalf("no access log line for the blocked request:\n%s", s.logs)
	}
}
