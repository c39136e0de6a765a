// Package cloudformation deploys, on this machine, what CloudFormation would receive for a template:
// the SAM translator's JSON output (see scripts/sam-translate.py), its parameters applied with the
// rules CloudFormation applies them, intrinsic functions resolved, resources created in dependency
// order by the local services that emulate them, and the stack's outputs computed.
package cloudformation

import (
	"encoding/json"
	"fmt"
	"os"
)

// Template is a translated CloudFormation template (JSON, long-form intrinsics only).
type Template struct {
	Path       string
	Parameters map[string]Parameter `json:"Parameters"`
	Conditions map[string]any       `json:"Conditions"`
	Resources  map[string]Resource  `json:"Resources"`
	Outputs    map[string]Output    `json:"Outputs"`
}

// Parameter is a template parameter (its constraints are checked by the translator script).
type Parameter struct {
	Type    string `json:"Type"`
	Default any    `json:"Default"`
}

// Resource is one entry of Resources.
type Resource struct {
	Type       string         `json:"Type"`
	Condition  string         `json:"Condition"`
	DependsOn  any            `json:"DependsOn"` // a string or a list of strings
	Properties map[string]any `json:"Properties"`
	Metadata   map[string]any `json:"Metadata"`
}

// Output is one entry of Outputs.
type Output struct {
	Value     any    `json:"Value"`
	Condition string `json:"Condition"`
}

// Load reads a translated template.
func Load(path string) (*Template, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read translated template: %w", err)
	}
	return Parse(path, raw)
}

// Parse reads a translated template from raw JSON; name stands for its path in errors. It serves
// callers that already hold the translation in memory, such as the template tests.
func Parse(name string, raw []byte) (*Template, error) {
	var t Template
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("%s: not a CloudFormation JSON template: %w", name, err)
	}
	if len(t.Resources) == 0 {
		return nil, fmt.Errorf("%s: no Resources", name)
	}
	t.Path = name
	return &t, nil
}

// DependsOnIDs lists the resource's explicit DependsOn, which the template may write as one id or a list.
func (r Resource) DependsOnIDs() []string {
	switch d := r.DependsOn.(type) {
	case string:
		return []string{d}
	case []any:
		out := make([]string, 0, len(d))
		for _, v := range d {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
