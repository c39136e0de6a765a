package coldstart

import (
	"fmt"
	"os"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// TemplateMemory reads each AWS::Serverless::Function's MemorySize from a SAM template: its own, else
// the Globals', else Lambda's default of 128 MB. Keys are logical ids (EchoFunction).
func TemplateMemory(path string) (map[string]int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// CloudFormation's short tags (!Ref, !If) decode into yaml.Node like any other value.
	var doc struct {
		Globals struct {
			Function struct {
				MemorySize yaml.Node `yaml:"MemorySize"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				MemorySize yaml.Node `yaml:"MemorySize"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	size := func(n yaml.Node, def int) (int, error) {
		if n.Kind == 0 {
			return def, nil
		}
		mb, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || err != nil || mb < 128 || mb > 10240 {
			return 0, fmt.Errorf("%s line %d: MemorySize %q is not a number of MB from 128 to 10240", path, n.Line, n.Value)
		}
		return mb, nil
	}
	global, err := size(doc.Globals.Function.MemorySize, 128)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for id, r := range doc.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		if out[id], err = size(r.Properties.MemorySize, global); err != nil {
			return nil, err
		}
	}
	return out, nil
}
