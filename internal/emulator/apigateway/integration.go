package apigateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// defaultIntegrationTimeout is API Gateway's default (and, for REST APIs without a quota
// increase, maximum) integration timeout: 29 s
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
const defaultIntegrationTimeout = 29 * time.Second

// invoke runs the method's function and writes its answer. The function's own timeout bounds the
// call when known, the integration timeout always: a function that fails or outlives its timeout
// is API Gateway's 502 "Internal server error", an integration that outlives 29 s its 504
// "Endpoint request timed out".
func (g *Gateway) invoke(w http.ResponseWriter, r *http.Request, rc *requestContext, m *method, event proxyEvent) {
	payload, err := json.Marshal(event)
	if err != nil {
		g.writeGatewayError(w, r, errLambda, rc)
		return
	}
	limit, integrationBound := defaultIntegrationTimeout, true
	if m.timeout > 0 {
		limit = time.Duration(m.timeout) * time.Millisecond
	}
	if ft, ok := g.timeouts[m.function]; ok && ft > 0 && ft < limit {
		limit, integrationBound = ft, false
	}
	ctx, cancel := context.WithTimeout(r.Context(), limit)
	defer cancel()
	out, err := g.invoker.Invoke(ctx, m.function, payload)
	if err != nil {
		g.logger.Warn("function failed", "requestId", rc.requestID, "function", m.function, "error", err)
		if integrationBound && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			g.writeGatewayError(w, r, errIntegTimeout, rc)
			return
		}
		g.writeGatewayError(w, r, errLambda, rc)
		return
	}
	res, err := parseProxyResult(out)
	if err != nil {
		g.logger.Warn("malformed Lambda proxy response", "requestId", rc.requestID, "function", m.function, "error", err)
		g.writeGatewayError(w, r, errLambda, rc)
		return
	}
	body, err := res.answerBody(binaryAccepted(g.binaryTypes, r.Header.Get("Accept")))
	if err != nil {
		g.logger.Warn("Lambda proxy body is not base64", "requestId", rc.requestID, "function", m.function, "error", err)
		g.writeGatewayError(w, r, errBadBase64, rc)
		return
	}
	w.Header()["X-Amzn-Trace-Id"] = []string{answerTraceID(rc.traceID)}
	res.write(w, body)
}

// binaryAccepted reports whether API Gateway would turn an isBase64Encoded answer back into bytes:
// only when the first media type of the request's Accept is one of the API's binary media types
// ("API Gateway uses the first Accept header from clients to determine if a response should return
// binary media", https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html;
// the function's Content-Type plays no part, recorded in LocalStack test_apigateway_lambda.py
// test_aws_proxy_binary_response, validated 2025-01-29). Otherwise the base64 text is the body.
func binaryAccepted(types []string, accept string) bool {
	first, _, _ := strings.Cut(accept, ",")
	return mediaTypeIn(types, strings.TrimSpace(first))
}
