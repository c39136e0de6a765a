package e2e_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// helloMain is a function added to a copy of the repository: it answers with a variable the template
// gives it, so the test sees the template's environment reach the process.
const helloMain = `package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		body, err := json.Marshal(map[string]string{"greeting": os.Getenv("GREETING"), "stage": e.RequestContext.Stage})
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(body),
			Headers: map[string]string{"Content-Type": "application/json"}}, err
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
	// The existing routes are untouched.
	if r := call(t, s, "POST", "/echo", `{}`); r.status != http.StatusUnauthorized {
		t.Fatalf("/echo status %d", r.status)
	}
}
