// Package templates turns the SAM templates into what CloudFormation receives, for tests: it runs
// scripts/sam-translate.py (the SAM translator, after the packaging step `sam deploy` does) and hands
// back the CloudFormation JSON as plain maps. Its tests hold the templates to what they promise.
package templates

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// translated holds each translation of this process, by template and overrides: the translator takes
// about a second a run, and many tests read the same template. Callers must not modify what they get.
var translated sync.Map

// Root is the repository root: the nearest directory above the working directory holding go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Translate returns the CloudFormation template CloudFormation would receive for template (a path
// relative to the repository root, such as "api-stack/template.yaml") deployed with params, which
// stand for `sam deploy --parameter-overrides`. The result is shared: read it, do not modify it.
func Translate(t testing.TB, template string, params map[string]string) map[string]any {
	t.Helper()
	key := template + "\x00" + Overrides(params)
	if doc, ok := translated.Load(key); ok {
		return doc.(map[string]any)
	}
	out := filepath.Join(t.TempDir(), "template.json")
	if msg, err := run(t, template, params, out); err != nil {
		t.Fatalf("sam-translate.py %s %s: %v\n%s", template, Overrides(params), err, msg)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("sam-translate.py wrote JSON that does not parse: %v", err)
	}
	translated.Store(key, doc)
	return doc
}

// TranslateError is the message sam-translate.py fails with for template and params, as CloudFormation
// would refuse them; the test fails if the translation succeeds.
func TranslateError(t testing.TB, template string, params map[string]string) string {
	t.Helper()
	msg, err := run(t, template, params, filepath.Join(t.TempDir(), "template.json"))
	if err == nil {
		t.Fatalf("sam-translate.py %s %s succeeded, want an error", template, Overrides(params))
	}
	return msg
}

// Routes lists the routes of the translated template's REST APIs, "POST /login" and the like, each
// mapped to whether it is public (security NONE: no authorizer). CORS preflights (OPTIONS) are left out:
// they are API Gateway's answers, not the API's routes.
func Routes(doc map[string]any) map[string]bool {
	routes := map[string]bool{}
	resources, _ := doc["Resources"].(map[string]any)
	for _, r := range resources {
		res, _ := r.(map[string]any)
		if res["Type"] != "AWS::ApiGateway::RestApi" {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		body, _ := props["Body"].(map[string]any)
		paths, _ := body["paths"].(map[string]any)
		for path, item := range paths {
			ops, _ := item.(map[string]any)
			for method, op := range ops {
				if method == "options" {
					continue
				}
				security, _ := op.(map[string]any)["security"].([]any)
				public := len(security) == 0
				for _, s := range security {
					if _, none := s.(map[string]any)["NONE"]; none {
						public = true
					}
				}
				routes[strings.ToUpper(method)+" "+path] = public
			}
		}
	}
	return routes
}

// Overrides writes params in `sam deploy --parameter-overrides` syntax, each value single-quoted.
func Overrides(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, len(keys))
	for _, k := range keys {
		pairs = append(pairs, k+"='"+strings.ReplaceAll(params[k], "'", `\'`)+"'")
	}
	return strings.Join(pairs, " ")
}

func run(t testing.TB, template string, params map[string]string, out string) (string, error) {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is missing: install Python 3 and pip install aws-sam-translator")
	}
	root := Root(t)
	cmd := exec.Command(python, filepath.Join(root, "scripts", "sam-translate.py"), "--out", out,
		"--parameter-overrides", Overrides(params), template)
	cmd.Dir = root
	msg, err := cmd.CombinedOutput()
	if strings.Contains(string(msg), "No module named 'samtranslator'") {
		t.Fatal("the SAM translator is missing: pip install aws-sam-translator")
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run sam-translate.py: %v", err)
	}
	return string(msg), err
}
