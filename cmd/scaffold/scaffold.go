package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Route is what the scaffold is asked to add.
type Route struct {
	Name   string // hello: the package, the function's directory and (capitalised) its logical id
	Method string // get, post, put, patch or delete
	Auth   string // cognito or none
	Path   string // /hello by default
}

// UsageError is a request the scaffold refuses before writing anything.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &UsageError{fmt.Sprintf(format, a...)} }

var (
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9]{0,30}$`)
	pathPattern = regexp.MustCompile(`^(/[a-z0-9][a-z0-9._-]*)+$`)
	methods     = []string{"get", "post", "put", "patch", "delete"}
)

// The files the scaffold edits, relative to the repository root.
const (
	templateFile = "api-stack/template.yaml"
	openAPIFile  = "docs/openapi.yaml"
	portmanFile  = "portman/portman-config.json"
)

// LogicalID is the function's logical id in the template: the Makefile's build-% rule maps it back to
// functions/<name> (the id without "Function", lower-cased).
func (r Route) LogicalID() string { return r.Prefix() + "Function" }

// Prefix names the route's other resources: HelloLogGroup, HelloFunctionRole, the Hello event.
func (r Route) Prefix() string { return strings.ToUpper(r.Name[:1]) + r.Name[1:] }

// Public is a route without the authorizer.
func (r Route) Public() bool { return r.Auth == "none" }

// HasBody is a method whose request carries a body (RFC 9110 gives a GET's or DELETE's none a meaning).
func (r Route) HasBody() bool { return slices.Contains([]string{"post", "put", "patch"}, r.Method) }

func (r *Route) check() error {
	r.Method = strings.ToLower(r.Method)
	if r.Path == "" {
		r.Path = "/" + r.Name
	}
	switch {
	case !namePattern.MatchString(r.Name):
		return usagef("NAME %q: want lower-case letters and digits, starting with a letter (it names a Go package and a directory)", r.Name)
	case !slices.Contains(methods, r.Method):
		return usagef("METHOD %q: want one of %s", r.Method, strings.Join(methods, ", "))
	case r.Auth != "cognito" && r.Auth != "none":
		return usagef("AUTH %q: want cognito (the ID token is required) or none (public)", r.Auth)
	case !pathPattern.MatchString(r.Path):
		return usagef("path %q: want /segment[/segment...] of lower-case letters, digits, '.', '_' and '-'", r.Path)
	}
	return nil
}

// edit is one file's new content.
type edit struct {
	path string
	data []byte
	new  bool // the file must not exist yet
}

// Scaffold adds r to the repository at root and returns the files it wrote, relative to root.
func Scaffold(root string, r Route) ([]string, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	edits, err := plan(root, r)
	if err != nil {
		return nil, err
	}
	var touched []string
	for _, e := range edits {
		full := filepath.Join(root, e.path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return touched, err
		}
		if err := os.WriteFile(full, e.data, 0o644); err != nil {
			return touched, err
		}
		touched = append(touched, e.path)
	}
	return touched, nil
}

// plan computes every edit, refusing before any is written.
func plan(root string, r Route) ([]edit, error) {
	read := func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(root, p)) }
	edits := []edit{
		{path: filepath.Join("functions", r.Name, "main.go"), data: render(mainTemplate, r), new: true},
		{path: filepath.Join("internal", r.Name, r.Name+".go"), data: render(handlerTemplate, r), new: true},
		{path: filepath.Join("internal", r.Name, r.Name+"_test.go"), data: render(handlerTestTemplate, r), new: true},
	}
	for _, e := range edits {
		if _, err := os.Stat(filepath.Join(root, filepath.Dir(e.path))); err == nil {
			return nil, usagef("%s already exists: choose another NAME", filepath.Dir(e.path))
		}
	}
	tmpl, err := read(templateFile)
	if err != nil {
		return nil, err
	}
	if tmpl, err = addToTemplate(tmpl, r); err != nil {
		return nil, fmt.Errorf("%s: %w", templateFile, err)
	}
	spec, err := read(openAPIFile)
	if err != nil {
		return nil, err
	}
	if spec, err = addToOpenAPI(spec, r); err != nil {
		return nil, fmt.Errorf("%s: %w", openAPIFile, err)
	}
	portman, err := read(portmanFile)
	if err != nil {
		return nil, err
	}
	if portman, err = addToPortman(portman, r); err != nil {
		return nil, fmt.Errorf("%s: %w", portmanFile, err)
	}
	return append(edits, edit{path: templateFile, data: tmpl}, edit{path: openAPIFile, data: spec}, edit{path: portmanFile, data: portman}), nil
}

// addToTemplate appends the function's resources after the last resource and, for a public route, its
// throttling entry after the API's last MethodSettings entry and its path to the web ACL's general
// rate-based rule. It inserts text at positions the YAML
// parser gives, so the rest of the file (comments, quoting, layout) stays byte for byte.
func addToTemplate(src []byte, r Route) ([]byte, error) {
	doc, err := parse(src)
	if err != nil {
		return nil, err
	}
	resources := value(doc, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return nil, usagef("no Resources mapping")
	}
	var api string
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, res := resources.Content[i].Value, resources.Content[i+1]
		for _, taken := range []string{r.LogicalID(), r.Prefix() + "LogGroup", r.Prefix() + "FunctionRole"} {
			if id == taken {
				return nil, usagef("resource %s already exists: choose another NAME", id)
			}
		}
		switch scalar(value(res, "Type")) {
		case "AWS::Serverless::Api":
			api = id
		case "AWS::Serverless::Function":
			events := value(value(res, "Properties"), "Events")
			for j := 1; events != nil && j < len(events.Content); j += 2 {
				props := value(events.Content[j], "Properties")
				if scalar(value(props, "Path")) == r.Path && strings.EqualFold(scalar(value(props, "Method")), r.Method) {
					return nil, usagef("%s %s is already served by %s", strings.ToUpper(r.Method), r.Path, id)
				}
			}
		}
	}
	if api == "" {
		return nil, usagef("no AWS::Serverless::Api resource for the route")
	}
	// The template's roles carry the deploy pipeline's permissions boundary when it declares one.
	boundary := value(value(doc, "Conditions"), "HasPermissionsBoundary") != nil
	inserts := map[int]string{blockEnd(src, resources): "\n" + string(render(resourcesTemplate, struct {
		Route
		API      string
		Boundary bool
		Tracing  bool // the template's roles may send traces (TracingOn)
		Alarms   bool // the template alarms on each function (AlarmTopic)
	}{r, api, boundary, value(value(doc, "Conditions"), "TracingOn") != nil, value(resources, "AlarmTopic") != nil}))}
	if r.Public() {
		settings := value(value(value(resources, api), "Properties"), "MethodSettings")
		if settings == nil || settings.Kind != yaml.SequenceNode {
			return nil, usagef("the public route needs its own throttling, but %s has no MethodSettings list to add it to", api)
		}
		indent := strings.Repeat(" ", settings.Column-1)
		inserts[blockEnd(src, settings)] = indent + "- ResourcePath: \"/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(r.Path) + "\"\n" +
			indent + "  HttpMethod: " + strings.ToUpper(r.Method) + "\n" +
			indent + "  ThrottlingRateLimit: !Ref PublicRateLimit\n" +
			indent + "  ThrottlingBurstLimit: !Ref PublicBurstLimit\n"
		// The per-address limit: the path joins the web ACL's general rate-based rule.
		match, err := generalWAFMatch(resources)
		if err != nil {
			return nil, err
		}
		if match != nil {
			line, err := addToWAFLine(src, match, r)
			if err != nil {
				return nil, err
			}
			lines := strings.Split(string(src), "\n")
			lines[match.Line-1] = line
			want := strings.TrimSuffix(match.Value, ")/*$") + "|" + wafAlternative(r) + ")/*$"
			out, err := insertAfter([]byte(strings.Join(lines, "\n")), inserts)
			if err != nil {
				return nil, err
			}
			after, err := parse(out)
			if err != nil {
				return nil, err
			}
			if got, err := generalWAFMatch(value(after, "Resources")); err != nil || scalar(got) != want {
				return nil, fmt.Errorf("the web ACL's path match is not %q after the edit", want)
			}
			return out, nil
		}
	}
	return insertAfter(src, inserts)
}

// addToOpenAPI appends the operation after the last path of the document.
func addToOpenAPI(src []byte, r Route) ([]byte, error) {
	doc, err := parse(src)
	if err != nil {
		return nil, err
	}
	paths := value(doc, "paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return nil, usagef("no paths mapping")
	}
	if item := value(paths, r.Path); item != nil {
		if value(item, r.Method) != nil {
			return nil, usagef("%s %s is already documented", strings.ToUpper(r.Method), r.Path)
		}
		return nil, usagef("%s already has operations: add %s to it by hand", r.Path, strings.ToUpper(r.Method))
	}
	return insertAfter(src, map[int]string{blockEnd(src, paths): string(render(operationTemplate, r))})
}

// addToPortman adds the operation to the first contract test that lists operations, so that it is
// called and checked against its documented success like the others.
func addToPortman(src []byte, r Route) ([]byte, error) {
	const key = `"openApiOperationIds": [`
	i := bytes.Index(src, []byte(key))
	if i < 0 {
		return nil, usagef("no contract test with %s to add %q to", key, r.Name)
	}
	i += len(key)
	return slices.Concat(src[:i], []byte(`"`+r.Name+`", `), src[i:]), nil
}

func parse(src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, usagef("empty document")
	}
	return doc.Content[0], nil
}

// value is mapping m's value for key, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// blockEnd is the last line (1-based) of block collection n in src: the last line, not blank and not a
// comment, before the first such line indented less than n's items (the parser gives where a node
// starts, not where it ends, and a folded scalar's lines cannot be counted from its value).
func blockEnd(src []byte, n *yaml.Node) int {
	indent := n.Column - 1
	if n.Kind == yaml.MappingNode && len(n.Content) > 0 {
		indent = n.Content[0].Column - 1
	}
	lines := strings.Split(string(src), "\n")
	last := n.Line
	for i := n.Line; i < len(lines); i++ { // lines[i] is line i+1
		trimmed := strings.TrimLeft(lines[i], " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if len(lines[i])-len(trimmed) < indent || len(lines[i])-len(trimmed) == indent && n.Kind == yaml.SequenceNode && !strings.HasPrefix(trimmed, "-") {
			break
		}
		last = i + 1
	}
	return last
}

// insertAfter inserts each text after its line, then checks that the result still parses.
func insertAfter(src []byte, inserts map[int]string) ([]byte, error) {
	lines := strings.SplitAfter(string(src), "\n")
	var out strings.Builder
	for i, l := range lines {
		out.WriteString(l)
		if text, ok := inserts[i+1]; ok {
			if !strings.HasSuffix(l, "\n") {
				out.WriteString("\n")
			}
			out.WriteString(text)
		}
	}
	if _, err := parse([]byte(out.String())); err != nil {
		return nil, fmt.Errorf("the edited document does not parse: %w", err)
	}
	return []byte(out.String()), nil
}
