package apigateway_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/example/cognito-sam-go/internal/echo"
	"github.com/example/cognito-sam-go/internal/emulator/apigateway"
	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
)

const (
	poolARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Test"
	issuer  = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test"
	origin  = "http://127.0.0.1:8080" // CorsAllowOrigin of the cors-on fixture
)

// funcs is an Invoker over in-process functions, by name.
type funcs map[string]func(ctx context.Context, payload []byte) ([]byte, error)

func (f funcs) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	fn, ok := f[name]
	if !ok {
		return nil, errors.New("no function " + name)
	}
	return fn(ctx, payload)
}

// handler runs an http.Handler as its Lambda main does, through aws-lambda-go-api-proxy, and
// encodes the result as the Lambda runtime does (encoding/json).
func handler(h http.Handler) func(context.Context, []byte) ([]byte, error) {
	adapter := httpadapter.New(h)
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var e events.APIGatewayProxyRequest
		if err := json.Unmarshal(payload, &e); err != nil {
			return nil, err
		}
		resp, err := adapter.ProxyWithContext(ctx, e)
		if err != nil {
			return nil, err
		}
		return json.Marshal(resp)
	}
}

// inspect answers 200 with the event it received as the body.
func inspect(_ context.Context, payload []byte) ([]byte, error) {
	return json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Body: string(payload),
		Headers: map[string]string{"Content-Type": "application/json"}})
}

// defaultFuncs: /login, /refresh, /login/new-password answer with their event; /echo is the real handler.
func defaultFuncs() funcs {
	return funcs{"LoginFunction": inspect, "EchoFunction": handler(echo.New(slog.New(slog.DiscardHandler)))}
}

type stack struct {
	url  string
	addr string
	keys *authtest.KeySet
	logs *syncBuffer
}

type options struct {
	fixture     string // cors-off or cors-on
	funcs       funcs
	timeouts    map[string]time.Duration
	bodyTimeout time.Duration
	body, stage string // override the fixture's JSON
	filter      apigateway.Filter
}

// start serves a fixture on loopback with a fresh key set; everything stops with the test.
func start(t *testing.T, o options) *stack {
	t.Helper()
	if o.fixture == "" {
		o.fixture = "cors-off"
	}
	if o.funcs == nil {
		o.funcs = defaultFuncs()
	}
	body, stage := []byte(o.body), []byte(o.stage)
	if o.body == "" {
		body = readFile(t, o.fixture+".body.json")
	}
	if o.stage == "" {
		stage = readFile(t, o.fixture+".stage.json")
	}
	keys := authtest.NewKeySet(t)
	logs := &syncBuffer{}
	g, err := apigateway.New(t.Context(), apigateway.Config{
		Body: body, Stage: stage, Invoker: o.funcs, FunctionTimeouts: o.timeouts,
		Pools:  map[string]apigateway.Pool{poolARN: {Issuer: issuer, JWKSURL: keys.URL()}},
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Filter: o.filter,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var opts []apigateway.ServerOption
	if o.bodyTimeout > 0 {
		opts = append(opts, apigateway.WithBodyTimeout(o.bodyTimeout))
	}
	srv := apigateway.Server(g, opts...)
	go func() { _ = srv.Serve(apigateway.Listener(ln, g)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &stack{url: "http://" + ln.Addr().String(), addr: ln.Addr().String(), keys: keys, logs: logs}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (s *stack) idToken(t *testing.T, edit map[string]any) string {
	t.Helper()
	c := authtest.IDClaims(issuer, time.Now())
	for k, v := range edit {
		c[k] = v
	}
	return authtest.Sign(t, s.keys.Key(), c)
}

// raw sends req verbatim (header names, duplicates, framing as written) and reads one answer.
func (s *stack) raw(t *testing.T, req string) (*http.Response, map[string]any) {
	t.Helper()
	conn := dial(t, s)
	writeString(t, conn, req)
	return readAnswer(t, conn)
}

func readAnswer(t *testing.T, conn net.Conn) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %q", resp.StatusCode, b)
	}
	return resp, m
}

// do sends an ordinary request with net/http's client.
func (s *stack) do(t *testing.T, method, path, body string, headers ...string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %q", resp.StatusCode, b)
	}
	return resp, m
}

// event decodes the proxy event the inspect function echoed back.
func event(t *testing.T, m map[string]any) events.APIGatewayProxyRequest {
	t.Helper()
	b, _ := json.Marshal(m)
	var e events.APIGatewayProxyRequest
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

func dial(t *testing.T, s *stack) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	return conn
}

func writeString(t *testing.T, conn net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(conn, s); err != nil {
		t.Fatal(err)
	}
}

func newGatewayErr(t *testing.T, body, stage string) (*apigateway.Gateway, error) {
	t.Helper()
	keys := authtest.NewKeySet(t)
	return apigateway.New(t.Context(), apigateway.Config{Body: []byte(body), Stage: []byte(stage), Invoker: defaultFuncs(),
		Pools: map[string]apigateway.Pool{poolARN: {Issuer: issuer, JWKSURL: keys.URL()}}})
}
