package e2e_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// A function and route added to the templates (its main, its resource, its build-<LogicalId> target)
// run locally with no change to the local stack's code.
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

	// The new target is the echo function's, pointed at the new main.
	mkPath := filepath.Join(root, "Makefile")
	mk, err := os.ReadFile(mkPath)
	must(t, err)
	target := regexp.MustCompile(`(?m)^build-EchoFunction:.*\n(\t.*\n)+`).Find(mk)
	if target == nil {
		t.Fatal("Makefile has no build-EchoFunction recipe to model the new target on")
	}
	hello := strings.ReplaceAll(strings.ReplaceAll(string(target), "EchoFunction", "HelloFunction"), "functions/echo", "functions/hello")
	must(t, os.WriteFile(mkPath, append(mk, []byte("\n.PHONY: build-HelloFunction\n"+hello)...), 0o644))

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

// copyRepository copies the repository's files (tracked and new, not ignored) to a temporary directory.
func copyRepository(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", "../..", "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	root := t.TempDir()
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(f, "node_modules/") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("../..", f))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		must(t, err)
		must(t, os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755))
		must(t, os.WriteFile(filepath.Join(root, f), raw, 0o644))
	}
	return root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
