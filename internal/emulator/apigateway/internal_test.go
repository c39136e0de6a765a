package apigateway

import (
	"net/http/httptest"
	"testing"
)

const routingBody = `{"swagger":"2.0","paths":{
 "/items/{id}":{"post":{"x-amazon-apigateway-integration":{"type":"aws_proxy","uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Items:live/invocations"}}},
 "/items/special":{"get":{"x-amazon-apigateway-integration":{"type":"aws_proxy","uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Special/invocations"}},
   "x-amazon-apigateway-any-method":{"x-amazon-apigateway-integration":{"type":"aws_proxy","uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:AnySpecial/invocations"}}},
 "/files/{proxy+}":{"x-amazon-apigateway-any-method":{"x-amazon-apigateway-integration":{"type":"aws_proxy","uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Files/invocations"}}}}}`

func TestMatchAsAPIGatewayRoutes(t *testing.T) {
	methods, _, err := parseDefinition([]byte(routingBody))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, verb, path, wantFunction, wantParam string
	}{
		{"path parameter", "POST", "/items/42", "Items", "42"},
		{"literal beats parameter", "GET", "/items/special", "Special", ""},
		{"explicit method beats ANY on the same resource", "GET", "/items/special", "Special", ""},
		{"ANY takes other methods", "DELETE", "/items/special", "AnySpecial", ""},
		{"greedy proxy takes the rest", "PUT", "/files/a/b/c.txt", "Files", "a/b/c.txt"},
		{"greedy proxy needs a segment", "GET", "/files", "", ""},
		{"greedy proxy without the trailing slash", "PUT", "/files/a/", "Files", "a"},
		{"greedy proxy keeps inner slashes and encoding", "PUT", "/files/a//b%2Bc", "Files", "a//b%2Bc"},
		{"literal with a trailing slash", "GET", "/items/special/", "Special", ""},
		{"method not defined", "GET", "/items/42", "", ""},
		{"unknown path", "POST", "/nothing", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, params := match(methods, tc.verb, tc.path)
			if tc.wantFunction == "" {
				if m != nil {
					t.Fatalf("matched %s %s", m.verb, m.resource)
				}
				return
			}
			if m == nil || m.function != tc.wantFunction {
				t.Fatalf("matched %+v, want function %s", m, tc.wantFunction)
			}
			if tc.wantParam != "" && params["id"] != tc.wantParam && params["proxy"] != tc.wantParam {
				t.Fatalf("params %v", params)
			}
		})
	}
}

func TestMethodSettingBeatsTheStageDefault(t *testing.T) {
	n := func(f float64) *number { v := number(f); return &v }
	settings := []methodSetting{
		{ResourcePath: "/*", HTTPMethod: "*", ThrottlingRateLimit: n(100), ThrottlingBurstLimit: n(200)},
		{ResourcePath: "/~1login", HTTPMethod: "POST", ThrottlingRateLimit: n(10), ThrottlingBurstLimit: n(20)},
		{ResourcePath: "/~1login~1new-password", HTTPMethod: "*", ThrottlingRateLimit: n(1), ThrottlingBurstLimit: n(2)},
	}
	tests := []struct {
		resource, verb string
		wantBurst      number
	}{
		{"/login", "POST", 20},
		{"/login", "GET", 200},
		{"/login/new-password", "POST", 2},
		{"/echo", "POST", 200},
	}
	for _, tc := range tests {
		s, err := settingFor(settings, &method{resource: tc.resource, verb: tc.verb})
		if err != nil || s == nil || *s.ThrottlingBurstLimit != tc.wantBurst {
			t.Errorf("%s %s: setting %+v, err %v; want burst %v", tc.verb, tc.resource, s, err, tc.wantBurst)
		}
	}
}

// TestGatewayResponseTemplates: messageString is a quoted JSON string, message the raw text; a
// type without its own response falls back to DEFAULT_4XX/5XX, keeping its own status.
func TestGatewayResponseTemplates(t *testing.T) {
	g := &Gateway{stage: "v1", responses: map[string]gatewayResponseDef{
		"DEFAULT_4XX": {ResponseTemplates: map[string]string{"application/json": `{"m":$context.error.messageString,"raw":"$context.error.message","t":"$context.error.responseType"}`},
			ResponseParameters: map[string]string{"gatewayresponse.header.X-From": "'default4xx'", "gatewayresponse.header.X-Echo": "method.request.header.X-In"}},
		"UNAUTHORIZED": {StatusCode: "401", ResponseTemplates: map[string]string{"application/json": `{"message":$context.error.messageString}`}},
	}}
	tests := []struct {
		name       string
		e          gatewayError
		wantStatus int
		wantBody   string
		wantFrom   string
	}{
		{"own response", errExpired, 401, `{"message":"The incoming token has expired"}`, ""},
		{"DEFAULT_4XX fallback keeps the type's status", errThrottled, 429, `{"m":"Too Many Requests","raw":"Too Many Requests","t":"THROTTLED"}`, "default4xx"},
		{"no DEFAULT_5XX: API Gateway's built-in JSON", errLambda, 502, `{"message":"Internal server error"}`, ""},
		{"quotes in the message stay valid JSON", gatewayError{"BAD_REQUEST_BODY", 400, `say "hi"`}, 400, `{"m":"say \"hi\"","raw":"say "hi"","t":"BAD_REQUEST_BODY"}`, "default4xx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/x", nil)
			r.Header.Set("X-In", "in")
			w := httptest.NewRecorder()
			g.writeGatewayError(w, r, tc.e, &requestContext{requestID: "id"})
			if w.Code != tc.wantStatus || w.Body.String() != tc.wantBody {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if w.Header()["X-From"] != nil && w.Header()["X-From"][0] != tc.wantFrom || (tc.wantFrom != "" && w.Header()["X-Echo"][0] != "in") {
				t.Fatalf("headers %v", w.Header())
			}
		})
	}
}

// The SAM translator writes an OpenAPI 3.0 Body when the template sets OpenApiVersion: the authorizers
// are then under components.securitySchemes, and a method naming one is still guarded by it.
func TestOpenAPI3SecuritySchemesGuardTheirMethods(t *testing.T) {
	for name, body := range map[string]string{
		"swagger 2.0": `{"swagger":"2.0","securityDefinitions":` + cognitoScheme + `,` + guardedPath + `}`,
		"openapi 3.0": `{"openapi":"3.0.1","components":{"securitySchemes":` + cognitoScheme + `},` + guardedPath + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			methods, _, err := parseDefinition([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if len(methods) != 1 || methods[0].authorize != "CognitoAuthorizer" {
				t.Fatalf("methods %+v, want POST /echo guarded by CognitoAuthorizer", methods)
			}
		})
	}
}

const cognitoScheme = `{"CognitoAuthorizer":{"type":"apiKey","name":"Authorization","in":"header",
 "x-amazon-apigateway-authorizer":{"type":"cognito_user_pools","providerARNs":["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"]}}}`

const guardedPath = `"paths":{"/echo":{"post":{"security":[{"CognitoAuthorizer":[]}],
 "x-amazon-apigateway-integration":{"type":"aws_proxy","uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}}}}`
