package apigateway_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// The recorded_*_test.go files hold the local gateway to answers recorded from real API Gateway: the
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
