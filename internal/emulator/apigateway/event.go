package apigateway

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// proxyEvent is the REST API (v1) Lambda proxy event with the JSON shape API Gateway sends, which
// aws-lambda-go's events.APIGatewayProxyRequest cannot express: body null when there is none,
// isBase64Encoded always present, identity keys present as null, no authorizer key on a route
// without one. Shape: "Input format of a Lambda function for proxy integration"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html)
// as recorded from AWS in LocalStack's tests/aws/services/apigateway/test_apigateway_lambda.snapshot.json
// (test_lambda_aws_proxy_integration, validated 2024-08-02); see testdata/recorded.
type proxyEvent struct {
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  proxyRequestContext `json:"requestContext"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

type proxyRequestContext struct {
	AccountID         string         `json:"accountId"`
	APIID             string         `json:"apiId"`
	Authorizer        map[string]any `json:"authorizer,omitempty"`
	DeploymentID      string         `json:"deploymentId"`
	DomainName        string         `json:"domainName"`
	DomainPrefix      string         `json:"domainPrefix"`
	ExtendedRequestID string         `json:"extendedRequestId"`
	HTTPMethod        string         `json:"httpMethod"`
	Identity          proxyIdentity  `json:"identity"`
	Path              string         `json:"path"`
	Protocol          string         `json:"protocol"`
	RequestID         string         `json:"requestId"`
	RequestTime       string         `json:"requestTime"`
	RequestTimeEpoch  int64          `json:"requestTimeEpoch"`
	ResourceID        string         `json:"resourceId"`
	ResourcePath      string         `json:"resourcePath"`
	Stage             string         `json:"stage"`
}

// proxyIdentity: the keys AWS sends for an unsigned request, the caller's ones null.
type proxyIdentity struct {
	AccessKey                     *string `json:"accessKey"`
	AccountID                     *string `json:"accountId"`
	Caller                        *string `json:"caller"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	SourceIP                      string  `json:"sourceIp"`
	User                          *string `json:"user"`
	UserAgent                     string  `json:"userAgent"`
	UserArn                       *string `json:"userArn"`
}

// buildEvent is the event for one request: path as sent (rc.path), headers as eventHeaders passes
// them, query parameters decoded (the last value in queryStringParameters), the body as text, or
// base64 when its Content-Type is a binary media type or it is not UTF-8.
func (g *Gateway) buildEvent(r *http.Request, rc *requestContext, m *method, names []string, known bool, claims map[string]string, body []byte) proxyEvent {
	now := g.now().UTC()
	headers, multi := eventHeaders(r, names, known)
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}
	headers, multi = addForwarded(r, headers, multi, sourceIP, rc.traceID)

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
	e := proxyEvent{
		Resource: m.resource, Path: rc.path, HTTPMethod: r.Method,
		Headers: headers, MultiValueHeaders: multi,
		QueryStringParameters: query, MultiValueQueryStringParameters: multiQuery,
		PathParameters: params,
		RequestContext: proxyRequestContext{
			AccountID: g.accountID, ResourceID: resourceID(m.resource), Stage: g.stage, RequestID: rc.requestID,
			ExtendedRequestID: rc.extendedID, DeploymentID: g.deploymentID,
			Identity:     proxyIdentity{SourceIP: sourceIP, UserAgent: r.UserAgent()},
			ResourcePath: m.resource, HTTPMethod: r.Method, APIID: g.apiID, Protocol: r.Proto,
			// AWS's requestContext.path is the path as sent, slashes and all ("/stage//hardcoded").
			Path:             "/" + g.stage + rawPath(r),
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
	if len(body) > 0 {
		var text string
		if mediaTypeIn(g.binaryTypes, r.Header.Get("Content-Type")) || !utf8.Valid(body) {
			text, e.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		} else {
			text = string(body)
		}
		e.Body = &text
	}
	return e
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

// newExtendedRequestID is like API Gateway's extended request id, which it also answers as
// x-amz-apigw-id: 16 characters of base64 ("TWegAcC4EowCHnA=" in aws-lambda-go's
// events/testdata/apigw-request.json).
func newExtendedRequestID() string {
	var b [11]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}
