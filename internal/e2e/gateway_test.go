package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/localstack/launch"
	"github.com/example/cognito-sam-go/internal/testlog"
)

// With CorsAllowOrigin empty (the default) there is no CORS at all: OPTIONS is an unknown method.
func TestCORSOff_OptionsIsMissingAuthenticationToken(t *testing.T) {
	s := sharedStack(t)
	r := call(t, s, "OPTIONS", "/login", "", "Origin", "http://127.0.0.1:8080", "Access-Control-Request-Method", "POST")
	assertStatus(t, r, http.StatusForbidden)
	if got := r.message(t); got != "Missing Authentication Token" {
		t.Fatalf("message %q", got)
	}
	if v := r.header.Get("Access-Control-Allow-Origin"); v != "" {
		t.Fatalf("Access-Control-Allow-Origin %q with CORS off", v)
	}
}

// PARAMETER_OVERRIDES reach the templates as a deploy's would: with an origin set, a preflight is
// answered by the mock integration and every answer, the authorizer's refusals included, names it.
func TestCORSOn_PreflightAndRefusalsNameTheOrigin(t *testing.T) {
	const origin = "http://127.0.0.1:8080"
	s := startStack(t, "-parameter-overrides", "CorsAllowOrigin="+origin)
	pre := call(t, s, "OPTIONS", "/echo", "", "Origin", origin, "Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "authorization,content-type")
	if pre.status != http.StatusOK {
		t.Fatalf("preflight status %d: %s", pre.status, pre.body)
	}
	if got := pre.header.Get("Access-Control-Allow-Origin"); got != origin {
		t.Fatalf("preflight Access-Control-Allow-Origin %q, want %q", got, origin)
	}
	if got := pre.header.Get("Access-Control-Allow-Headers"); !strings.Contains(strings.ToLower(got), "authorization") {
		t.Fatalf("preflight Access-Control-Allow-Headers %q", got)
	}
	refused := call(t, s, "POST", "/echo", `{}`, "Origin", origin)
	assertStatus(t, refused, http.StatusUnauthorized)
	if got := refused.header.Get("Access-Control-Allow-Origin"); got != origin {
		t.Fatalf("401 Access-Control-Allow-Origin %q, want %q", got, origin)
	}
	bad := call(t, s, "POST", "/login", `{"username":"nobody@example.com","password":"Wrong-Passw0rd!"}`, "Origin", origin)
	assertStatus(t, bad, http.StatusUnauthorized)
	if got := bad.header.Get("Access-Control-Allow-Origin"); got != origin {
		t.Fatalf("function answer Access-Control-Allow-Origin %q, want %q", got, origin)
	}
}

// The public routes' method throttling (PublicRateLimit/PublicBurstLimit) is enforced as API
// Gateway's token bucket: past the burst, 429 with the THROTTLED gateway response.
func TestPublicRouteThrottling_PastTheBurstIs429TooManyRequests(t *testing.T) {
	s := startStack(t, "-parameter-overrides", "PublicRateLimit=1 PublicBurstLimit=3")
	body := `{"username":"nobody@example.com","password":"Wrong-Passw0rd!"}`
	statuses := map[int]int{}
	var throttled response
	for range 6 {
		r := call(t, s, "POST", "/login", body)
		statuses[r.status]++
		if r.status == http.StatusTooManyRequests {
			throttled = r
		}
	}
	if statuses[http.StatusTooManyRequests] == 0 || statuses[http.StatusUnauthorized] == 0 {
		t.Fatalf("statuses %v: want the first calls answered (401) and the rest throttled (429)", statuses)
	}
	assertStatus(t, throttled, http.StatusTooManyRequests)
	if got := throttled.message(t); got != "Too Many Requests" {
		t.Fatalf("429 message %q", got)
	}
	// The echo route keeps the stage's own limit: not throttled by /login's bucket.
	if r := call(t, s, "POST", "/echo", `{}`); r.status != http.StatusUnauthorized {
		t.Fatalf("/echo status %d after /login was throttled, want the authorizer's 401", r.status)
	}
}

// Two stacks with different ports and state directories run side by side; neither touches the
// other's files, and a second stack on a state directory in use is refused with a clear message.
func TestLocalStack_TwoStacksSideBySideKeepTheirOwnState(t *testing.T) {
	a := startStack(t)
	b := startStack(t)
	if a.StateDir == b.StateDir || a.Out.ApiUrl == b.Out.ApiUrl {
		t.Fatalf("stacks share %s / %s", a.StateDir, a.Out.ApiUrl)
	}
	for _, s := range []*stack{a, b} {
		if r := call(t, s, "POST", "/echo", `{}`); r.status != http.StatusUnauthorized {
			t.Fatalf("%s: /echo status %d", s.Out.ApiUrl, r.status)
		}
		if _, err := os.Stat(filepath.Join(s.StateDir, "outputs.json")); err != nil {
			t.Fatal(err)
		}
	}
	// A third stack on a's state directory is refused before it writes anything there.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, localBinary(t), "-api-port", strconv.Itoa(freePort(t)),
		"-cognito-port", strconv.Itoa(freePort(t)), "-root", "../..", "-state-dir", a.StateDir).CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("a second stack on a state directory in use: err %v, ctx %v\n%s", err, ctx.Err(), out)
	}
	if !strings.Contains(string(out), "in use by another local stack") {
		t.Fatalf("output does not say the state directory is in use:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(a.StateDir, "outputs.json")); err != nil {
		t.Fatalf("the refused stack removed the running one's outputs.json: %v", err)
	}
	if r := call(t, a, "POST", "/echo", `{}`); r.status != http.StatusUnauthorized {
		t.Fatalf("the running stack stopped answering: /echo status %d", r.status)
	}
}

// launchIn starts bin on the repository at root with the given state directory.
func launchIn(t *testing.T, bin, root, stateDir string) (*launch.Stack, error) {
	t.Helper()
	logs := &testlog.Buffer{}
	ls, err := launch.Start(context.Background(), bin, root, stateDir, logs)
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, logs.String())
	}
	return ls, nil
}
