package apigateway

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// gatewayResponseDef is one entry of x-amazon-apigateway-gateway-responses.
type gatewayResponseDef struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
}

// gatewayError is an answer API Gateway produces itself: its response type, status and message
// (the default status codes and messages of
// https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
type gatewayError struct {
	Type    string
	Status  int
	Message string
}

var (
	errMissingToken = gatewayError{"MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token"}
	errUnauthorized = gatewayError{"UNAUTHORIZED", 401, "Unauthorized"}
	// API Gateway's Cognito authorizer answers an expired token through UNAUTHORIZED with this
	// message (the EXPIRED_TOKEN type is for expired AWS credentials of IAM-signed requests).
	errExpired   = gatewayError{"UNAUTHORIZED", 401, "The incoming token has expired"}
	errThrottled = gatewayError{"THROTTLED", 429, "Too Many Requests"}
	errTooLarge  = gatewayError{"REQUEST_TOO_LARGE", 413, "Request Too Long"}
	errLambda    = gatewayError{"DEFAULT_5XX", 502, "Internal server error"} // a Lambda proxy failure
	// A binary answer whose body is not base64: 500 (LocalStack test_apigateway_lambda.py
	// test_aws_proxy_binary_response, validated 2025-01-29).
	errBadBase64    = gatewayError{"DEFAULT_5XX", 500, "Internal server error"}
	errIntegTimeout = gatewayError{"INTEGRATION_TIMEOUT", 504, "Endpoint request timed out"}
	// Not documented for API Gateway; the safe side (see Server): JSON like every other error.
	errHeaderTooLarge = gatewayError{"DEFAULT_4XX", 431, "Request Header Fields Too Large"}
	errBodyTimeout    = gatewayError{"DEFAULT_4XX", 408, "Request Timeout"}
	errBadRequest     = gatewayError{"DEFAULT_4XX", 400, "Bad Request"}
)

// errorTypes is the x-amzn-ErrorType API Gateway answers with its own responses. Recorded:
// MissingAuthenticationTokenException (LocalStack test_apigateway_common.snapshot.json,
// TestApigatewayRouting::test_routing_not_found, validated 2024-07-23) and
// InternalServerErrorException for a 5XX (test_apigateway_integrations.snapshot.json,
// TestApiGatewayHeaderRemapping, REGIONAL, validated 2024-12-11). The others are the exception
// names of the API Gateway error model for these response types, as LocalStack's gateway answers
// them (not recorded in its snapshots).
var errorTypes = map[string]string{
	"MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
	"DEFAULT_5XX":                  "InternalServerErrorException",
	"INTEGRATION_TIMEOUT":          "InternalServerErrorException",
	"UNAUTHORIZED":                 "UnauthorizedException",
	"THROTTLED":                    "TooManyRequestsException",
	"REQUEST_TOO_LARGE":            "RequestTooLargeException",
	"DEFAULT_4XX":                  "BadRequestException",
	"BAD_REQUEST_BODY":             "BadRequestException",
}

// responseFor picks the definition for a type: its own, else DEFAULT_4XX/DEFAULT_5XX by status
// class, else API Gateway's built-in default (a JSON message, no extra headers).
func (g *Gateway) responseFor(e gatewayError) (gatewayResponseDef, int) {
	status := e.Status
	def, ok := g.responses[e.Type]
	if !ok {
		fallback := "DEFAULT_4XX"
		if status >= 500 {
			fallback = "DEFAULT_5XX"
		}
		def = g.responses[fallback]
	} else if s, err := strconv.Atoi(def.StatusCode); err == nil && s > 0 {
		status = s
	}
	return def, status
}

// writeGatewayError renders a gateway response from its template: $context.error.messageString
// is the message as a quoted JSON string, $context.error.message the raw text
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html).
func (g *Gateway) writeGatewayError(w http.ResponseWriter, r *http.Request, e gatewayError, rc *requestContext) {
	def, status := g.responseFor(e)
	rc.errorMessage = e.Message
	tpl, contentType := `{"message":$context.error.messageString}`, "application/json"
	if t, ok := def.ResponseTemplates["application/json"]; ok {
		tpl = t
	} else {
		for ct, t := range def.ResponseTemplates {
			tpl, contentType = t, ct
			break
		}
	}
	quoted, _ := json.Marshal(e.Message)
	body := strings.NewReplacer(
		"$context.error.messageString", string(quoted), "${context.error.messageString}", string(quoted),
		"$context.error.message", e.Message, "${context.error.message}", e.Message,
		"$context.error.responseType", e.Type, "$context.requestId", rc.requestID,
		"$context.stage", g.stage,
	).Replace(tpl)
	h := w.Header()
	for name, value := range def.ResponseParameters {
		header, ok := strings.CutPrefix(name, "gatewayresponse.header.")
		if !ok {
			continue
		}
		if v, ok := parameterValue(value, r, rc.params); ok {
			h[header] = []string{v}
		}
	}
	if t, ok := errorTypes[e.Type]; ok {
		h["x-amzn-ErrorType"] = []string{t} // API Gateway's spelling, kept as is
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// parameterValue evaluates a mapping expression of responseParameters: a 'quoted' literal or a
// method.request.{header,querystring,path}.<name> of the request
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html).
// Anything else is not emulated and sets no header.
func parameterValue(expr string, r *http.Request, params map[string]string) (string, bool) {
	if len(expr) >= 2 && expr[0] == '\'' && expr[len(expr)-1] == '\'' {
		return expr[1 : len(expr)-1], true
	}
	if name, ok := strings.CutPrefix(expr, "method.request.header."); ok && r.Header.Get(name) != "" {
		return r.Header.Get(name), true
	}
	if name, ok := strings.CutPrefix(expr, "method.request.querystring."); ok && r.URL.Query().Has(name) {
		return r.URL.Query().Get(name), true
	}
	if name, ok := strings.CutPrefix(expr, "method.request.path."); ok {
		v, ok := params[name]
		return v, ok
	}
	return "", false
}
