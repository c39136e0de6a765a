package lambda

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The protocol as a runtime client sees it, over real HTTP, for what aws-lambda-go never does.
func TestRuntimeAPI_AnswersAsLambdasDoes(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:F"
	api, err := newRuntimeAPI(arn, func(EventKind, string, time.Time, int) {})
	if err != nil {
		t.Fatal(err)
	}
	defer api.close()
	base := "http://" + api.addr + "/2018-06-01/runtime/"
	hc := &http.Client{Timeout: 5 * time.Second}
	post := func(path, body string) (int, string) {
		t.Helper()
		resp, err := hc.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	inv := newInvocation([]byte(`{"path":"/echo"}`), 10*time.Second)
	api.queue <- inv
	resp, err := hc.Get(base + "invocation/next")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	h := resp.Header
	if string(body) != `{"path":"/echo"}` || h.Get("Lambda-Runtime-Aws-Request-Id") != inv.id ||
		h.Get("Lambda-Runtime-Invoked-Function-Arn") != arn || !strings.HasPrefix(h.Get("Lambda-Runtime-Trace-Id"), "Root=1-") {
		t.Fatalf("event %q, headers %v", body, h)
	}
	ms, err := strconv.ParseInt(h.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if left := time.Until(time.UnixMilli(ms)); err != nil || left < 9*time.Second || left > 10*time.Second {
		t.Fatalf("deadline %q: want 10 s from now", h.Get("Lambda-Runtime-Deadline-Ms"))
	}

	for _, tc := range []struct {
		name, path string
		want       int
		wantType   string
	}{
		{"unknown request id", "invocation/00000000-0000-4000-8000-000000000000/response", http.StatusBadRequest, "InvalidRequestID"},
		{"unknown path", "invocation/" + inv.id + "/nonsense", http.StatusNotFound, "InvalidRequest"},
		{"the response", "invocation/" + inv.id + "/response", http.StatusAccepted, ""},
		{"a second response", "invocation/" + inv.id + "/response", http.StatusBadRequest, "InvalidRequestID"},
		{"an error after the response", "invocation/" + inv.id + "/error", http.StatusBadRequest, "InvalidRequestID"},
	} {
		status, body := post(tc.path, `{"statusCode":200}`)
		if status != tc.want || !strings.Contains(body, tc.wantType) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, body, tc.want, tc.wantType)
		}
	}
	select {
	case o := <-inv.result:
		if string(o.payload) != `{"statusCode":200}` || o.err != nil {
			t.Fatalf("outcome %+v", o)
		}
	default:
		t.Fatal("the response was not delivered")
	}
}
