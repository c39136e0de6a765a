package apigateway_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// The tests of this file hold the local gateway to answers recorded from real API Gateway: the
// fixtures in testdata/recorded are written from LocalStack's tests/aws/services/apigateway
// snapshots and asserts, each naming its snapshot file, test, recording and validation date.

// recording is what every fixture file says of its source.
type recording struct {
	Source    string `json:"source"`
	Test      string `json:"test"`
	Validated string `json:"validated"`
	Endpoint  string `json:"endpoint"`
}

func readRecorded(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "recorded", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// startRecorded serves testdata/recorded/proxy-api (ANY /{proxy+} and ANY /hardcoded integrating
// RecordedFunction, a MOCK GET /path, stage "stage"), with binaryMediaTypes when given.
func startRecorded(t *testing.T, fn func(context.Context, []byte) ([]byte, error), binaryTypes []string) *stack {
	t.Helper()
	body := readFile(t, filepath.Join("recorded", "proxy-api.body.json"))
	if binaryTypes != nil {
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		doc["x-amazon-apigateway-binary-media-types"] = binaryTypes
		body, _ = json.Marshal(doc)
	}
	stage := readFile(t, filepath.Join("recorded", "proxy-api.stage.json"))
	return start(t, options{body: string(body), stage: string(stage), funcs: funcs{"RecordedFunction": fn}})
}

// resultFromBody is the recorded tests' function: its proxy result is the JSON it was sent.
func resultFromBody(_ context.Context, payload []byte) ([]byte, error) {
	var e events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &e); err != nil {
		return nil, err
	}
	if e.IsBase64Encoded {
		return base64.StdEncoding.DecodeString(e.Body)
	}
	return []byte(e.Body), nil
}

// rawAnswer is one answer as it is on the wire: header names as written, a name's values in the
// order of their lines (1xx interim answers skipped).
type rawAnswer struct {
	status int
	names  []string
	values map[string][]string
	body   []byte
}

func (a rawAnswer) header(name string) (string, bool) {
	vs, ok := a.values[name]
	return strings.Join(vs, ", "), ok
}

func readRawAnswer(t *testing.T, conn net.Conn) rawAnswer {
	t.Helper()
	br := bufio.NewReader(conn)
	for {
		a := rawAnswer{values: map[string][]string{}}
		status, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		fields := strings.Fields(status)
		if len(fields) < 2 {
			t.Fatalf("status line %q", status)
		}
		if a.status, err = strconv.Atoi(fields[1]); err != nil {
			t.Fatalf("status line %q", status)
		}
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			name, value, _ := strings.Cut(line, ":")
			if _, seen := a.values[name]; !seen {
				a.names = append(a.names, name)
			}
			a.values[name] = append(a.values[name], strings.TrimSpace(value))
		}
		if a.status < 200 {
			continue
		}
		n, err := strconv.Atoi(http.Header(a.values).Get("Content-Length"))
		if err != nil {
			t.Fatalf("answer %d has no Content-Length: %v", a.status, a.values)
		}
		a.body = make([]byte, n)
		if _, err := io.ReadFull(br, a.body); err != nil {
			t.Fatal(err)
		}
		return a
	}
}

func (s *stack) send(t *testing.T, req string) rawAnswer {
	t.Helper()
	conn := dial(t, s)
	writeString(t, conn, req)
	return readRawAnswer(t, conn)
}

// lookup follows a dotted path ("requestContext.identity") into a decoded JSON object.
func lookup(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, key := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[key]; !ok {
			return nil, false
		}
	}
	return v, true
}

type eventFixture struct {
	recording
	Cases []struct {
		Recording   string         `json:"recording"`
		Request     string         `json:"request"`
		Event       map[string]any `json:"event"`
		HeaderNames []string       `json:"headerNames"`
		Present     []string       `json:"present"`
		Absent      []string       `json:"absent"`
	} `json:"cases"`
}

