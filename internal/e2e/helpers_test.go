package e2e_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

var httpClient = &http.Client{Timeout: 20 * time.Second}

type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body as an object; the test fails when it is not one.
func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object (status %d): %v: %s", r.status, err, r.body)
	}
	return m
}

func (r response) message(t testing.TB) string {
	t.Helper()
	msg, _ := r.json(t)["message"].(string)
	return msg
}

// call sends a request to the stack's API; headers alternate name, value.
func call(t testing.TB, s *stack, method, path, body string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, s.Out.ApiUrl+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// login signs in through the API and returns its 200 body; the test fails on any other status.
func login(t testing.TB, s *stack, email, password string) map[string]any {
	t.Helper()
	r := call(t, s, "POST", "/login", mustJSON(map[string]string{"username": email, "password": password}))
	if r.status != http.StatusOK {
		t.Fatalf("login: status %d: %s", r.status, r.body)
	}
	return r.json(t)
}

// newEmail and newPassword make unique credentials; the password meets the pool's policy.
func newEmail() string { return "e2e-" + randomHex(6) + "@example.com" }

func newPassword() string { return "Pw-" + randomHex(8) + "-aZ9!" }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func attrs(kv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func assertStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
}

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// lastMail is the newest message of kind to address in the stack's mailbox.
func lastMail(t testing.TB, s *stack, to, kind string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(s.StateDir, "mail.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var last map[string]string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var m map[string]string
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("mail.jsonl line is not a JSON object of strings: %v: %s", err, line)
		}
		if m["to"] == to && m["kind"] == kind {
			last = m
		}
	}
	if last == nil {
		t.Fatalf("no %s mail to %s in the mailbox", kind, to)
	}
	return last
}
