package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// tempRepo copies the files the scaffold edits from this repository into a temporary root.
func tempRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, f := range []string{templateFile, openAPIFile, portmanFile} {
		raw, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, f), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func read(t *testing.T, root, f string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, f))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestScaffoldAddsTheRouteEverywhereAndKeepsTheRestByteForByte(t *testing.T) {
	cases := []struct {
		route      Route
		throttling string // the MethodSettings entry a public route gets
		waf        string // the alternative a public route adds to the web ACL's general path match
	}{
		{Route{Name: "hello", Method: "GET", Auth: "cognito"}, "", ""},
		{Route{Name: "status", Method: "get", Auth: "none", Path: "/status/now"}, `- ResourcePath: "/~1status~1now"`, "|status/now"},
		{Route{Name: "notes2", Method: "post", Auth: "cognito"}, "", ""},
		{Route{Name: "ping", Method: "post", Auth: "none", Path: "/v2.ping"}, `- ResourcePath: "/~1v2.ping"`, `|v2\\.ping`},
	}
	for _, c := range cases {
		t.Run(c.route.Name, func(t *testing.T) {
			root := tempRepo(t)
			before := read(t, root, templateFile)
			touched, err := Scaffold(root, c.route)
			if err != nil {
				t.Fatal(err)
			}
			if len(touched) != 6 {
				t.Errorf("touched %v, want main.go, the handler and its test, template, OpenAPI and Portman", touched)
			}
			tmpl := read(t, root, templateFile)
			// Every line of the template before is still there, in order: the scaffold only inserts, and
			// for a public route adds the path to one line, the web ACL's general path match.
			rest, edited := string(tmpl), 0
			for _, line := range strings.SplitAfter(string(before), "\n") {
				i := strings.Index(rest, line)
				if withRoute := strings.Replace(line, ")/*$", c.waf+")/*$", 1); i < 0 && c.waf != "" && withRoute != line {
					i, line = strings.Index(rest, withRoute), withRoute
					edited++
				}
				if i < 0 {
					t.Fatalf("line %q of the template is gone or moved", line)
				}
				rest = rest[i+len(line):]
			}
			if want := map[bool]int{true: 1}[c.waf != ""]; edited != want {
				t.Errorf("%d lines of the template edited in place, want %d (the web ACL's general path match for a public route)", edited, want)
			}
			var doc struct {
				Resources map[string]struct {
					Type string `yaml:"Type"`
				} `yaml:"Resources"`
			}
			if err := yaml.Unmarshal(tmpl, &doc); err != nil {
				t.Fatal(err)
			}
			id := strings.ToUpper(c.route.Name[:1]) + c.route.Name[1:]
			for name, typ := range map[string]string{id + "Function": "AWS::Serverless::Function", id + "LogGroup": "AWS::Logs::LogGroup", id + "FunctionRole": "AWS::IAM::Role"} {
				if got := doc.Resources[name].Type; got != typ {
					t.Errorf("resource %s: type %q, want %s", name, got, typ)
				}
			}
			// The new role carries the permissions boundary as the template's other roles do.
			if boundary := []byte("PermissionsBoundary: !If [HasPermissionsBoundary"); bytes.Contains(before, boundary) &&
				bytes.Count(tmpl, boundary) != bytes.Count(before, boundary)+1 {
				t.Errorf("the role %sFunctionRole lacks the template's permissions boundary", id)
			}
			if got := strings.Contains(string(tmpl), c.throttling); c.throttling != "" && !got {
				t.Errorf("no throttling entry %q for the public route", c.throttling)
			}
			if c.throttling == "" && bytes.Count(tmpl, []byte("- ResourcePath:")) != bytes.Count(before, []byte("- ResourcePath:")) {
				t.Error("a throttling entry was added for a route behind the authorizer")
			}
			spec, err := openapi3.NewLoader().LoadFromData(read(t, root, openAPIFile))
			if err != nil {
				t.Fatal(err)
			}
			if err := spec.Validate(t.Context()); err != nil {
				t.Fatalf("the OpenAPI document is not valid any more: %v", err)
			}
			path := c.route.Path
			if path == "" {
				path = "/" + c.route.Name
			}
			op := spec.Paths.Find(path).GetOperation(strings.ToUpper(c.route.Method))
			if op == nil || op.OperationID != c.route.Name {
				t.Fatalf("no %s %s operation with operationId %s", c.route.Method, path, c.route.Name)
			}
			if !bytes.Contains(read(t, root, portmanFile), []byte(`"`+c.route.Name+`"`)) {
				t.Error("the Portman contract tests do not name the operation")
			}
		})
	}
}

func TestScaffoldRefusesBeforeWritingAnything(t *testing.T) {
	cases := []struct {
		name  string
		route Route
		want  string
	}{
		{"upper-case name", Route{Name: "Hello", Method: "get", Auth: "cognito"}, "NAME"},
		{"name with a dash", Route{Name: "say-hi", Method: "get", Auth: "cognito"}, "NAME"},
		{"unknown method", Route{Name: "hello", Method: "fetch", Auth: "cognito"}, "METHOD"},
		{"unknown auth", Route{Name: "hello", Method: "get", Auth: "iam"}, "AUTH"},
		{"existing function", Route{Name: "echo", Method: "get", Auth: "cognito"}, "already"},
		{"existing route", Route{Name: "echo2", Method: "post", Auth: "cognito", Path: "/echo"}, "already"},
		{"path with a parameter", Route{Name: "item", Method: "get", Auth: "cognito", Path: "/items/{id}"}, "path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := tempRepo(t)
			if c.route.Name == "echo" {
				if err := os.MkdirAll(filepath.Join(root, "functions", "echo"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			before := map[string][]byte{}
			for _, f := range []string{templateFile, openAPIFile, portmanFile} {
				before[f] = read(t, root, f)
			}
			_, err := Scaffold(root, c.route)
			var usage *UsageError
			if !errors.As(err, &usage) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want a usage error naming %s", err, c.want)
			}
			for f, want := range before {
				if !bytes.Equal(read(t, root, f), want) {
					t.Errorf("%s changed although the scaffold refused", f)
				}
			}
			if _, err := os.Stat(filepath.Join(root, "internal", c.route.Name)); c.route.Name != "echo" && err == nil {
				t.Errorf("internal/%s was written although the scaffold refused", c.route.Name)
			}
		})
	}
}
