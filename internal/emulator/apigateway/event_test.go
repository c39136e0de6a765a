package apigateway_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// volatile fields of an event: replaced before comparing with the golden file.
var volatile = []string{"requestId", "extendedRequestId", "requestTime", "requestTimeEpoch", "X-Amzn-Trace-Id"}

// TestEventIsTheRESTProxyEvent compares the event of a raw request with the golden event: names
// as sent (like "cache-control" and "headerName" in aws-lambda-go's events/testdata/apigw-request.json),
// the last of repeated values in headers and all in multiValueHeaders, the stage of the template
// in requestContext.stage and .path, resource and resourcePath, X-Forwarded-* as API Gateway adds them.
func TestEventIsTheRESTProxyEvent(t *testing.T) {
	s := start(t, options{})
	body := `{"username":"u@example.com"}`
	_, got := s.raw(t, "POST /login?a=1&a=2&b=3 HTTP/1.1\r\n"+
		"Host: api.example.test\r\n"+
		"cache-control: no-cache\r\n"+
		"headerName: first\r\n"+
		"HEADERNAME: second\r\n"+
		"Content-Type: application/json\r\n"+
		"User-Agent: probe/1.0\r\n"+
		"X-Forwarded-For: 203.0.113.7\r\n"+
		"Content-Length: "+itoa(len(body))+"\r\n\r\n"+body)
	compareGolden(t, "event-login.golden.json", normalise(got))
}

func TestEventCarriesClaimsOfTheAuthorizer(t *testing.T) {
	s := start(t, options{funcs: funcs{"EchoFunction": inspect}})
	_, got := s.do(t, "POST", "/echo", `{}`, "Authorization", s.idToken(t, map[string]any{"email": "a@example.com", "cognito:groups": []string{"a", "b"}}))
	e := event(t, got)
	claims, _ := e.RequestContext.Authorizer["claims"].(map[string]any)
	if claims["email"] != "a@example.com" || claims["cognito:groups"] != "a,b" || claims["token_use"] != "id" {
		t.Fatalf("claims %v", claims)
	}
	if e.RequestContext.Stage != "v1" || e.RequestContext.Path != "/v1/echo" || e.Resource != "/echo" {
		t.Fatalf("stage %q path %q resource %q", e.RequestContext.Stage, e.RequestContext.Path, e.Resource)
	}
}

func TestEventBodyIsBase64WhenNotUTF8(t *testing.T) {
	s := start(t, options{})
	invalid := "\xff\xfe{"
	_, got := s.do(t, "POST", "/login", invalid)
	e := event(t, got)
	if !e.IsBase64Encoded || e.Body != base64.StdEncoding.EncodeToString([]byte(invalid)) {
		t.Fatalf("body %q base64 %v", e.Body, e.IsBase64Encoded)
	}
	_, got = s.do(t, "POST", "/login", `{"é":1}`)
	if e := event(t, got); e.IsBase64Encoded || e.Body != `{"é":1}` {
		t.Fatalf("UTF-8 body %q base64 %v", e.Body, e.IsBase64Encoded)
	}
}

// A request whose Content-Type is one of the binary media types reaches the function base64-encoded
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html),
// even when its bytes are valid UTF-8; another Content-Type as text.
func TestEventBodyIsBase64ForABinaryContentType(t *testing.T) {
	s := startRecorded(t, inspect, []string{"image/png"})
	for _, tc := range []struct {
		contentType string
		wantBase64  bool
	}{{"image/png", true}, {"application/json", false}} {
		a := s.send(t, "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Type: "+tc.contentType+"\r\nContent-Length: 4\r\n\r\ntext")
		var e map[string]any
		if err := json.Unmarshal(a.body, &e); err != nil {
			t.Fatalf("%d %q", a.status, a.body)
		}
		want := "text"
		if tc.wantBase64 {
			want = base64.StdEncoding.EncodeToString([]byte("text"))
		}
		if e["isBase64Encoded"] != tc.wantBase64 || e["body"] != want {
			t.Fatalf("Content-Type %s: body %v isBase64Encoded %v", tc.contentType, e["body"], e["isBase64Encoded"])
		}
	}
}

// TestHeaderNamesSurviveKeepAlive sends three requests on one connection, the first with a body,
// and checks each event has its own header names as sent.
func TestHeaderNamesSurviveKeepAlive(t *testing.T) {
	s := start(t, options{})
	conn := dial(t, s)
	for i, name := range []string{"x-first", "X-SECOND", "x-Third"} {
		body := strings.Repeat("b", i*100)
		writeString(t, conn, "POST /login HTTP/1.1\r\nHost: h\r\n"+name+": v\r\nContent-Length: "+itoa(len(body))+"\r\n\r\n"+body)
		_, got := readAnswer(t, conn)
		if e := event(t, got); e.Headers[name] != "v" {
			t.Fatalf("request %d: headers %v, want %s", i, e.Headers, name)
		}
	}
}

func normalise(m map[string]any) map[string]any {
	for k, v := range m {
		switch v := v.(type) {
		case map[string]any:
			normalise(v)
		case []any:
			if contains(volatile, k) {
				m[k] = []any{"<volatile>"}
			}
			continue
		}
		if contains(volatile, k) {
			m[k] = "<volatile>"
		}
	}
	return m
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func compareGolden(t *testing.T, name string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it)", err)
	}
	if !bytes.Equal(want, b) {
		t.Fatalf("event differs from %s:\n%s", path, b)
	}
}
