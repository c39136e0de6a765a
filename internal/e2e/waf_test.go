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
	abuser, other := fromAddress("127.0.0.2"), fromAddress("127.0.0.3")
	tests := []struct {
		name, path, body string
		limit, served    int
	}{
		// Password spraying: wrong passwords for one account after another.
		{"sign-in", "/login", `{"username":"nobody@example.com","password":"Wrong-Passw0rd!"}`, 10, http.StatusUnauthorized},
		// E-mail and account creation: the defaults, 10 per 600 s.
		{"password reset e-mail", "/password/forgot", `{"username":"nobody@example.com"}`, 10, http.StatusAccepted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.limit {
				if r := callFrom(t, abuser, s, tc.path, tc.body); r.status != tc.served {
					t.Fatalf("request %d of %d from 127.0.0.2: status %d %s, want %d", i+1, tc.limit, r.status, r.body, tc.served)
				}
			}
			r := callFrom(t, abuser, s, tc.path, tc.body)
			assertStatus(t, r, http.StatusTooManyRequests)
			if msg := r.message(t); msg != "Too Many Requests" {
				t.Fatalf("429 message %q", msg)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("429 Content-Type %q", ct)
			}
			if r := callFrom(t, other, s, tc.path, tc.body); r.status != tc.served {
				t.Fatalf("127.0.0.3 after 127.0.0.2 was blocked: status %d %s, want %d", r.status, r.body, tc.served)
			}
		})
	}
	if !strings.Contains(s.logs.String(), "blocked by the stage's web ACL") {
		t.Fatal("no access log line says the web ACL blocked a request")
	}
}
