// Package gateway serves an API on this machine as API Gateway's REST API would: routes and their
// authorizers come from the SAM template, a Cognito user pool authorizer is enforced before the
// function runs, and each function gets the proxy event Lambda would receive, through the same
// aws-lambda-go-api-proxy adapter its main uses.
package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/example/cognito-sam-go/internal/httpapi"
	"github.com/example/cognito-sam-go/internal/samtemplate"
)

// MaxBody is API Gateway's payload limit (10 MB).
const MaxBody = 10 << 20

// Verifier checks an Authorization header and returns the claims API Gateway would pass on, or
// ErrUnauthorized / ErrExpired. *authorizer.Authorizer implements it.
type Verifier interface {
	Authorize(header string) (map[string]string, error)
}

// Function is a Lambda function served in process: the handler its main starts, and its timeout.
type Function struct {
	Handler http.Handler
	Timeout time.Duration
}

// Authorizer is a Cognito user pool authorizer: the header it reads and the verifier for its pool.
type Authorizer struct {
	Header   string
	Verifier Verifier
	// Expired reports whether a Verifier error means an expired token (a distinct API Gateway message).
	Expired func(error) bool
}

// Config describes the API to serve.
type Config struct {
	Routes      []samtemplate.Route
	Functions   map[string]Function   // by FunctionID
	Authorizers map[string]Authorizer // by authorizer name
	Stage       string
	Logger      *slog.Logger
}

// Gateway is the http.Handler that fronts the functions.
type Gateway struct {
	routes []route
	stage  string
	logger *slog.Logger
}

type route struct {
	samtemplate.Route
	segments []string
	proxy    *httpadapter.HandlerAdapter
	timeout  time.Duration
	authz    *Authorizer
}

// New checks that every route has its function and authorizer, and builds the gateway.
func New(cfg Config) (*Gateway, error) {
	g := &Gateway{stage: cfg.Stage, logger: cfg.Logger}
	for _, r := range cfg.Routes {
		fn, ok := cfg.Functions[r.FunctionID]
		if !ok {
			return nil, fmt.Errorf("route %s %s: no local handler for function %s", r.Method, r.Path, r.FunctionID)
		}
		rt := route{Route: r, segments: splitPath(r.Path), proxy: httpadapter.New(fn.Handler), timeout: fn.Timeout}
		if !r.Public() {
			a, ok := cfg.Authorizers[r.Authorizer]
			if !ok {
				return nil, fmt.Errorf("route %s %s: authorizer %s is not configured", r.Method, r.Path, r.Authorizer)
			}
			rt.authz = &a
		}
		g.routes = append(g.routes, rt)
	}
	return g, nil
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	requestID := newRequestID()
	rec.Header().Set("X-Amzn-Requestid", requestID)
	rt, params := g.match(r.Method, r.URL.Path)
	g.serve(rec, r, rt, params, requestID)
	resource := ""
	if rt != nil {
		resource = rt.Path
	}
	// One line per request; never a header, a body or a query string (they may hold credentials).
	g.logger.Info("request", "requestId", requestID, "method", r.Method, "path", r.URL.Path,
		"resource", resource, "status", rec.status, "latency_ms", float64(time.Since(start).Microseconds())/1000)
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, rt *route, params map[string]string, requestID string) {
	if rt == nil {
		httpapi.WriteError(w, http.StatusForbidden, "Missing Authentication Token")
		return
	}
	var claims map[string]string
	if rt.authz != nil {
		var err error
		claims, err = rt.authz.Verifier.Authorize(r.Header.Get(rt.authz.Header))
		if err != nil {
			msg := "Unauthorized"
			if rt.authz.Expired != nil && rt.authz.Expired(err) {
				msg = "The incoming token has expired"
			}
			httpapi.WriteError(w, http.StatusUnauthorized, msg)
			return
		}
	}
	body, err := httpapi.ReadBody(r, MaxBody)
	if err != nil {
		var de *httpapi.DecodeError
		if errors.As(err, &de) && de.Status == http.StatusRequestEntityTooLarge {
			httpapi.WriteError(w, http.StatusRequestEntityTooLarge, "Request Too Long")
			return
		}
		httpapi.WriteError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	event := g.event(r, rt, params, claims, body, requestID)
	ctx, cancel := context.WithTimeout(r.Context(), rt.timeout)
	defer cancel()
	resp, err := invoke(ctx, rt.proxy, event)
	if err != nil {
		// What API Gateway answers when the integration fails.
		g.logger.Error("function failed", "requestId", requestID, "function", rt.FunctionID, "error", err)
		httpapi.WriteError(w, http.StatusBadGateway, "Internal server error")
		return
	}
	writeResponse(w, resp)
}

// invoke runs the function, turning a panic into an error as the Lambda runtime would.
func invoke(ctx context.Context, proxy *httpadapter.HandlerAdapter, e events.APIGatewayProxyRequest) (resp events.APIGatewayProxyResponse, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("function panicked: %v", p)
		}
	}()
	return proxy.ProxyWithContext(ctx, e)
}

// event builds the REST API (v1) proxy event for the request.
func (g *Gateway) event(r *http.Request, rt *route, params, claims map[string]string, body []byte, requestID string) events.APIGatewayProxyRequest {
	now := time.Now().UTC()
	headers := map[string]string{}
	multi := map[string][]string{}
	for k, v := range r.Header {
		headers[k] = v[len(v)-1]
		multi[k] = v
	}
	if r.Host != "" {
		headers["Host"], multi["Host"] = r.Host, []string{r.Host}
	}
	var query map[string]string
	var multiQuery map[string][]string
	if q := r.URL.Query(); len(q) > 0 {
		query, multiQuery = map[string]string{}, map[string][]string{}
		for k, v := range q {
			query[k] = v[len(v)-1]
			multiQuery[k] = v
		}
	}
	if len(params) == 0 {
		params = nil
	}
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}
	e := events.APIGatewayProxyRequest{
		Resource: rt.Path, Path: r.URL.Path, HTTPMethod: r.Method,
		Headers: headers, MultiValueHeaders: multi,
		QueryStringParameters: query, MultiValueQueryStringParameters: multiQuery,
		PathParameters: params,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: "123456789012", ResourceID: "local", Stage: g.stage, RequestID: requestID,
			Identity:     events.APIGatewayRequestIdentity{SourceIP: sourceIP, UserAgent: r.UserAgent()},
			ResourcePath: rt.Path, HTTPMethod: r.Method, APIID: "local", Protocol: r.Proto,
			Path:             "/" + g.stage + r.URL.Path,
			RequestTime:      now.Format("02/Jan/2006:15:04:05 -0700"),
			RequestTimeEpoch: now.UnixMilli(), DomainName: r.Host,
		},
	}
	if claims != nil {
		asAny := make(map[string]any, len(claims))
		for k, v := range claims {
			asAny[k] = v
		}
		e.RequestContext.Authorizer = map[string]any{"claims": asAny}
	}
	if utf8.Valid(body) {
		e.Body = string(body)
	} else {
		e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return e
}

func writeResponse(w http.ResponseWriter, resp events.APIGatewayProxyResponse) {
	h := w.Header()
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			httpapi.WriteError(w, http.StatusBadGateway, "Internal server error")
			return
		}
		body = decoded
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}
