package httpapi_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/httpapi"
)

type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func TestDecodeObject_IsStrict(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"valid", `{"username":"a@example.com","password":"p"}`, ""},
		{"valid with whitespace", " \n{\"username\":\"a\"}\n ", ""},
		{"empty", ``, "empty"},
		{"array", `[]`, "must be a JSON object"},
		{"null", `null`, "must be a JSON object"},
		{"truncated", `{"username":`, "not valid JSON"},
		{"syntax error", `{"username" "a"}`, "not valid JSON"},
		{"wrong type", `{"username":1}`, `field "username" must be a string`},
		{"unknown field", `{"username":"a","admin":true}`, `unknown field "admin"`},
		{"key in another case", `{"USERNAME":"a"}`, `unknown field "USERNAME"`},
		{"duplicate key", `{"username":"a","username":"b"}`, `field "username" appears more than once`},
		{"trailing data", `{"username":"a"} {}`, "single JSON object"},
		{"trailing garbage", `{"username":"a"}x`, "single JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c credentials
			err := httpapi.DecodeObject([]byte(tc.body), &c)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var de *httpapi.DecodeError
			if !errors.As(err, &de) || de.Status != http.StatusBadRequest {
				t.Fatalf("error %v, want a 400 DecodeError", err)
			}
			if !strings.Contains(de.Message, tc.wantErr) {
				t.Fatalf("message %q, want it to contain %q", de.Message, tc.wantErr)
			}
		})
	}
}

func TestDecodeObject_NeverEchoesTheValue(t *testing.T) {
	var c credentials
	err := httpapi.DecodeObject([]byte(`{"username":"a","password":12345678901}`), &c)
	if err == nil || strings.Contains(err.Error(), "12345678901") {
		t.Fatalf("error %v", err)
	}
}

func TestReadBody_LimitIs413(t *testing.T) {
	req := httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", 11)))
	_, err := httpapi.ReadBody(req, 10)
	var de *httpapi.DecodeError
	if !errors.As(err, &de) || de.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("error %v, want 413", err)
	}
	req = httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", 10)))
	if b, err := httpapi.ReadBody(req, 10); err != nil || len(b) != 10 {
		t.Fatalf("at the limit: %d bytes, %v", len(b), err)
	}
}

func TestWriteError_ContractShape(t *testing.T) {
	rec := httptest.NewRecorder()
	httpapi.WriteError(rec, http.StatusTeapot, `quote " and <tag>`)
	if rec.Code != http.StatusTeapot || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	if got := rec.Body.String(); got != `{"message":"quote \" and \u003ctag\u003e"}` {
		t.Fatalf("body %s", got)
	}
}

func TestCORS_OnlyWhenAnOriginIsConfigured(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) })
	rec := httptest.NewRecorder()
	httpapi.CORS("", ok).ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	if v := rec.Header().Get("Access-Control-Allow-Origin"); v != "" {
		t.Fatalf("CORS off but header %q", v)
	}
	rec = httptest.NewRecorder()
	httpapi.CORS("https://app.example.com", ok).ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	if rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" || rec.Header().Get("Vary") != "Origin" {
		t.Fatalf("headers %v", rec.Header())
	}
}
