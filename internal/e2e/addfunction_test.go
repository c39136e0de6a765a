package e2e_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// helloMain is a function added to a copy of the repository: it answers with a variable the template
// gives it, so the test sees the template's environment reach the process, and with the event as it
// arrived, untyped, as a function in another language reads it. Its result has no headers, as a
// handler in another language often returns it.
const helloMain = `package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, raw json.RawMessage) (map[string]any, error) {
		var e events.APIGatewayProxyRequest
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, err
		}
		body, err := json.Marshal(map[string]any{"greeting": os.Getenv("GREETING"), "stage": e.RequestContext.Stage, "event": raw})
		return map[string]any{"statusCode": 200, "body": string(body)}, err
	})
}
`

const helloResource = `
  HelloFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      Description: Added by a test
      Environment:
        Variables:
          GREETING: hello from the template
      Events:
        Hello:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /hello
            Method: get
            Auth:
              Authorizer: NONE
`

// A function and route added to the template by hand (its main and its resource; the Makefile's build-%
// rule builds it) run locally with no change to the local stack's code.
func TestLocalStack_AddedFunctionRunsWithNoChangeToTheLocalStack(t *testing.T) {
	bin := localBinary(t)
	root := copyRepository(t)
	must(t, os.MkdirAll(filepath.Join(root, "functions", "hello"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "functions", "hello", "main.go"), []byte(helloMain), 0o644))

	tplPath := filepath.Join(root, "api-stack", "template.yaml")
	tpl, err := os.ReadFile(tplPath)
	must(t, err)
	src := string(tpl)
	i := strings.Index(src, "\nOutputs:")
	if i < 0 {
		t.Fatal("api-stack/template.yaml has no Outputs section to insert before")
	}
	must(t, os.WriteFile(tplPath, []byte(src[:i]+helloResource+src[i:]), 0o644))

	stateDir := t.TempDir()
	ls, err := launchIn(t, bin, root, stateDir)
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{Stack: ls}
	t.Cleanup(func() {
		if err := ls.Stop(); err != nil {
			t.Error(err)
		}
	})
	r := call(t, s, "GET", "/hello", "")
	assertStatus(t, r, http.StatusOK)
	got := r.json(t)
	if got["greeting"] != "hello from the template" || got["stage"] != "v1" {
		t.Fatalf("body %s: want the template's GREETING and the template's stage name", r.body)
	}
	assertRecordedProxyShape(t, r, got)
	// The existing routes are untouched.
	if r := call(t, s, "POST", "/echo", `{}`); r.status != http.StatusUnauthorized {
		t.Fatalf("/echo status %d", r.status)
	}
}

// assertRecordedProxyShape checks, on a real function behind the local stack, what API Gateway was
// recorded sending and answering (LocalStack test_apigateway_lambda.snapshot.json,
// test_lambda_aws_proxy_integration, validated 2024-08-02, and
// test_aws_proxy_response_payload_format_validation, validated 2024-11-15; the unit tests in
// internal/emulator/apigateway hold the whole recordings): a GET's body is null, isBase64Encoded is
// false, identity keys are null, there is a deploymentId and no authorizer key on a public route; the
// answer of a result without headers is application/json and has an x-amz-apigw-id.
func assertRecordedProxyShape(t *testing.T, r response, got map[string]any) {
	t.Helper()
	e, _ := got["event"].(map[string]any)
	rc, _ := e["requestContext"].(map[string]any)
	identity, _ := rc["identity"].(map[string]any)
	body, hasBody := e["body"]
	caller, hasCaller := identity["caller"]
	_, hasAuthorizer := rc["authorizer"]
	switch {
	case !hasBody || body != nil:
		t.Errorf("event body %#v (present %v), recorded null", body, hasBody)
	case e["isBase64Encoded"] != false:
		t.Errorf("event isBase64Encoded %#v, recorded false", e["isBase64Encoded"])
	case !hasCaller || caller != nil:
		t.Errorf("identity.caller %#v (present %v), recorded null", caller, hasCaller)
	case rc["deploymentId"] == nil || rc["deploymentId"] == "":
		t.Errorf("no requestContext.deploymentId: %v", rc)
	case hasAuthorizer:
		t.Errorf("requestContext.authorizer %v on a public route, recorded absent", rc["authorizer"])
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q of a result without headers, recorded application/json", ct)
	}
	if r.header.Get("X-Amz-Apigw-Id") == "" {
		t.Errorf("no x-amz-apigw-id: %v", r.header)
	}
}
