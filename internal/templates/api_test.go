package templates_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/templates"
)

const apiTemplate = "api-stack/template.yaml"

// apiParams are the parameters an API stack cannot do without (the auth stack's outputs).
var apiParams = map[string]string{
	"UserPoolId":  "us-east-1_Example",
	"UserPoolArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example",
}

const origin = "https://app.example.com"

// with returns base plus the key/value pairs kv.
func with(base map[string]string, kv ...string) map[string]string {
	out := maps.Clone(base)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// translatedAPI is the API stack as CloudFormation creates it with params: translated, then deployed.
func translatedAPI(t *testing.T, params map[string]string) map[string]any {
	t.Helper()
	return asDoc(deploy(t, apiTemplate, params, "cognito-go-api-only"))
}

// body is the RestApi's OpenAPI definition.
func body(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	_, api := only(t, doc, "AWS::ApiGateway::RestApi")
	return mapAt(api, "Properties", "Body")
}

var corsVariants = []struct {
	name   string
	params map[string]string
}{
	{"CORS off (default)", apiParams},
	{"CORS on", with(apiParams, "CorsAllowOrigin", origin)},
}

// Without OpenApiVersion the translator also emits a stage named "Stage" on the Deployment, which
// bypasses the stage's throttling and access logs.
func TestAPIHasExactlyOneStage(t *testing.T) {
	for _, v := range corsVariants {
		t.Run(v.name, func(t *testing.T) {
			doc := translatedAPI(t, v.params)
			_, stage := only(t, doc, "AWS::ApiGateway::Stage")
			if got := mapAt(stage, "Properties")["StageName"]; got != "v1" {
				t.Errorf("stage %v, want v1 (the StageName parameter)", got)
			}
			for id, dep := range resources(doc, "AWS::ApiGateway::Deployment") {
				if name, ok := mapAt(dep, "Properties")["StageName"]; ok {
					t.Errorf("deployment %s creates a second stage %v", id, name)
				}
			}
		})
	}
}

func TestCORSOffCreatesNoOptionsMethods(t *testing.T) {
	doc := translatedAPI(t, apiParams)
	for path, item := range mapAt(body(t, doc), "paths") {
		if _, ok := item.(map[string]any)["options"]; ok {
			t.Errorf("%s has an OPTIONS method with CORS off", path)
		}
	}
	for name, resp := range mapAt(body(t, doc), "x-amazon-apigateway-gateway-responses") {
		if h, ok := mapAt(resp.(map[string]any), "responseParameters")["gatewayresponse.header.Access-Control-Allow-Origin"]; ok {
			t.Errorf("gateway response %s names an origin (%v) with CORS off", name, h)
		}
	}
	for id, fn := range resources(doc, "AWS::Lambda::Function") {
		if v := mapAt(fn, "Properties", "Environment", "Variables")["CORS_ALLOW_ORIGIN"]; v != "" {
			t.Errorf("%s: CORS_ALLOW_ORIGIN %q, want empty", id, v)
		}
	}
}

func TestCORSOnAnswersPreflightsAndNamesTheOriginEverywhere(t *testing.T) {
	doc := translatedAPI(t, with(apiParams, "CorsAllowOrigin", origin))
	paths := mapAt(body(t, doc), "paths")
	if len(paths) == 0 {
		t.Fatal("the API has no paths")
	}
	for path := range paths {
		integ := mapAt(paths, path, "options", "x-amazon-apigateway-integration")
		if integ["type"] != "mock" {
			t.Errorf("%s: OPTIONS integration %v, want API Gateway's mock preflight", path, integ["type"])
			continue
		}
		headers := mapAt(integ, "responses", "default", "responseParameters")
		if got := headers["method.response.header.Access-Control-Allow-Origin"]; got != "'"+origin+"'" {
			t.Errorf("%s: preflight Access-Control-Allow-Origin %v, want '%s'", path, got, origin)
		}
		allowed, _ := headers["method.response.header.Access-Control-Allow-Headers"].(string)
		for _, h := range []string{"Authorization", "Content-Type"} {
			if !strings.Contains(allowed, h) {
				t.Errorf("%s: preflight Access-Control-Allow-Headers %q lacks %s", path, allowed, h)
			}
		}
	}
	responses := mapAt(body(t, doc), "x-amazon-apigateway-gateway-responses")
	for _, name := range []string{"UNAUTHORIZED", "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN", "THROTTLED", "DEFAULT_4XX", "DEFAULT_5XX"} {
		got := mapAt(responses, name, "responseParameters")["gatewayresponse.header.Access-Control-Allow-Origin"]
		if got != "'"+origin+"'" {
			t.Errorf("gateway response %s: Access-Control-Allow-Origin %v, want '%s'", name, got, origin)
		}
	}
	for id, fn := range resources(doc, "AWS::Lambda::Function") {
		if v := mapAt(fn, "Properties", "Environment", "Variables")["CORS_ALLOW_ORIGIN"]; v != origin {
			t.Errorf("%s: CORS_ALLOW_ORIGIN %q, want %q", id, v, origin)
		}
	}
}

// A browser's preflight for a route must name the route's method, or the browser never sends it. The
// template leaves Cors.AllowMethods out so that the translator lists each path's own methods and OPTIONS
// (_make_cors_allowed_methods_for_path_item in samtranslator/swagger/swagger.py, aws-sam-translator):
// the expected list here comes from the routes, whatever they are.
func TestCORSPreflightAllowsEachPathsMethods(t *testing.T) {
	doc := translatedAPI(t, with(apiParams, "CorsAllowOrigin", origin))
	want := map[string][]string{}
	for route := range templates.Routes(doc) {
		method, path, _ := strings.Cut(route, " ")
		want[path] = append(want[path], method)
	}
	if len(want) == 0 {
		t.Fatal("the API has no routes")
	}
	paths := mapAt(body(t, doc), "paths")
	for path, methods := range want {
		headers := mapAt(paths, path, "options", "x-amazon-apigateway-integration", "responses", "default", "responseParameters")
		got, _ := headers["method.response.header.Access-Control-Allow-Methods"].(string)
		allowed := strings.Split(strings.Trim(got, "'"), ",")
		for _, m := range append(methods, "OPTIONS") {
			if !slices.Contains(allowed, m) {
				t.Errorf("%s: preflight Access-Control-Allow-Methods %q lacks %s, a method of the path", path, got, m)
			}
		}
		for _, m := range allowed {
			if m != "OPTIONS" && !slices.Contains(methods, m) {
				t.Errorf("%s: preflight Access-Control-Allow-Methods %q allows %s, which the path does not serve", path, got, m)
			}
		}
	}
}

// EXPIRED_TOKEN is API Gateway's answer to an expired SigV4 (IAM) signature; an expired Cognito token
// is refused through UNAUTHORIZED ("The incoming token has expired").
func TestGatewayResponsesAreTheCognitoAuthorizersOnes(t *testing.T) {
	responses := mapAt(body(t, translatedAPI(t, apiParams)), "x-amazon-apigateway-gateway-responses")
	if _, ok := responses["EXPIRED_TOKEN"]; ok {
		t.Error("EXPIRED_TOKEN (the SigV4 expiry response) is declared")
	}
	want := map[string]string{"UNAUTHORIZED": "401", "ACCESS_DENIED": "403", "MISSING_AUTHENTICATION_TOKEN": "403", "THROTTLED": "429"}
	for name, status := range want {
		resp := mapAt(responses, name)
		if resp["statusCode"] != status {
			t.Errorf("%s: status %v, want %s", name, resp["statusCode"], status)
		}
		if tmpl := mapAt(resp, "responseTemplates")["application/json"]; tmpl != `{"message":$context.error.messageString}` {
			t.Errorf("%s: body template %v, want the contract's {\"message\": ...}", name, tmpl)
		}
	}
}

var contextVar = regexp.MustCompile(`\$context\.[A-Za-z0-9_.]+`)

// render substitutes the access-log format's $context variables as API Gateway does: each variable's
// text as it is, "-" for one that has no value, and $context.error.messageString as the message in
// JSON quotes ("The quoted value of $context.error.message",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html).
func render(format string, vars map[string]string) string {
	return contextVar.ReplaceAllStringFunc(format, func(v string) string {
		if v == "$context.error.messageString" {
			if msg, ok := vars["$context.error.message"]; ok {
				quoted, _ := json.Marshal(msg)
				return string(quoted)
			}
			return "-"
		}
		if val, ok := vars[v]; ok {
			return val
		}
		return "-"
	})
}

func TestAccessLogLinesAreJSON(t *testing.T) {
	doc := translatedAPI(t, apiParams)
	_, stage := only(t, doc, "AWS::ApiGateway::Stage")
	format, _ := mapAt(stage, "Properties", "AccessLogSetting")["Format"].(string)
	if format == "" {
		t.Fatal("the stage has no access-log format")
	}
	if strings.ContainsAny(format, "\r\n") {
		t.Fatal("the format spans lines: one request must be one log line")
	}
	request := map[string]string{
		"$context.requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "$context.identity.sourceIp": "203.0.113.7",
		"$context.requestTime": "24/Nov/2026:11:24:00 +0000", "$context.httpMethod": "POST",
		"$context.resourcePath": "/echo", "$context.integrationLatency": "31", "$context.responseLength": "42",
	}
	cases := []struct {
		name string
		vars map[string]string
	}{
		{"success", with(request, "$context.status", "200", "$context.authorizer.claims.sub", "0b6f5e8e-5f0a-4c5e-9d0a-9a3c1e2b7f10")},
		{"authorizer refusal", with(request, "$context.status", "401", "$context.error.message", "Unauthorized", "$context.error.responseType", "UNAUTHORIZED")},
		{"error message with quotes and a backslash", with(request, "$context.status", "400",
			"$context.error.message", `Invalid request body: "password" must be a string \ not a number`, "$context.error.responseType", "BAD_REQUEST_BODY")},
		{"throttled", with(request, "$context.status", "429", "$context.error.message", "Too Many Requests", "$context.error.responseType", "THROTTLED")},
		{"nothing known", map[string]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			line := render(format, c.vars)
			var fields map[string]any
			if err := json.Unmarshal([]byte(line), &fields); err != nil {
				t.Fatalf("not a JSON object (%v):\n%s", err, line)
			}
			if fields["requestId"] == nil || fields["status"] == nil {
				t.Errorf("no requestId or status: %s", line)
			}
		})
	}
}