// TestEventIsTheRecordedEvent sends the recorded requests and compares the event the function
// gets with AWS's: body null without a body, isBase64Encoded always, identity keys as null,
// deploymentId, no authorizer key on a route without one, hop-by-hop headers dropped,
// Authorization respelled, path with leading slashes folded, {proxy+} without the trailing
// slash, percent-encoding kept, //hardcoded routed to /hardcoded.
func TestEventIsTheRecordedEvent(t *testing.T) {
	s := startRecorded(t, inspect, nil)
	for _, file := range []string{"proxy-event-edge.json", "proxy-event-regional.json"} {
		var fx eventFixture
		readRecorded(t, file, &fx)
		for _, tc := range fx.Cases {
			t.Run(file+"/"+tc.Recording, func(t *testing.T) {
				a := s.send(t, tc.Request)
				if a.status != http.StatusOK {
					t.Fatalf("status %d: %s", a.status, a.body)
				}
				var e map[string]any
				if err := json.Unmarshal(a.body, &e); err != nil {
					t.Fatalf("event %q: %v", a.body, err)
				}
				for path, want := range tc.Event {
					got, ok := lookup(e, path)
					if !ok || !reflect.DeepEqual(got, want) {
						t.Errorf("%s = %#v (present %v), recorded %#v (%s, %s)", path, got, ok, want, fx.Test, fx.Validated)
					}
				}
				for _, path := range tc.Present {
					if got, _ := lookup(e, path); got == nil || got == "" {
						t.Errorf("%s missing, recorded present", path)
					}
				}
				for _, path := range tc.Absent {
					if got, ok := lookup(e, path); ok {
						t.Errorf("%s = %#v, recorded absent", path, got)
					}
				}
				for _, key := range []string{"headers", "multiValueHeaders"} {
					obj, _ := e[key].(map[string]any)
					var names []string
					for k := range obj {
						names = append(names, k)
					}
					sort.Strings(names)
					want := append([]string(nil), tc.HeaderNames...)
					sort.Strings(want)
					if !reflect.DeepEqual(names, want) {
						t.Errorf("%s names %q, recorded %q", key, names, want)
					}
				}
			})
		}
	}
}

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

type binaryFixture struct {
	recording
	PNG   string `json:"png"`
	Cases []struct {
		BinaryMediaTypes []string `json:"binaryMediaTypes"`
		Accept           *string  `json:"accept"`
		ContentType      *string  `json:"contentType"`
		IsBase64Encoded  bool     `json:"isBase64Encoded"`
		WantBinary       bool     `json:"wantBinary"`
		Note             string   `json:"note"`
	} `json:"cases"`
	BadBase64 struct {
		BinaryMediaTypes []string `json:"binaryMediaTypes"`
		Accept           string   `json:"accept"`
		Body             string   `json:"body"`
		WantStatus       int      `json:"wantStatus"`
	} `json:"badBase64"`
}

// TestBinaryAnswerAsRecorded: which Accept (the first media type only) against which
// binaryMediaTypes turns a base64 answer into bytes, the function's Content-Type playing no
// part, and a base64 body that does not decode being API Gateway's 500.
func TestBinaryAnswerAsRecorded(t *testing.T) {
	var fx binaryFixture
	readRecorded(t, "proxy-binary.json", &fx)
	png, err := base64.StdEncoding.DecodeString(fx.PNG)
	if err != nil {
		t.Fatal(err)
	}
	stacks := map[string]*stack{}
	stackFor := func(types []string) *stack {
		key := strings.Join(types, ",")
		if stacks[key] == nil {
			stacks[key] = startRecorded(t, resultFromBody, append([]string{}, types...))
		}
		return stacks[key]
	}
	for i, tc := range fx.Cases {
		name := strconv.Itoa(i) + " " + strings.Join(tc.BinaryMediaTypes, ",") + " Accept " + deref(tc.Accept) + " " + tc.Note
		t.Run(name, func(t *testing.T) {
			headers := map[string]string{"Cache-Control": "no-cache"}
			if tc.ContentType != nil {
				headers["Content-Type"] = *tc.ContentType
			}
			result, _ := json.Marshal(map[string]any{"statusCode": 200, "body": fx.PNG, "isBase64Encoded": tc.IsBase64Encoded, "headers": headers})
			var extra []string
			if tc.Accept != nil {
				extra = []string{"Accept", *tc.Accept}
			}
			a := stackFor(tc.BinaryMediaTypes).send(t, postJSON("/test", string(result), extra...))
			want := []byte(fx.PNG)
			if tc.WantBinary {
				want = png
			}
			if a.status != 200 || !bytes.Equal(a.body, want) {
				t.Fatalf("answer %d %q, recorded binary=%v (%s, %s)", a.status, a.body, tc.WantBinary, fx.Test, fx.Validated)
			}
		})
	}
	t.Run("invalid base64 body", func(t *testing.T) {
		bad := fx.BadBase64
		result, _ := json.Marshal(map[string]any{"statusCode": 200, "body": bad.Body, "isBase64Encoded": true})
		a := stackFor(bad.BinaryMediaTypes).send(t, postJSON("/test", string(result), "Accept", bad.Accept))
		if a.status != bad.WantStatus {
			t.Fatalf("status %d %q, recorded %d", a.status, a.body, bad.WantStatus)
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "none"
	}
	return *s
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
