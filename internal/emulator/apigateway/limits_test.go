package apigateway_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestLimitsAnswerInJSON checks API Gateway's quotas and the answers net/http would otherwise
// give in text/plain: every one is the contract's {"message": ...}.
func TestLimitsAnswerInJSON(t *testing.T) {
	s := start(t, options{})
	head := func(extra string) string {
		return "POST /login HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n" + extra + "\r\n{}"
	}
	tests := []struct {
		name       string
		req        string
		wantStatus int
		wantMsg    string
	}{
		{"head of 10240 bytes in all passes", head("X-Pad: " + strings.Repeat("p", 10240-len("POST /login HTTP/1.1")-len("h")-len("2")) + "\r\n"), 200, ""},
		{"head one byte over 10240 is 431", head("X-Pad: " + strings.Repeat("p", 10241-len("POST /login HTTP/1.1")-len("h")-len("2")) + "\r\n"), 431, "Request Header Fields Too Large"},
		{"head over net/http's limit is 431 in JSON", head("X-Pad: " + strings.Repeat("p", 80<<10) + "\r\n"), 431, "Request Header Fields Too Large"},
		{"malformed request line is 400 in JSON", "BROKEN\r\n\r\n", 400, "Bad Request"},
		{"unsupported transfer encoding is 501 in JSON", "POST /login HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "Not Implemented"},
		{"body over 10 MB is 413", "POST /login HTTP/1.1\r\nHost: h\r\nContent-Length: 10485761\r\n\r\n", 413, "Request Too Long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := s.raw(t, tc.req)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %v", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantMsg != "" && body["message"] != tc.wantMsg {
				t.Fatalf("body %v, want %q", body, tc.wantMsg)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}

// TestChunkedBodyIsReadAndTheConnectionClosed: a chunked body's length is not in its head, so
// the gateway cannot pair later heads on the connection; it answers and closes.
func TestChunkedBodyIsReadAndTheConnectionClosed(t *testing.T) {
	s := start(t, options{})
	resp, got := s.raw(t, "POST /login HTTP/1.1\r\nHost: h\r\nx-lower: 1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
	if e := event(t, got); resp.StatusCode != 200 || e.Body != "{}" || e.Headers["x-lower"] != "1" {
		t.Fatalf("status %d event %+v", resp.StatusCode, e)
	}
	if !resp.Close {
		t.Fatal("connection kept open after a chunked body")
	}
}

// TestSlowBodyIsCutOff: the body must arrive within the body timeout, else 408 and the connection
// closes, before the function runs.
func TestSlowBodyIsCutOff(t *testing.T) {
	var invoked atomic.Bool
	s := start(t, options{bodyTimeout: 200 * time.Millisecond, funcs: funcs{"LoginFunction": func(ctx context.Context, p []byte) ([]byte, error) {
		invoked.Store(true)
		return inspect(ctx, p)
	}}})
	conn := dial(t, s)
	began := time.Now()
	writeString(t, conn, "POST /login HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n{")
	resp, body := readAnswer(t, conn)
	if resp.StatusCode != http.StatusRequestTimeout || body["message"] != "Request Timeout" {
		t.Fatalf("status %d body %v", resp.StatusCode, body)
	}
	if waited := time.Since(began); waited > 3*time.Second {
		t.Fatalf("answered after %v", waited)
	}
	if invoked.Load() {
		t.Fatal("function invoked with a partial body")
	}
}

func TestFunctionFailuresAreAPIGatewaysAnswers(t *testing.T) {
	slow := func(ctx context.Context, _ []byte) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	tests := []struct {
		name       string
		fn         func(context.Context, []byte) ([]byte, error)
		wantStatus int
		wantMsg    string
	}{
		{"function error is 502", func(context.Context, []byte) ([]byte, error) { return nil, errors.New("boom") }, 502, "Internal server error"},
		{"malformed proxy response is 502", func(context.Context, []byte) ([]byte, error) { return []byte(`"not an object"`), nil }, 502, "Internal server error"},
		{"function past its timeout is 502", slow, 502, "Internal server error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, options{funcs: funcs{"LoginFunction": tc.fn}, timeouts: map[string]time.Duration{"LoginFunction": 100 * time.Millisecond}})
			resp, body := s.do(t, "POST", "/login", "{}")
			if resp.StatusCode != tc.wantStatus || body["message"] != tc.wantMsg {
				t.Fatalf("status %d body %v", resp.StatusCode, body)
			}
		})
	}
}
