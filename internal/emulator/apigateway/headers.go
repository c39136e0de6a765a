package apigateway

import (
	"crypto/rand"
	"encoding/hex"
	"mime"
	"net"
	"net/http"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
	"time"
)

// notForwarded are the request headers API Gateway does not pass to a Lambda proxy function:
// recorded from a REGIONAL API (LocalStack test_apigateway_integrations.snapshot.json,
// TestApiGatewayHeaderRemapping::test_apigateway_header_remapping_aws[AWS_PROXY], validated
// 2024-12-11: sent, absent from the event) and Content-Length (absent from every recorded event,
// test_lambda_aws_proxy_integration, validated 2024-08-02). Keep-Alive, Proxy-Authorization and
// Proxy-Connection are hop-by-hop too (RFC 9110 section 7.6.1) and were not recorded: dropped, the
// safe side.
var notForwarded = map[string]bool{
	"Connection": true, "Content-Length": true, "Content-Md5": true, "Expect": true, "Max-Forwards": true,
	"Proxy-Authenticate": true, "Server": true, "Te": true, "Trailer": true, "Transfer-Encoding": true,
	"Upgrade": true, "Www-Authenticate": true,
	"Keep-Alive": true, "Proxy-Authorization": true, "Proxy-Connection": true,
}

// eventHeaders keys headers by the names the client sent (see rawconn.go) and gives each name
// every value in multiValueHeaders and the last in headers, as the documented example of the
// input format shows ("header2": "value2" next to ["value1", "value2"]). Authorization is the one
// name AWS respells: sent as "authorization" or "aUThorization" it was recorded as "Authorization"
// (test_lambda_aws_proxy_integration, validated 2024-08-02, an EDGE API; no REGIONAL recording
// says otherwise). Names differing only in case are one header under the first spelling: a
// function then sees one key per header, the safe side of an undocumented case. Without the sent
// names, net/http's canonical ones.
func eventHeaders(r *http.Request, names []string, known bool) (map[string]string, map[string][]string) {
	values := func(canon string) []string {
		if canon == "Host" {
			return []string{r.Host}
		}
		return r.Header[canon]
	}
	if !known {
		names = names[:0]
		for k := range r.Header {
			names = append(names, k)
		}
		sort.Strings(names)
		names = append(names, "Host")
	}
	headers, multi := map[string]string{}, map[string][]string{}
	seen := map[string]bool{}
	for _, name := range names {
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if seen[canon] || notForwarded[canon] {
			continue
		}
		vs := values(canon)
		if len(vs) == 0 {
			continue
		}
		seen[canon] = true
		if canon == "Authorization" {
			name = canon
		}
		headers[name], multi[name] = vs[len(vs)-1], vs
	}
	return headers, multi
}

// addForwarded adds what API Gateway adds for the function: X-Forwarded-For (the client's address
// appended to any sent), X-Forwarded-Port, X-Forwarded-Proto, and the request's X-Amzn-Trace-Id
// when the client sent none, as the documented sample event shows them.
func addForwarded(r *http.Request, headers map[string]string, multi map[string][]string, sourceIP, traceID string) (map[string]string, map[string][]string) {
	set := func(name, value string) {
		for k := range headers {
			if strings.EqualFold(k, name) {
				name = k
				break
			}
		}
		headers[name], multi[name] = value, []string{value}
	}
	xff := sourceIP
	if prev := r.Header.Values("X-Forwarded-For"); len(prev) > 0 {
		xff = strings.Join(prev, ", ") + ", " + sourceIP
	}
	set("X-Forwarded-For", xff)
	port := "80"
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		port = p
	}
	set("X-Forwarded-Port", port)
	set("X-Forwarded-Proto", "http") // the local gateway serves plain HTTP on loopback
	if r.Header.Get("X-Amzn-Trace-Id") == "" {
		set("X-Amzn-Trace-Id", traceID)
	}
	return headers, multi
}

// requestTraceID is the caller's X-Amzn-Trace-Id, or a new X-Ray trace id:
// Root=1-<epoch seconds, hex>-<96 random bits, hex>.
func requestTraceID(r *http.Request) string {
	if t := r.Header.Get("X-Amzn-Trace-Id"); t != "" {
		return t
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "Root=1-" + strconv.FormatInt(time.Now().Unix(), 16) + "-" + hex.EncodeToString(b[:])
}

// answerTraceID is the X-Amzn-Trace-Id a Lambda proxy answer carries: the request's, with a
// generated Parent when it has none. Recorded (LocalStack test_apigateway_common.snapshot.json,
// TestApiGatewayCommon::test_invocation_trace_id, validated 2024-08-07): a sent
// "Root=...;Parent=...;Sampled=1" comes back whole with its Parent; a sent "Root=..." comes back
// with another Parent; a MOCK integration's answer has none.
func answerTraceID(trace string) string {
	if strings.Contains(trace, "Parent=") {
		return trace
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return trace + ";Parent=" + hex.EncodeToString(b[:]) + ";Sampled=0"
}

// rawPath is the request's path as sent: percent-encoding kept ("%2B" stays "%2B").
func rawPath(r *http.Request) string {
	return r.URL.EscapedPath()
}

// routePath is the path API Gateway routes and passes as the event's path: leading slashes folded
// into one ("//hardcoded" is "/hardcoded"), the rest as sent (test_lambda_aws_proxy_integration,
// validated 2024-08-02: "//proxy-value" and "//hardcoded" arrive as "/proxy-value" and
// "/hardcoded", "/proxy-value//double-slash" and "/proxy-value/" as sent).
func routePath(r *http.Request) string {
	return "/" + strings.TrimLeft(rawPath(r), "/")
}

// mediaTypeIn reports whether a media type (a Content-Type or one Accept value, parameters
// ignored) is one of the API's binary media types: equal (case-insensitively), or matched by a
// binary type's wildcard subtype ("application/*" takes "application/anything"), or by "*/*".
// A wildcard type on the left ("*/test") matches nothing, and a wildcard sent by the client
// ("image/*") only the same binary type: recorded in LocalStack test_apigateway_lambda.py
// test_aws_proxy_binary_response (validated 2025-01-29); "*/*" includes all content types:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html.
func mediaTypeIn(types []string, value string) bool {
	mt, _, err := mime.ParseMediaType(value)
	if err != nil || !strings.Contains(mt, "/") {
		return false
	}
	for _, t := range types {
		t = strings.ToLower(t)
		prefix, wild := strings.CutSuffix(t, "/*")
		switch {
		case t == "*/*":
			return true
		case strings.HasPrefix(t, "*/"):
			continue
		case t == mt, wild && strings.HasPrefix(mt, prefix+"/"):
			return true
		}
	}
	return false
}
