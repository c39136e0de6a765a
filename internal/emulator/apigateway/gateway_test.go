package apigateway_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestServesTheDefinition checks the answers API Gateway gives for the translated api-stack
// definition: routing, the authorizer, gateway responses and CORS (off and on).
func TestServesTheDefinition(t *testing.T) {
	off, on := start(t, options{}), start(t, options{fixture: "cors-on"})
	valid := off.idToken(t, nil)
	tests := []struct {
		name       string
		s          *stack
		method     string
		path       string
		headers    []string
		wantStatus int
		wantMsg    string // "" for a function's answer
		wantOrigin bool   // Access-Control-Allow-Origin: origin
	}{
		{"public route reaches its function", off, "POST", "/login", nil, 200, "", false},
		{"unknown path is Missing Authentication Token", off, "POST", "/nothing", nil, 403, "Missing Authentication Token", false},
		{"unknown method is Missing Authentication Token", off, "GET", "/login", nil, 403, "Missing Authentication Token", false},
		{"OPTIONS without CORS is Missing Authentication Token", off, "OPTIONS", "/login", nil, 403, "Missing Authentication Token", false},
		{"authorizer route without a token is Unauthorized", off, "POST", "/echo", nil, 401, "Unauthorized", false},
		{"ID token passes the authorizer", off, "POST", "/echo", []string{"Authorization", valid}, 200, "", false},
		{"Bearer ID token passes the authorizer", off, "POST", "/echo", []string{"Authorization", "Bearer " + valid}, 200, "", false},
		{"expired token has API Gateway's message", off, "POST", "/echo", []string{"Authorization", off.idToken(t, map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})}, 401, "The incoming token has expired", false},
		{"access token is refused without scopes", off, "POST", "/echo", []string{"Authorization", off.idToken(t, map[string]any{"token_use": "access"})}, 401, "Unauthorized", false},
		{"identity header sent twice is refused", off, "POST", "/echo", []string{"Authorization", valid, "Authorization", valid}, 401, "Unauthorized", false},
		{"ID token of 8.5 KB is accepted", off, "POST", "/echo", []string{"Authorization", tokenOfSize(t, off, 8704)}, 200, "", false},
		{"CORS preflight is the mock's 200", on, "OPTIONS", "/echo", []string{"Origin", origin}, 200, "", true},
		{"CORS: authorizer refusal carries the origin", on, "POST", "/echo", nil, 401, "Unauthorized", true},
		{"CORS: Missing Authentication Token carries the origin", on, "GET", "/nothing", nil, 403, "Missing Authentication Token", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tc.s.do(t, tc.method, tc.path, `{"k":"v"}`, tc.headers...)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %v", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantMsg != "" && body["message"] != tc.wantMsg {
				t.Fatalf("body %v, want message %q", body, tc.wantMsg)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); (got == origin) != tc.wantOrigin {
				t.Fatalf("Access-Control-Allow-Origin %q, want present=%v", got, tc.wantOrigin)
			}
			if resp.Header.Get("X-Amzn-Requestid") == "" {
				t.Fatal("no x-amzn-RequestId")
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}

// tokenOfSize is a genuine ID token of n bytes (give or take a few), as a user in many groups has.
func tokenOfSize(t *testing.T, s *stack, n int) string {
	t.Helper()
	small := s.idToken(t, map[string]any{"cognito:groups": []string{}})
	var groups []string
	for size := len(small); size < n-40; size += 33 { // each group: 22 characters and JSON quotes and comma, base64: about 33 bytes
		groups = append(groups, fmt.Sprintf("group-%016d", len(groups)))
	}
	tok := s.idToken(t, map[string]any{"cognito:groups": groups})
	if len(tok) < n-100 || len(tok) > n+100 {
		t.Fatalf("token of %d bytes, want about %d", len(tok), n)
	}
	return tok
}

func TestPreflightHasTheMockHeaders(t *testing.T) {
	s := start(t, options{fixture: "cors-on"})
	resp, _ := s.do(t, "OPTIONS", "/login", "", "Origin", origin, "Access-Control-Request-Method", "POST")
	want := map[string]string{
		"Access-Control-Allow-Origin":  origin,
		"Access-Control-Allow-Methods": "POST,OPTIONS",
		"Access-Control-Allow-Headers": "Content-Type,Authorization",
		"Access-Control-Max-Age":       "600",
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestEchoReturnsTheAuthorizerClaims(t *testing.T) {
	s := start(t, options{})
	resp, body := s.do(t, "POST", "/echo", `{"k":"v"}`, "Authorization", s.idToken(t, map[string]any{"email": "a@example.com"}))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %v", resp.StatusCode, body)
	}
	claims, _ := body["claims"].(map[string]any)
	if claims["email"] != "a@example.com" || claims["token_use"] != "id" {
		t.Fatalf("claims %v", claims)
	}
	if b, _ := body["body"].(map[string]any); b["k"] != "v" {
		t.Fatalf("body %v", body["body"])
	}
}

// With OpenApiVersion set, SAM writes an OpenAPI 3 definition whose authorizers sit under
// components.securitySchemes; they are enforced exactly as swagger 2.0's securityDefinitions.
func TestOpenAPI3DefinitionEnforcesItsSecuritySchemes(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, "cors-off.body.json"), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "swagger")
	doc["openapi"] = "3.0.1"
	doc["components"] = map[string]any{"securitySchemes": doc["securityDefinitions"]}
	delete(doc, "securityDefinitions")
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, options{body: string(raw)})
	if resp, body := s.do(t, "POST", "/echo", `{}`); resp.StatusCode != 401 || body["message"] != "Unauthorized" {
		t.Fatalf("no token: %d %v", resp.StatusCode, body)
	}
	if resp, body := s.do(t, "POST", "/echo", `{}`, "Authorization", s.idToken(t, nil)); resp.StatusCode != 200 {
		t.Fatalf("ID token: %d %v", resp.StatusCode, body)
	}
}
