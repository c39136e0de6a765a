package echo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/example/cognito-sam-go/internal/echo"
)

func loadEvent(t testing.TB, name string) events.APIGatewayProxyRequest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var e events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return e
}

// invoke runs the event through the same adapter the Lambda function's main uses.
func invoke(t *testing.T, e events.APIGatewayProxyRequest, logs *bytes.Buffer) events.APIGatewayProxyResponse {
	t.Helper()
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	h, err := echo.FromEnv(func(string) string { return "" }, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpadapter.New(h).ProxyWithContext(context.Background(), e)
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	return resp
}

func TestEcho_ReturnsBodyAndAuthorizerClaims(t *testing.T) {
	resp := invoke(t, loadEvent(t, "echo-request.json"), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, body %s", resp.StatusCode, resp.Body)
	}
	if ct := resp.MultiValueHeaders["Content-Type"]; len(ct) != 1 || ct[0] != "application/json" {
		t.Errorf("Content-Type %v", ct)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "echo-response.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, []byte(resp.Body), golden)
}

func TestEcho_WithoutClaimsAsUnderSamLocalAnswersEmptyClaimsAndNullBody(t *testing.T) {
	resp := invoke(t, loadEvent(t, "echo-request-sam-local.json"), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, body %s", resp.StatusCode, resp.Body)
	}
	assertSameJSON(t, []byte(resp.Body), []byte(`{"body":null,"claims":{}}`))
}

func TestEcho_BodiesAndRoutes(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"object echoed", "POST", "/echo", `{"a":1}`, 200, `{"a":1}`},
		{"array echoed", "POST", "/echo", `[1,"two",null]`, 200, `[1,"two",null]`},
		{"scalar echoed", "POST", "/echo", `"text"`, 200, `"text"`},
		{"empty body is null", "POST", "/echo", ``, 200, `null`},
		{"whitespace body is null", "POST", "/echo", " \n ", 200, `null`},
		{"not JSON is 400", "POST", "/echo", `{"a":`, 400, ""},
		{"plain text is 400", "POST", "/echo", `hello`, 400, ""},
		{"two JSON values is 400", "POST", "/echo", `{} {}`, 400, ""},
		{"JSON with bytes that are not UTF-8 is 400", "POST", "/echo", "{\"a\":\"\xff\xfe\"}", 400, ""},
		{"too large is 413", "POST", "/echo", `"` + strings.Repeat("a", echo.MaxBody) + `"`, 413, ""},
		{"GET is 403", "GET", "/echo", ``, 403, ""},
		{"unknown path is 403", "POST", "/other", `{}`, 403, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := loadEvent(t, "echo-request.json")
			e.HTTPMethod, e.Path, e.Body = tc.method, tc.path, tc.body
			resp := invoke(t, e, nil)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d (body %s)", resp.StatusCode, tc.wantStatus, resp.Body)
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatalf("body is not a JSON object: %v: %s", err, resp.Body)
			}
			if tc.wantStatus != 200 {
				var msg string
				if err := json.Unmarshal(got["message"], &msg); err != nil || msg == "" {
					t.Fatalf("error body has no message: %s", resp.Body)
				}
				if tc.wantStatus == 403 && msg != "Missing Authentication Token" {
					t.Errorf("message %q", msg)
				}
				return
			}
			assertSameJSON(t, got["body"], []byte(tc.wantBody))
		})
	}
}

func TestEcho_CorsOriginFromEnvironment(t *testing.T) {
	h, _ := echo.FromEnv(func(k string) string {
		if k == "CORS_ALLOW_ORIGIN" {
			return "https://app.example.com"
		}
		return ""
	}, slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)))
	resp, err := httpadapter.New(h).ProxyWithContext(context.Background(), loadEvent(t, "echo-request.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.MultiValueHeaders["Access-Control-Allow-Origin"]; len(got) != 1 || got[0] != "https://app.example.com" {
		t.Fatalf("Access-Control-Allow-Origin %v", got)
	}
}

func TestEcho_LogsNeitherTokenNorBody(t *testing.T) {
	var logs bytes.Buffer
	e := loadEvent(t, "echo-request.json")
	e.Body = `{"secret":"hunter2-Password!"}`
	invoke(t, e, &logs)
	e.Body = `{"secret":"hunter2-Password!"`
	invoke(t, e, &logs)
	for _, secret := range []string{e.Headers["Authorization"], "hunter2-Password!", "fixture-not-a-real-token"} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("log output contains %q:\n%s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), `"status":200`) {
		t.Fatalf("expected a log line per request, got:\n%s", logs.String())
	}
}

func assertSameJSON(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %v: %s", err, want)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Fatalf("JSON differs\n got: %s\nwant: %s", gb, wb)
	}
}
