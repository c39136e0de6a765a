package apigateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// defaultIntegrationTimeout is API Gateway's default (and, for REST APIs without a quota
// increase, maximum) integration timeout: 29 s
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
const defaultIntegrationTimeout = 29 * time.Second

// invoke runs the method's function and writes its answer. The function's own timeout bounds the
// call when known, the integration timeout always: a function that fails or outlives its timeout
// is API Gateway's 502 "Internal server error", an integration that outlives 29 s its 504
// "Endpoint request timed out".
func (g *Gateway) invoke(w http.ResponseWriter, r *http.Request, rc *requestContext, m *method, event events.APIGatewayProxyRequest) {
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
	if err := writeProxyResponse(w, out, binaryAccepted(g.binaryTypes, r.Header.Get("Accept"))); err != nil {
		g.logger.Warn("malformed Lambda proxy response", "requestId", rc.requestID, "function", m.function, "error", err)
		g.writeGatewayError(w, r, errLambda, rc)
	}
}

// binaryAccepted reports whether API Gateway would turn an isBase64Encoded answer back into bytes:
// only when the API's binary media types include the request's Accept type. Otherwise it passes
// the base64 text through as the body ("Return binary media from a Lambda proxy integration",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html).
func binaryAccepted(types []string, accept string) bool {
	for _, a := range strings.Split(accept, ",") {
		a, _, _ = strings.Cut(strings.TrimSpace(a), ";")
		for _, t := range types {
			if t == "*/*" || strings.EqualFold(t, a) {
				return true
			}
		}
	}
	return false
}

// writeProxyResponse writes the function's result as "Output format of a Lambda function for
// proxy integration" describes it: headers and multiValueHeaders merged (multiValueHeaders win
// for a name in both), body base64-decoded when isBase64Encoded and binary is accepted. A result
// that is not that shape is a malformed proxy response, 502.
func writeProxyResponse(w http.ResponseWriter, out []byte, binary bool) error {
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return err
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return errors.New("statusCode missing or out of range")
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded && binary {
		decoded, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return err
		}
		body = decoded
	}
	h := w.Header()
	// Canonical names on the way out: net/http looks Content-Type up by its canonical key and
	// would add a second one next to a function's "content-type".
	for k, v := range resp.Headers {
		if _, multi := resp.MultiValueHeaders[k]; !multi {
			h.Set(k, v)
		}
	}
	for k, vs := range resp.MultiValueHeaders {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	return nil
}
