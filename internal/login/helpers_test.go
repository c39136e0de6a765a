package login_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
	"github.com/example/cognito-sam-go/internal/login"
	"github.com/example/cognito-sam-go/internal/templates"
	"github.com/example/cognito-sam-go/internal/testlog"
)

// What the golden events in testdata carry.
// issuedTokensBody is the 200 body of a sign-in for which the fake issued the tokens below.
var issuedTokensBody = map[string]any{
	"id_token":      issuedIDToken,
	"access_token":  issuedAccessToken,
	"refresh_token": issuedRefreshToken,
	"expires_in":    float64(3600),
	"token_type":    "Bearer",
}

const (
	goldenUsername     = "alice@example.com"
	goldenPassword     = "Correct-Horse-9!"
	goldenSession      = "AYABeNEWPASSWORDSESSION-0123456789"
	goldenNewPassword  = "Brand-New-Secret-42"
	goldenRefreshToken = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.REFRESH-TOKEN-SAMPLE"
	goldenCode         = "482913"
)

// What the fake Cognito hands out.
const (
	testClientID       = "3n4b5urk1ft4fl3mg5e62d9ado"
	testRegion         = "eu-west-1"
	issuedIDToken      = "eyJraWQiOiJpZC10b2tlbiJ9.ID-TOKEN-PAYLOAD.sig"
	issuedAccessToken  = "eyJraWQiOiJhY2Nlc3MifQ.ACCESS-TOKEN-PAYLOAD.sig"
	issuedRefreshToken = "eyJjdHkiOiJKV1QifQ.ISSUED-REFRESH-TOKEN.x"
	issuedSession      = "AYABeISSUED-CHALLENGE-SESSION-abcdefghij"
)

const (
	loginEvent       = "login-request.json"
	newPasswordEvent = "new-password-request.json"
	refreshEvent     = "refresh-request.json"
	signUpEvent      = "signup-request.json"
	resendEvent      = "signup-resend-request.json"
	forgotEvent      = "password-forgot-request.json"
	resetEvent       = "password-reset-request.json"
	logoutEvent      = "logout-request.json"
)

// allEvents is one golden request per route, and the operation each one calls.
var allEvents = []struct{ event, op string }{
	{loginEvent, opInitiateAuth},
	{newPasswordEvent, opRespondToAuthChallenge},
	{refreshEvent, opInitiateAuth},
	{signUpEvent, opSignUp},
	{resendEvent, opResendConfirmationCode},
	{forgotEvent, opForgotPassword},
	{resetEvent, opConfirmForgotPassword},
	{logoutEvent, opRevokeToken},
}

// harness is the handler under test, wired as in production: the real SDK client against the
// project's Cognito emulation (its pool and client made as the templates make them), and requests
// going through the real API Gateway proxy adapter.
type harness struct {
	cognito cognito
	handler http.Handler
	logs    *testlog.Buffer
}

type option func(*login.Config)

func withCallTimeout(d time.Duration) option { return func(c *login.Config) { c.CallTimeout = d } }

func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	return newHarnessOn(t, cognito{cognitotest.Start(t)}, opts...)
}

// frozenClock is the emulation's clock where a state must last (a lockout): it never moves.
func frozenClock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func newHarnessOn(t *testing.T, c cognito, opts ...option) *harness {
	t.Helper()
	h := newHarnessAt(t, c.URL, c.ClientID, opts...)
	h.cognito = c
	return h
}

// newCannedHarness is a harness whose Cognito answers r to every call, retries included: a Cognito
// that throttles or fails keeps doing so, which an injected next answer (the SDK retries those
// once) cannot show. It has no emulation behind it (h.cognito is empty).
func newCannedHarness(t *testing.T, r reply, opts ...option) *harness {
	t.Helper()
	return newHarnessAt(t, canned(t, r, nil), testClientID, opts...)
}

func newHarnessAt(t *testing.T, endpoint, clientID string, opts ...option) *harness {
	t.Helper()
	cfg := login.Config{ClientID: clientID, CallTimeout: 2 * time.Second, PasswordPolicy: templates.PoolPasswordPolicy(t)}
	for _, o := range opts {
		o(&cfg)
	}
	logs := &testlog.Buffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := login.New(login.NewCognitoClient(cognitotest.Region, endpoint), cfg, logger)
	return &harness{handler: h, logs: logs}
}

// replyAll gives every operation the same reply, for behaviour every route shares.
func (h *harness) replyAll(r reply) {
	for _, e := range allEvents {
		h.cognito.Reply(e.op, r)
	}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (h *harness) invoke(t *testing.T, ev events.APIGatewayProxyRequest) response {
	t.Helper()
	return invoke(t, h.handler, ev)
}

func invoke(t testing.TB, handler http.Handler, ev events.APIGatewayProxyRequest) response {
	t.Helper()
	// As Lambda runs it: a deadline (the function's 10 s timeout) and the invocation's request id.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: ev.RequestContext.RequestID})
	out, err := httpadapter.New(handler).ProxyWithContext(ctx, ev)
	if err != nil {
		t.Fatalf("proxy adapter: %v", err)
	}
	if out.IsBase64Encoded {
		t.Fatalf("answer body is not UTF-8 text: %q", out.Body)
	}
	return response{status: out.StatusCode, header: http.Header(out.MultiValueHeaders), body: out.Body}
}

// event loads a golden API Gateway (REST, v1) proxy event from testdata.
func event(t testing.TB, name string) events.APIGatewayProxyRequest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read golden event: %v", err)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("decode golden event %s: %v", name, err)
	}
	return ev
}

func withBody(ev events.APIGatewayProxyRequest, body string) events.APIGatewayProxyRequest {
	ev.Body = body
	return ev
}

func (r response) wantStatus(t *testing.T, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body %s", r.status, want, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
}

// object decodes the answer as one JSON object.
func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v; body %s", err, r.body)
	}
	return m
}

// message checks the contract's error shape, {"message": "..."} and nothing else, and returns it.
func (r response) message(t *testing.T) string {
	t.Helper()
	m := r.object(t)
	msg, ok := m["message"].(string)
	if len(m) != 1 || !ok || msg == "" {
		t.Fatalf(`error body = %s, want exactly {"message": "<non-empty>"}`, r.body)
	}
	return msg
}

func (h *harness) wantNoCognitoCall(t *testing.T) {
	t.Helper()
	if calls := h.cognito.Calls(); len(calls) != 0 {
		t.Fatalf("Cognito got %d call(s), want none: input must be refused before any call", len(calls))
	}
}

func (h *harness) onlyCall(t *testing.T, wantOp string) input {
	t.Helper()
	calls := h.cognito.Calls()
	if len(calls) != 1 {
		t.Fatalf("Cognito got %d calls, want 1", len(calls))
	}
	if calls[0].Operation != wantOp {
		t.Fatalf("Cognito operation = %q, want %q", calls[0].Operation, wantOp)
	}
	in, err := calls[0].Input()
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// lines decodes every log line; each must be one JSON object.
func logLines(t *testing.T, b *testlog.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range bytes.Lines([]byte(b.String())) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		out = append(out, m)
	}
	return out
}

// jsonHasNoKey reports whether the JSON object body lacks key.
func jsonHasNoKey(t *testing.T, body, key string) bool {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not a JSON object: %v", err)
	}
	_, has := m[key]
	return !has
}