// Per-route throttling: every public route (no authorizer) has its own, tighter MethodSettings entry,
// so a route added to the template without one fails here.
func TestPublicRoutesHaveTheirOwnThrottling(t *testing.T) {
	doc := translatedAPI(t, with(apiParams, "PublicRateLimit", "7", "PublicBurstLimit", "9"))
	_, stage := only(t, doc, "AWS::ApiGateway::Stage")
	settings := map[string]map[string]any{}
	for _, s := range listAt(mapAt(stage, "Properties"), "MethodSettings") {
		m, _ := s.(map[string]any)
		settings[fmt.Sprint(m["HttpMethod"], " ", m["ResourcePath"])] = m
	}
	checked := 0
	for route, public := range templates.Routes(doc) {
		if !public {
			continue
		}
		checked++
		method, path, _ := strings.Cut(route, " ")
		// MethodSettings name a path as "/" plus the path with ~ and / escaped (~0, ~1).
		key := method + " /" + strings.NewReplacer("~", "~0", "/", "~1").Replace(path)
		s, ok := settings[key]
		if !ok {
			t.Errorf("public route %s has no MethodSettings entry (%s)", route, key)
			continue
		}
		if s["ThrottlingRateLimit"] != "7" || s["ThrottlingBurstLimit"] != "9" {
			t.Errorf("%s: limits %v/%v, want PublicRateLimit/PublicBurstLimit", key, s["ThrottlingRateLimit"], s["ThrottlingBurstLimit"])
		}
	}
	if checked == 0 {
		t.Error("the API has no public route")
	}
	if _, ok := settings["* /*"]; !ok {
		t.Error("no stage-wide throttling (ResourcePath /*, HttpMethod *)")
	}
}

