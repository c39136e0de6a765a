package apigateway

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// buildEvent is the REST API (v1) Lambda proxy event, as described in "Input format of a Lambda
// function for proxy integration"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html)
// and sampled in aws-lambda-go's events/testdata/apigw-request.json.
func (g *Gateway) buildEvent(r *http.Request, rc *requestContext, m *method, names []string, known bool, claims map[string]string, body []byte) events.APIGatewayProxyRequest {
	now := g.now().UTC()
	headers, multi := eventHeaders(r, names, known)
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}
	addForwarded(r, headers, multi, sourceIP)

	var query map[string]string
	var multiQuery map[string][]string
	if q := r.URL.Query(); len(q) > 0 {
		query, multiQuery = map[string]string{}, map[string][]string{}
		for k, v := range q {
			query[k] = v[len(v)-1] // the last value, as API Gateway does
			multiQuery[k] = v
		}
	}
	params := rc.params
	if len(params) == 0 {
		params = nil
	}
	e := events.APIGatewayProxyRequest{
		Resource: m.resource, Path: r.URL.Path, HTTPMethod: r.Method,
		Headers: headers, MultiValueHeaders: multi,
		QueryStringParameters: query, MultiValueQueryStringParameters: multiQuery,
		PathParameters: params,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: g.accountID, ResourceID: resourceID(m.resource), Stage: g.stage, RequestID: rc.requestID,
			ExtendedRequestID: rc.requestID,
			Identity:          events.APIGatewayRequestIdentity{SourceIP: sourceIP, UserAgent: r.UserAgent()},
			ResourcePath:      m.resource, HTTPMethod: r.Method, APIID: g.apiID, Protocol: r.Proto,
			Path:             "/" + g.stage + r.URL.Path,
			RequestTime:      now.Format("02/Jan/2006:15:04:05 -0700"),
			RequestTimeEpoch: now.UnixMilli(), DomainName: r.Host, DomainPrefix: strings.Split(r.Host, ".")[0],
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

// eventHeaders keys headers by the names the client sent (see rawconn.go) and gives each name
// every value in multiValueHeaders and the last in headers, as the documented example of the
// input format shows ("header2": "value2" next to ["value1", "value2"]). Names differing only in
// case are one header under the first spelling: a function then sees one key per header, which is
// the safe side of an undocumented case. Without the sent names, net/http's canonical ones.
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
	spelling := map[string]string{}
	for _, name := range names {
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if _, seen := spelling[canon]; seen {
			continue
		}
		vs := values(canon)
		if len(vs) == 0 {
			continue // consumed by net/http (Transfer-Encoding), not a header to pass on
		}
		spelling[canon] = name
		headers[name], multi[name] = vs[len(vs)-1], vs
	}
	if len(headers) == 0 {
		return nil, nil
	}
	return headers, multi
}

// addForwarded adds what API Gateway adds for the function: X-Forwarded-For (the client's address
// appended to any sent), X-Forwarded-Port, X-Forwarded-Proto, and an X-Amzn-Trace-Id when the
// client sent none, as the documented sample event shows them.
func addForwarded(r *http.Request, headers map[string]string, multi map[string][]string, sourceIP string) {
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
		set("X-Amzn-Trace-Id", traceID())
	}
}

// traceID is an X-Ray trace id: Root=1-<epoch seconds, hex>-<96 random bits, hex>.
func traceID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "Root=1-" + strconv.FormatInt(time.Now().Unix(), 16) + "-" + hex.EncodeToString(b[:])
}

// resourceID is a stable stand-in for API Gateway's generated resource id.
func resourceID(resource string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(resource); i++ {
		h = (h ^ uint32(resource[i])) * 16777619
	}
	return strconv.FormatUint(uint64(h%2176782336), 36) // at most 6 characters, like the real ids
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
