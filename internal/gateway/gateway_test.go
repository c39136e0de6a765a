package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer"
	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
	"github.com/example/cognito-sam-go/internal/gateway"
	"github.com/example/cognito-sam-go/internal/samtemplate"
)

const issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test"

// inspect is a function that answers with what it received: the proxy event's context, as the
// real functions read it through aws-lambda-go-api-proxy.
var inspect = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	ctx, _ := core.GetAPIGatewayContextFromContext(r.Context())
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"path": r.URL.Path, "query": r.URL.RawQuery, "body": string(body),
		"resourcePath": ctx.ResourcePath, "stage": ctx.Stage, "authorizer": ctx.Authorizer,
		"sourceIp": ctx.Identity.SourceIP, "requestId": ctx.RequestID,
	})
})

func newGateway(t *testing.T, logs *bytes.Buffer) (*gateway.Gateway, *authtest.KeySet) {
	t.Helper()
	keys := authtest.NewKeySet(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := authorizer.New(ctx, authorizer.Config{Issuer: issuer, JWKSURL: keys.URL()})
	if err != nil {
		t.Fatal(err)
	}
	panics := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	g, err := gateway.New(gateway.Config{
		Routes: []samtemplate.Route{
			{Method: "POST", Path: "/items/{id}", FunctionID: "Inspect", Authorizer: "Pool"},
			{Method: "GET", Path: "/items/special", FunctionID: "Inspect"},
			{Method: "ANY", Path: "/files/{proxy+}", FunctionID: "Inspect"},
			{Method: "GET", Path: "/panic", FunctionID: "Panics"},
		},
		Functions: map[string]gateway.Function{
			"Inspect": {Handler: inspect, Timeout: time.Second},
			"Panics":  {Handler: panics, Timeout: time.Second},
		},
		Authorizers: map[string]gateway.Authorizer{"Pool": {Header: "Authorization", Verifier: v,
			Expired: func(err error) bool { return errors.Is(err, authorizer.ErrExpired) }}},
		Stage:  "local",
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return g, keys
}

func serve(g http.Handler, method, target, body string, headers ...string) (*httptest.ResponseRecorder, map[string]any) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	var m map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return rec, m
}

func TestGateway_RoutesAsAPIGatewayDoes(t *testing.T) {
	g, keys := newGateway(t, &bytes.Buffer{})
	token := authtest.Sign(t, keys.Key(), authtest.IDClaims(issuer, time.Now()))
	tests := []struct {
		name, method, target string
		headers              []string
		wantStatus           int
		wantResource         string
	}{
		{"path parameter with authorizer", "POST", "/items/42?x=1", []string{"Authorization", token}, 200, "/items/{id}"},
		{"literal segment beats parameter", "GET", "/items/special", nil, 200, "/items/special"},
		{"proxy+ with ANY", "DELETE", "/files/a/b/c.txt", nil, 200, "/files/{proxy+}"},
		{"proxy+ needs a segment", "GET", "/files", nil, 403, ""},
		{"wrong method", "GET", "/items/42", nil, 403, ""},
		{"unknown path", "POST", "/nothing", nil, 403, ""},
		{"authorizer before function", "POST", "/items/42", nil, 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, body := serve(g, tc.method, tc.target, `{"k":"v"}`, tc.headers...)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.wantStatus, rec.Body)
			}
			if tc.wantStatus == 200 && body["resourcePath"] != tc.wantResource {
				t.Fatalf("resourcePath %v, want %s", body["resourcePath"], tc.wantResource)
			}
			if tc.wantStatus == 403 && body["message"] != "Missing Authentication Token" {
				t.Fatalf("body %s", rec.Body)
			}
			if rec.Header().Get("X-Amzn-Requestid") == "" {
				t.Fatal("no X-Amzn-RequestId header")
			}
		})
	}
}

func TestGateway_EventCarriesClaimsStageBodyAndQuery(t *testing.T) {
	g, keys := newGateway(t, &bytes.Buffer{})
	claims := authtest.IDClaims(issuer, time.Now())
	rec, body := serve(g, "POST", "/items/7?a=1&a=2", `{"k":"v"}`, "Authorization", "Bearer "+authtest.Sign(t, keys.Key(), claims))
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	got := body["authorizer"].(map[string]any)["claims"].(map[string]any)
	if got["sub"] != claims["sub"] || got["token_use"] != "id" {
		t.Fatalf("claims %v", got)
	}
	if body["stage"] != "local" || body["body"] != `{"k":"v"}` || body["query"] != "a=1&a=2" || body["path"] != "/items/7" {
		t.Fatalf("event %v", body)
	}
	if body["requestId"] != rec.Header().Get("X-Amzn-Requestid") {
		t.Fatalf("requestId %v vs header %s", body["requestId"], rec.Header().Get("X-Amzn-Requestid"))
	}
}

func TestGateway_ExpiredTokenHasAPIGatewaysMessage(t *testing.T) {
	g, keys := newGateway(t, &bytes.Buffer{})
	c := authtest.IDClaims(issuer, time.Now().Add(-2*time.Hour))
	rec, body := serve(g, "POST", "/items/1", `{}`, "Authorization", authtest.Sign(t, keys.Key(), c))
	if rec.Code != 401 || body["message"] != "The incoming token has expired" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func TestGateway_PanickingFunctionIs502AndTheGatewaySurvives(t *testing.T) {
	var logs bytes.Buffer
	g, _ := newGateway(t, &logs)
	for i := 0; i < 2; i++ {
		rec, body := serve(g, "GET", "/panic", "")
		if rec.Code != http.StatusBadGateway || body["message"] != "Internal server error" {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	if !strings.Contains(logs.String(), `"status":502`) {
		t.Fatalf("no request log line with the status:\n%s", logs.String())
	}
}

func TestGateway_LogsNoTokenOrQuery(t *testing.T) {
	var logs bytes.Buffer
	g, keys := newGateway(t, &logs)
	token := authtest.Sign(t, keys.Key(), authtest.IDClaims(issuer, time.Now()))
	serve(g, "POST", "/items/1?password=hunter2hunter2", `{"password":"hunter2hunter2"}`, "Authorization", token)
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), "hunter2hunter2") {
		t.Fatalf("secret in logs:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"resource":"/items/{id}"`) {
		t.Fatalf("no request line:\n%s", logs.String())
	}
}

func TestNew_RefusesARouteWithoutItsFunctionOrAuthorizer(t *testing.T) {
	routes := []samtemplate.Route{{Method: "POST", Path: "/x", FunctionID: "Missing"}}
	if _, err := gateway.New(gateway.Config{Routes: routes}); err == nil || !strings.Contains(err.Error(), "Missing") {
		t.Fatalf("error %v", err)
	}
	routes = []samtemplate.Route{{Method: "POST", Path: "/x", FunctionID: "F", Authorizer: "Nope"}}
	_, err := gateway.New(gateway.Config{Routes: routes, Functions: map[string]gateway.Function{"F": {Handler: inspect}}})
	if err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Fatalf("error %v", err)
	}
}
