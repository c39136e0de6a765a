package apigateway_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

type answersFixture struct {
	recording
	Cases []struct {
		Recording string            `json:"recording"`
		Result    json.RawMessage   `json:"result"`
		Status    int               `json:"status"`
		Body      string            `json:"body"`
		Headers   map[string]string `json:"headers"`
		Absent    []string          `json:"absent"`
	} `json:"cases"`
}

// TestAnswerIsTheRecordedAnswer has the function return each recorded proxy result and compares
// the answer with AWS's: what is accepted (statusCode missing or a string, a boolean header
// value) and refused (an unknown key), headers and multiValueHeaders joined under the function's
// spelling, application/json without a Content-Type, x-amz-apigw-id on every answer.
func TestAnswerIsTheRecordedAnswer(t *testing.T) {
	s := startRecorded(t, resultFromBody, nil)
	var fx answersFixture
	readRecorded(t, "proxy-answers.json", &fx)
	for _, tc := range fx.Cases {
		t.Run(tc.Recording, func(t *testing.T) {
			a := s.send(t, postJSON("/test", string(tc.Result)))
			if a.status != tc.Status || string(a.body) != tc.Body {
				t.Fatalf("answer %d %q, recorded %d %q (%s, %s)", a.status, a.body, tc.Status, tc.Body, fx.Test, fx.Validated)
			}
			for name, want := range tc.Headers {
				if got, ok := a.header(name); !ok || got != want {
					t.Errorf("header %s = %q (present %v), recorded %q; answer headers %q", name, got, ok, want, a.names)
				}
			}
			for _, name := range tc.Absent {
				if _, ok := a.header(name); ok {
					t.Errorf("header %s present, recorded absent", name)
				}
			}
			for _, name := range []string{"x-amzn-RequestId", "x-amz-apigw-id"} {
				if v, _ := a.header(name); v == "" {
					t.Errorf("no %s; answer headers %q", name, a.names)
				}
			}
		})
	}
}

func postJSON(path, body string, headers ...string) string {
	req := "POST " + path + " HTTP/1.1\r\nHost: recorded.example.test\r\nUser-Agent: python/test\r\n" +
		"Content-Type: application/json\r\nContent-Length: " + itoa(len(body)) + "\r\n"
	for i := 0; i+1 < len(headers); i += 2 {
		req += headers[i] + ": " + headers[i+1] + "\r\n"
	}
	return req + "\r\n" + body
}

type traceFixture struct {
	recording
	Cases []struct {
		Recording string  `json:"recording"`
		Path      string  `json:"path"`
		Trace     *string `json:"trace"`
		WantTrace string  `json:"wantTrace"`
	} `json:"cases"`
}

// TestTraceIDAnswerAsRecorded: a Lambda proxy answer carries the caller's X-Amzn-Trace-Id (with
// a Parent of its own when the caller sent none), a MOCK answer none.
func TestTraceIDAnswerAsRecorded(t *testing.T) {
	s := startRecorded(t, inspect, nil)
	var fx traceFixture
	readRecorded(t, "proxy-trace.json", &fx)
	for _, tc := range fx.Cases {
		t.Run(tc.Recording, func(t *testing.T) {
			req := "GET " + tc.Path + " HTTP/1.1\r\nHost: recorded.example.test\r\n"
			if tc.Trace != nil {
				req += "x-amzn-trace-id: " + *tc.Trace + "\r\n"
			}
			a := s.send(t, req+"\r\n")
			if a.status != 200 {
				t.Fatalf("status %d %s", a.status, a.body)
			}
			if ct, _ := a.header("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, recorded application/json", ct)
			}
			got, ok := a.header("X-Amzn-Trace-Id")
			parts := strings.Split(got, ";")
			switch tc.WantTrace {
			case "absent":
				if ok {
					t.Fatalf("X-Amzn-Trace-Id %q, recorded absent (%s)", got, fx.Validated)
				}
			case "present":
				if !strings.HasPrefix(got, "Root=") {
					t.Fatalf("X-Amzn-Trace-Id %q, recorded present", got)
				}
			case "keepsParent":
				if !strings.Contains(got, *tc.Trace) || len(parts) < 2 || parts[1] != strings.Split(*tc.Trace, ";")[1] {
					t.Fatalf("X-Amzn-Trace-Id %q, recorded the sent %q", got, *tc.Trace)
				}
			case "newParent":
				if !strings.Contains(got, *tc.Trace) || len(parts) < 2 || !strings.HasPrefix(parts[1], "Parent=") {
					t.Fatalf("X-Amzn-Trace-Id %q, recorded %q with a Parent added", got, *tc.Trace)
				}
			default:
				t.Fatalf("fixture: wantTrace %q", tc.WantTrace)
			}
		})
	}
}

type errorsFixture struct {
	recording
	Cases []struct {
		Recording string         `json:"recording"`
		Method    string         `json:"method"`
		Path      string         `json:"path"`
		Status    int            `json:"status"`
		Body      map[string]any `json:"body"`
		ErrorType string         `json:"errorType"`
	} `json:"cases"`
}

// TestGatewayErrorsCarryTheRecordedErrorType: API Gateway's own answers name their error in
// x-amzn-ErrorType.
func TestGatewayErrorsCarryTheRecordedErrorType(t *testing.T) {
	s := start(t, options{})
	var fx errorsFixture
	readRecorded(t, "gateway-errors.json", &fx)
	for _, tc := range fx.Cases {
		t.Run(tc.Recording, func(t *testing.T) {
			a := s.send(t, tc.Method+" "+tc.Path+" HTTP/1.1\r\nHost: recorded.example.test\r\nContent-Length: 0\r\n\r\n")
			var body map[string]any
			_ = json.Unmarshal(a.body, &body)
			if a.status != tc.Status || !reflect.DeepEqual(body, tc.Body) {
				t.Fatalf("answer %d %s, recorded %d %v", a.status, a.body, tc.Status, tc.Body)
			}
			if got, _ := a.header("x-amzn-ErrorType"); got != tc.ErrorType {
				t.Fatalf("x-amzn-ErrorType %q, recorded %q (%s, %s); answer headers %q", got, tc.ErrorType, fx.Test, fx.Validated, a.names)
			}
		})
	}
}

// TestNetHTTPRefusalsCarryTheGatewayHeaders: the answers net/http writes on its own, rewritten to
// JSON, have the headers of every other gateway answer.
func TestNetHTTPRefusalsCarryTheGatewayHeaders(t *testing.T) {
	s := start(t, options{})
	a := s.send(t, "BROKEN\r\n\r\n")
	if a.status != http.StatusBadRequest {
		t.Fatalf("status %d %s", a.status, a.body)
	}
	for name, want := range map[string]string{"x-amzn-ErrorType": "BadRequestException", "Content-Type": "application/json"} {
		if got, _ := a.header(name); got != want {
			t.Errorf("%s = %q, want %q; answer headers %q", name, got, want, a.names)
		}
	}
	for _, name := range []string{"x-amzn-RequestId", "x-amz-apigw-id"} {
		if v, _ := a.header(name); v == "" {
			t.Errorf("no %s; answer headers %q", name, a.names)
		}
	}
}
