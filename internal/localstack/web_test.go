package localstack

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
)

const testWebPort = 8089

// webFixture is a web/ directory with a page and a script, a file beside it that must stay
// unreachable, and a mailbox with two messages and a line still being written.
func webFixture(t *testing.T) (dir, mailbox string) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "web")
	for name, content := range map[string]string{
		"index.html": "<!DOCTYPE html><title>page</title>", "app.js": "'use strict';", "sub/x.txt": "x",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(base, "secret.txt"), []byte("TOP-SECRET-CONTENT"), 0o644); err != nil {
		t.Fatal(err)
	}
	mailbox = filepath.Join(base, "mail.jsonl")
	lines := `{"to":"a@example.com","kind":"signup","link":"http://127.0.0.1:5000/confirmUser?x=1"}
{"to":"b@example.com","kind":"forgot","code":"123456"}
{"to":"c@exam`
	if err := os.WriteFile(mailbox, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, mailbox
}

// testPage is config.json's content in the tests, but for the mailbox's URL, which the handler sets.
var testPage = webConfig{APIURL: "http://127.0.0.1:3000", PasswordHint: "At least 9 characters."}

// The page's hint is the auth stack's pool's policy, as deployed.
func TestPasswordHintIsThePoolsPolicy(t *testing.T) {
	auth := &cloudformation.Stack{Resources: map[string]cloudformation.Deployed{
		"UserPool": {Type: "AWS::Cognito::UserPool", Properties: map[string]any{"Policies": map[string]any{
			"PasswordPolicy": map[string]any{"MinimumLength": 15, "RequireNumbers": true, "TemporaryPasswordValidityDays": 7},
		}}},
	}}
	hint, err := stackSet{auth: auth}.passwordHint()
	if want := "At least 15 characters, with a digit."; err != nil || hint != want {
		t.Errorf("passwordHint() = %q, %v; want %q", hint, err, want)
	}
	if _, err := (stackSet{auth: &cloudformation.Stack{}}).passwordHint(); err == nil {
		t.Error("an auth stack without a pool gave a hint")
	}
}

func TestWebHandler_ServesThePageConfigAndMailboxAndAnswersJSONErrors(t *testing.T) {
	dir, mailbox := webFixture(t)
	h := webHandler(dir, mailbox, testWebPort, testPage, slog.New(slog.DiscardHandler))
	host := "127.0.0.1:" + strconv.Itoa(testWebPort)
	tests := []struct {
		name, method, target, host string
		status                     int
		contentType                string
		body                       string // exact body, or a message the JSON error must contain
	}{
		{"config.json names the API, the mailbox and the password hint", "GET", "/config.json", host, 200, "application/json",
			`{"apiUrl":"http://127.0.0.1:3000","mailboxUrl":"http://127.0.0.1:8089/mail.json","passwordHint":"At least 9 characters."}` + "\n"},
		{"mail.json lists the whole lines, oldest first", "GET", "/mail.json", host, 200, "application/json",
			`[{"to":"a@example.com","kind":"signup","link":"http://127.0.0.1:5000/confirmUser?x=1"},{"to":"b@example.com","kind":"forgot","code":"123456"}]` + "\n"},
		{"slash is index.html", "GET", "/", host, 200, "text/html; charset=utf-8", "<!DOCTYPE html><title>page</title>"},
		{"a file of web/", "GET", "/app.js", host, 200, "text/javascript; charset=utf-8", "'use strict';"},
		{"HEAD is served", "HEAD", "/app.js", host, 200, "text/javascript; charset=utf-8", ""},
		{"unknown file", "GET", "/missing.js", host, 404, "application/json", "not found: /missing.js"},
		{"a directory", "GET", "/sub", host, 404, "application/json", "not found"},
		{"dot-dot out of web/", "GET", "/../secret.txt", host, 404, "application/json", "not found"},
		{"encoded dot-dot out of web/", "GET", "/%2e%2e/secret.txt", host, 404, "application/json", "not found"},
		{"POST", "POST", "/config.json", host, 405, "application/json", "only GET and HEAD"},
		{"another host name (DNS rebinding)", "GET", "/mail.json", "evil.example:8089", 421, "application/json", "answers for http://127.0.0.1:8089 only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil) // as sent: ".." is not cleaned
			req.Host = tt.host
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != tt.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
			}
			if rec.Header().Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("the page's origin must not allow other origins: %v", rec.Header())
			}
			if tt.status >= 400 {
				var e struct{ Message string }
				if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Message, tt.body) {
					t.Fatalf("body %s, want {\"message\"} containing %q", body, tt.body)
				}
				if strings.Contains(string(body), "TOP-SECRET") {
					t.Fatalf("leaked a file outside web/: %s", body)
				}
				return
			}
			if string(body) != tt.body {
				t.Fatalf("body %q, want %q", body, tt.body)
			}
		})
	}
}

