package apigateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzParseProxyResult: whatever a function returns, the gateway answers without panicking, with a
// status in the HTTP range, header names that are tokens and no header line broken by the values.
// The seeds are the recorded results (testdata/recorded/proxy-answers.json) and their edges.
func FuzzParseProxyResult(f *testing.F) {
	for _, seed := range []string{
		`{"statusCode":200}`, `{"statusCode":"201"}`, `{"statusCode":"test"}`, `"justAString"`, `null`, `{}`,
		`{"statusCode":200,"headers":{"test-header":"value","header-bool":true}}`,
		`{"statusCode":200,"multiValueHeaders":{"tesT-Multi":["value-multi"]},"headers":{"test-multi":"value-solo"}}`,
		`{"statusCode":200,"multiValueHeaders":{"test-multi-invalid":"value1"}}`,
		`{"statusCode":200,"wrongValue":"value"}`,
		`{"statusCode":200,"body":"dGVzdC1kYXRh","isBase64Encoded":true}`,
		`{"headers":{"a\r\nb":"c","d":"e\r\nf: g"},"body":null}`,
	} {
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, out []byte, binary bool) {
		res, err := parseProxyResult(out)
		if err != nil {
			return
		}
		if res.status < 100 || res.status > 599 {
			t.Fatalf("status %d", res.status)
		}
		body, err := res.answerBody(binary)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		res.write(rec, body)
		for name := range rec.Header() {
			if !validHeaderName(name) {
				t.Fatalf("header name %q", name)
			}
		}
		var sb strings.Builder
		if err := rec.Header().Write(&sb); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(sb.String(), "\r\n"), "\r\n") {
			if name, _, ok := strings.Cut(line, ":"); !ok || http.CanonicalHeaderKey(name) == "" {
				t.Fatalf("header line %q", line)
			}
		}
	})
}
