// Package apigateway emulates API Gateway's REST API for the local stack: it serves the RestApi
// definition CloudFormation would receive (the SAM translator's swagger, intrinsics resolved) and
// its Stage: the methods and their integrations (Lambda proxy through an Invoker, mock), the
// Cognito user pool authorizer, gateway responses rendered from their templates, and per-method
// throttling. See Server for the HTTP-level behaviour (header and body limits, error answers).
//
// Wiring (what the orchestrator does):
//
//	g, err := apigateway.New(ctx, apigateway.Config{
//		Body:    restApiBody,    // Resources.<RestApi>.Properties.Body, resolved
//		Stage:   stageProps,     // Resources.<Stage>.Properties, resolved
//		Pools:   map[string]apigateway.Pool{poolArn: {Issuer: iss, JWKSURL: jwks}},
//		Invoker: lambdaEmulator, // Invoke(ctx, "LoginFunction", eventJSON)
//		FunctionTimeouts: map[string]time.Duration{"LoginFunction": 10 * time.Second},
//		Logger:  logger,
//	})
//	srv := apigateway.Server(g)
//	go srv.Serve(apigateway.Listener(ln, g))
package apigateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Invoker runs a Lambda function synchronously: the payload is the proxy event as JSON, the
// answer the function's result as JSON. Any error (the function failed, timed out or could not
// start) is answered as API Gateway answers a failed Lambda proxy integration.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Pool says where a Cognito user pool named in an authorizer's providerARNs is found.
type Pool struct {
	Issuer  string // https://cognito-idp.<region>.amazonaws.com/<pool id>, what its tokens carry in iss
	JWKSURL string // where its keys are served (locally: the Cognito emulator)
}

// Config is what the orchestrator hands over, all of it resolved JSON.
type Config struct {
	Body    json.RawMessage // AWS::ApiGateway::RestApi Properties.Body (swagger 2.0)
	Stage   json.RawMessage // AWS::ApiGateway::Stage Properties
	Pools   map[string]Pool // by user pool ARN, for every ARN an authorizer names
	Invoker Invoker
	// FunctionTimeouts bounds each invoke by the function's Timeout, when known; the
	// integration timeout (29 s unless the integration says otherwise) bounds it always.
	FunctionTimeouts map[string]time.Duration
	AccountID        string // requestContext.accountId; default 123456789012
	APIID            string // requestContext.apiId; default "local"
	Logger           *slog.Logger
	Now              func() time.Time // the authorizer's and the event's clock; default time.Now
	JWKSClient       *http.Client     // fetches the pools' keys; default http.DefaultClient
	Filter           Filter           // the stage's web ACL, when one is associated (see Filter)
}

// Gateway is the http.Handler serving one stage of one RestApi. Serve it with Server.
type Gateway struct {
	methods      []method
	responses    map[string]gatewayResponseDef
	binaryTypes  []string // x-amazon-apigateway-binary-media-types
	authorizers  map[string]*poolAuthorizer
	throttle     *throttle
	invoker      Invoker
	timeouts     map[string]time.Duration
	stage        string
	accountID    string
	apiID        string
	deploymentID string // requestContext.deploymentId: stable per API and stage
	logger       *slog.Logger
	now          func() time.Time
	bodyTimeout  time.Duration // see Server
	filter       Filter
}