func TestWebHandler_IndexHasAContentSecurityPolicyWithoutInlineScript(t *testing.T) {
	dir, mailbox := webFixture(t)
	h := webHandler(dir, mailbox, testWebPort, testPage, slog.New(slog.DiscardHandler))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1:8089/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "script-src") {
		t.Fatalf("Content-Security-Policy %q: want default-src 'self' and scripts from the page's origin only", csp)
	}
}

func TestWebHandler_RedirectsLocalhostToTheCORSOrigin(t *testing.T) {
	dir, mailbox := webFixture(t)
	h := webHandler(dir, mailbox, testWebPort, testPage, slog.New(slog.DiscardHandler))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://localhost:8089/app.js?x=1", nil))
	if rec.Code != http.StatusTemporaryRedirect || rec.Header().Get("Location") != "http://127.0.0.1:8089/app.js?x=1" {
		t.Fatalf("status %d Location %q, want 307 to http://127.0.0.1:8089/app.js?x=1", rec.Code, rec.Header().Get("Location"))
	}
}

func TestReadMail_MissingMailboxIsEmptyAndLongOnesKeepTheNewest(t *testing.T) {
	msgs, err := readMail(filepath.Join(t.TempDir(), "none.jsonl"))
	if err != nil || msgs == nil || len(msgs) != 0 {
		t.Fatalf("missing mailbox: %v, %v; want an empty list", msgs, err)
	}
	path := filepath.Join(t.TempDir(), "mail.jsonl")
	var b strings.Builder
	for i := range mailJSONLimit + 5 {
		b.WriteString(`{"n":` + strconv.Itoa(i) + "}\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	msgs, err = readMail(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != mailJSONLimit || string(msgs[0]) != `{"n":5}` || string(msgs[len(msgs)-1]) != `{"n":204}` {
		t.Fatalf("got %d messages from %s to %s; want the newest %d", len(msgs), msgs[0], msgs[len(msgs)-1], mailJSONLimit)
	}
}

func TestWithWebOrigin_SetsCorsAllowOriginUnlessTheUserDid(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]string
		webPort   int
		want      map[string]string
		added     bool
	}{
		{"page off: nothing added", map[string]string{"PublicRateLimit": "1"}, 0, map[string]string{"PublicRateLimit": "1"}, false},
		{"page on: its origin", map[string]string{"PublicRateLimit": "1"}, 8080,
			map[string]string{"PublicRateLimit": "1", "CorsAllowOrigin": "http://127.0.0.1:8080"}, true},
		{"set explicitly: kept", map[string]string{"CorsAllowOrigin": "https://app.example.com"}, 8080,
			map[string]string{"CorsAllowOrigin": "https://app.example.com"}, false},
		{"set explicitly empty (CORS off): kept", map[string]string{"CorsAllowOrigin": ""}, 8080,
			map[string]string{"CorsAllowOrigin": ""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			added := withWebOrigin(tt.overrides, tt.webPort)
			if added != tt.added || len(tt.overrides) != len(tt.want) {
				t.Fatalf("added %v, overrides %v; want %v, %v", added, tt.overrides, tt.added, tt.want)
			}
			for k, v := range tt.want {
				if got, ok := tt.overrides[k]; !ok || got != v {
					t.Fatalf("overrides %v, want %v", tt.overrides, tt.want)
				}
			}
		})
	}
}

func TestListenWeb_TakenPortNamesWEB_PORTAndZeroIsOff(t *testing.T) {
	ln, err := listenWeb(0)
	if ln != nil || err != nil {
		t.Fatalf("port 0: %v, %v; want no listener and no error", ln, err)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, err = listenWeb(taken.Addr().(*net.TCPAddr).Port)
	if err == nil || !strings.Contains(err.Error(), "WEB_PORT=<port>") || !strings.Contains(err.Error(), "is taken") {
		t.Fatalf("error %v, want one naming WEB_PORT", err)
	}
}

// The page loads nothing from elsewhere: every src and href of web/index.html is relative, and the
// script fetches only the API URL the user gives and the local stack's own files.
func TestWebPage_LoadsNoExternalResource(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "web", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*"([^"]*)"`).FindAllStringSubmatch(string(raw), -1) {
		if strings.Contains(m[1], ":") || strings.HasPrefix(m[1], "//") {
			t.Errorf("web/index.html loads %q: the page must load nothing from elsewhere", m[1])
		}
	}
	js, err := os.ReadFile(filepath.Join("..", "..", "web", "app.js"))
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?m)^\s*import\b|\.innerHTML|\beval\(|localStorage\.`).Match(js) {
		t.Error("web/app.js must not import modules, write HTML from strings, eval or store tokens")
	}
}