// Lambda writes the platform's REPORT lines (duration, billed duration, memory, init duration) at INFO
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html): WARN drops them.
func TestFunctionsKeepLambdaReportLines(t *testing.T) {
	fns := resources(translatedAPI(t, apiParams), "AWS::Lambda::Function")
	if len(fns) == 0 {
		t.Fatal("no functions")
	}
	for id, fn := range fns {
		cfg := mapAt(fn, "Properties", "LoggingConfig")
		if cfg["LogFormat"] != "JSON" || !slices.Contains([]any{"INFO", "DEBUG", "TRACE"}, cfg["SystemLogLevel"]) {
			t.Errorf("%s: LoggingConfig %v, want JSON with SystemLogLevel INFO", id, cfg)
		}
	}
}

// SAM CLI passes --env-vars only for variables the template declares for the function
// (EnvironmentVariables.resolve in samcli/local/lambdafn/env_vars.py): a function must declare the
// endpoint variable, empty in the cloud, for `sam local start-api` to point it at the local Cognito.
func TestFunctionsDeclareTheCognitoEndpointVariableEmpty(t *testing.T) {
	for id, fn := range resources(translatedAPI(t, apiParams), "AWS::Lambda::Function") {
		vars := mapAt(fn, "Properties", "Environment", "Variables")
		v, ok := vars["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"]
		if !ok || v != "" {
			t.Errorf("%s: AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER declared %v with %q, want declared and empty", id, ok, v)
		}
	}
}
