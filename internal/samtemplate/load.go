// Package samtemplate reads this project's SAM and CloudFormation templates so that the local stack
// is built from them: the user pool and client properties, the functions' environment and the API's
// routes and authorizers. The templates stay the single source of truth; nothing here repeats them.
package samtemplate

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Template is a parsed template. Values are plain YAML data (map[string]any, []any, strings, numbers,
// booleans) with short-form intrinsics (!Ref, !Sub, ...) rewritten to their long form ({"Ref": ...}).
type Template struct {
	Path       string
	Parameters map[string]Parameter
	Conditions map[string]any
	Globals    map[string]any
	Resources  map[string]Resource
	Outputs    map[string]any
}

// Parameter is a template parameter; Default is nil when it has none.
type Parameter struct {
	Type    string
	Default any
}

// Resource is one entry of Resources.
type Resource struct {
	Type       string
	Condition  string
	Properties map[string]any
	Metadata   map[string]any
}

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.Path = path
	return t, nil
}

// Parse parses template source.
func Parse(src []byte) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("parse template: empty document")
	}
	v, err := decode(doc.Content[0])
	if err != nil {
		return nil, err
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("parse template: top level is not a mapping")
	}
	t := &Template{
		Parameters: map[string]Parameter{},
		Conditions: asMap(top["Conditions"]),
		Globals:    asMap(top["Globals"]),
		Resources:  map[string]Resource{},
		Outputs:    asMap(top["Outputs"]),
	}
	for name, p := range asMap(top["Parameters"]) {
		pm := asMap(p)
		typ, _ := pm["Type"].(string)
		t.Parameters[name] = Parameter{Type: typ, Default: pm["Default"]}
	}
	for id, r := range asMap(top["Resources"]) {
		rm := asMap(r)
		typ, _ := rm["Type"].(string)
		cond, _ := rm["Condition"].(string)
		t.Resources[id] = Resource{Type: typ, Condition: cond, Properties: asMap(rm["Properties"]), Metadata: asMap(rm["Metadata"])}
	}
	return t, nil
}

// shortForms maps CloudFormation's YAML tags to the long-form function names.
var shortForms = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!If": "Fn::If",
	"!Equals": "Fn::Equals", "!Not": "Fn::Not", "!And": "Fn::And", "!Or": "Fn::Or", "!Join": "Fn::Join",
	"!Select": "Fn::Select", "!Split": "Fn::Split", "!FindInMap": "Fn::FindInMap", "!ImportValue": "Fn::ImportValue",
	"!Base64": "Fn::Base64", "!GetAZs": "Fn::GetAZs", "!Cidr": "Fn::Cidr", "!Transform": "Fn::Transform",
}

func decode(n *yaml.Node) (any, error) {
	if fn, ok := shortForms[n.Tag]; ok {
		inner := *n
		inner.Tag = ""
		if n.Kind == yaml.ScalarNode {
			inner.Tag = "!!str"
		}
		v, err := decode(&inner)
		if err != nil {
			return nil, err
		}
		if fn == "Fn::GetAtt" {
			if s, ok := v.(string); ok {
				// !GetAtt Resource.Attribute is the list [Resource, Attribute].
				res, attr, _ := strings.Cut(s, ".")
				v = []any{res, attr}
			}
		}
		return map[string]any{fn: v}, nil
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := decode(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := decode(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.AliasNode:
		return decode(n.Alias)
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}
