package e2e_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fromAddress is an HTTP client whose connections leave from the loopback address ip, so that the
// stack sees it as its own client (the web ACL counts the TCP peer's address).
func fromAddress(ip string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext}}
}

func callFrom(t *testing.T, c *http.Client, s *stack, path, body string) response {
	t.Helper()
	resp, err := c.Post(s.Out.ApiUrl+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// The abuse cases of the public routes, each stopped for the one address that commits it: past the
// web ACL's per-address limit that address gets the API's 429 JSON, while another address is served.
// API Gateway's own per-route throttling is raised out of the way, so that every 429 here is WAF's:
// without the web ACL (today's templates before it) no answer here would be 429.
func TestWAF_OneAddressPastItsLimitIs429WhileAnotherIsServed(t *testing.T) {
	s := startStack(t, "-parameter-overrides",
		"PublicRateLimit=10000 PublicBurstLimit=10000 WafPublicRouteLimit=10 WafPublicRouteWindow=60")
	other := fromAddress("127.0.0.3")
	forgot := func(int) string { return `{"username":"nobody@example.com"}` }
	tests := []struct {
		name, abuser, path string
		body               func(i int) string
		limit, served      int
	}{
		// Password spraying: wrong passwords for one account after another.
		{"sign-in", "127.0.0.2", "/login", func(int) string {
			return mustJSON(map[string]string{"username": newEmail(), "password": "Wrong-Passw0rd!"})
		}, 10, http.StatusUnauthorized},
		// The routes that send e-mail or create accounts: the defaults, 10 per 600 s.
		{"password reset e-mail", "127.0.0.4", "/password/forgot", forgot, 10, http.StatusAccepted},
		{"sign-up", "127.0.0.5", "/signup", func(int) string {
			return mustJSON(map[string]string{"username": newEmail(), "password": newPassword()})
		}, 10, http.StatusAccepted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			abuser := fromAddress(tc.abuser)
			for i := range tc.limit {
				if r := callFrom(t, abuser, s, tc.path, tc.body(i)); r.status != tc.served {
					t.Fatalf("request %d of %d from %s: status %d %s, want %d", i+1, tc.limit, tc.abuser, r.status, r.body, tc.served)
				}
			}
			r := callFrom(t, abuser, s, tc.path, tc.body(tc.limit))
			assertStatus(t, r, http.StatusTooManyRequests)
			if msg := r.message(t); msg != "Too Many Requests" {
				t.Fatalf("429 message %q", msg)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("429 Content-Type %q", ct)
			}
			if r := callFrom(t, other, s, tc.path, tc.body(tc.limit+1)); r.status != tc.served {
				t.Fatalf("127.0.0.3 after %s was blocked: status %d %s, want %d", tc.abuser, r.status, r.body, tc.served)
			}
		})
	}
	if !strings.Contains(s.logs.String(), "blocked by the stage's web ACL") {
		t.Fatal("no access log line says the web ACL blocked a request")
	}
}

// WafEnabled=false removes the web ACL locally as in the cloud: one address is then limited only by
// the route's throttling, shared with everyone.
func TestWAF_OffSwitchLeavesTheRoutesToTheSharedThrottle(t *testing.T) {
	s := startStack(t, "-parameter-overrides", "WafEnabled=false")
	abuser := fromAddress("127.0.0.2")
	for i := range 11 {
		if r := callFrom(t, abuser, s, "/password/forgot", `{"username":"nobody@example.com"}`); r.status != http.StatusAccepted {
			t.Fatalf("request %d with WafEnabled=false: status %d %s, want 202", i+1, r.status, r.body)
		}
	}
}