// New reads the definition and the stage and fetches each pool's keys (New fails when a pool's
// JWKS cannot be fetched). ctx bounds the authorizers' background key refresh.
func New(ctx context.Context, cfg Config) (*Gateway, error) {
	methods, doc, err := parseDefinition(cfg.Body)
	if err != nil {
		return nil, err
	}
	var st stage
	if err := json.Unmarshal(cfg.Stage, &st); err != nil {
		return nil, fmt.Errorf("apigateway: Stage properties: %w", err)
	}
	if st.StageName == "" {
		return nil, errors.New("apigateway: Stage has no StageName")
	}
	g := &Gateway{
		methods: methods, responses: doc.GatewayResponses, binaryTypes: doc.BinaryMediaTypes, invoker: cfg.Invoker, timeouts: cfg.FunctionTimeouts,
		stage: st.StageName, accountID: cfg.AccountID, apiID: cfg.APIID, logger: cfg.Logger, now: cfg.Now,
		bodyTimeout: defaultBodyTimeout, filter: cfg.Filter,
	}
	if g.accountID == "" {
		g.accountID = "123456789012"
	}
	if g.apiID == "" {
		g.apiID = "local"
	}
	g.deploymentID = resourceID(g.apiID + "/" + g.stage)
	if g.logger == nil {
		g.logger = slog.Default()
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.throttle, err = newThrottle(g.methods, st.MethodSettings); err != nil {
		return nil, err
	}
	if g.authorizers, err = newAuthorizers(ctx, doc.SecurityDefinitions, cfg); err != nil {
		return nil, err
	}
	for _, m := range methods {
		if m.function != "" && cfg.Invoker == nil {
			return nil, fmt.Errorf("apigateway: %s %s integrates function %s but Config.Invoker is nil", m.verb, m.resource, m.function)
		}
	}
	return g, nil
}

// StageName is the stage served, the template's StageName.
func (g *Gateway) StageName() string { return g.stage }

// requestContext is what one request carries through the gateway, for its answer and its log line.
type requestContext struct {
	requestID    string
	extendedID   string // x-amz-apigw-id, requestContext.extendedRequestId
	traceID      string // X-Amzn-Trace-Id: the caller's or a new one
	path         string // the event's path (routePath)
	params       map[string]string
	resource     string
	reason       string // why the authorizer refused, for the log
	errorMessage string
}

type requestContextKey struct{}

func requestContextOf(r *http.Request) *requestContext {
	rc, _ := r.Context().Value(requestContextKey{}).(*requestContext)
	return rc
}

// ServeHTTP serves one request and writes one access log line: requestId, method, path, resource,
// status, latency and, for a refusal, the reason; never a header, query string or body.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rc := &requestContext{requestID: newRequestID(), extendedID: newExtendedRequestID(),
		traceID: requestTraceID(r), path: routePath(r)}
	r = r.WithContext(context.WithValue(r.Context(), requestContextKey{}, rc))
	rec := &statusRecorder{ResponseWriter: w}
	// Every answer, the gateway's own too, carries both ids in API Gateway's spelling, kept as is
	// (recorded on every answer in LocalStack's apigateway snapshots, e.g.
	// test_apigateway_common.snapshot.json test_invocation_trace_id, validated 2024-08-07).
	rec.Header()["x-amzn-RequestId"] = []string{rc.requestID}
	rec.Header()["x-amz-apigw-id"] = []string{rc.extendedID}
	g.serve(rec, r, rc)
	attrs := []any{"requestId", rc.requestID, "method", r.Method, "path", r.URL.Path, "resource", rc.resource,
		"status", rec.status, "latency_ms", float64(time.Since(start).Microseconds()) / 1000}
	if rc.reason != "" {
		attrs = append(attrs, "reason", rc.reason)
	}
	if rc.errorMessage != "" {
		attrs = append(attrs, "error", rc.errorMessage)
	}
	g.logger.Info("request", attrs...)
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	names, known := headerNames(w, r) // first: it takes this request's header names off the connection
	if g.filtered(w, r, rc) {
		return
	}
	if headSize(r) > MaxRequestHead {
		g.writeGatewayError(w, r, errHeaderTooLarge, rc)
		return
	}
	m, params := match(g.methods, r.Method, rc.path)
	if m == nil {
		// API Gateway's answer says nothing more; the local log names the routes there are.
		rc.reason = "no route for this method and path; the API has: " + g.routeList()
		g.writeGatewayError(w, r, errMissingToken, rc)
		return
	}
	rc.resource, rc.params = m.resource, params
	if !g.throttle.allow(m, g.now()) {
		g.writeGatewayError(w, r, errThrottled, rc)
		return
	}
	var claims map[string]string
	if m.authorize != "" {
		var gerr *gatewayError
		if claims, gerr = g.authorizers[m.authorize].authorize(r, rc); gerr != nil {
			g.writeGatewayError(w, r, *gerr, rc)
			return
		}
	}
	if m.mock != nil {
		g.serveMock(w, r, m.mock, params)
		return
	}
	body, gerr := g.readBody(w, r)
	if gerr != nil {
		g.writeGatewayError(w, r, *gerr, rc)
		return
	}
	event := g.buildEvent(r, rc, m, names, known, claims, body)
	g.invoke(w, r, rc, m, event)
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

// Unwrap lets http.ResponseController reach the connection (read deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// routeList names every method of the definition, for the log line of an unmatched request.
func (g *Gateway) routeList() string {
	names := make([]string, 0, len(g.methods))
	for _, m := range g.methods {
		names = append(names, m.verb+" "+m.resource)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
