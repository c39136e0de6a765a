package cloudformation

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Translator runs scripts/sam-translate.py, the AWS SAM translator that CloudFormation runs on deploy
// for templates with Transform: AWS::Serverless-2016-10-31 (and a plain JSON conversion for the others).
type Translator struct {
	Python string // python3
	Root   string // repository root, holding scripts/sam-translate.py
}

// Translate writes the CloudFormation JSON for template (a path under Root) to out, with the parameter
// values given to the transform as CloudFormation gives them. Only the keys the template declares are
// passed: the same overrides serve several stacks.
func (tr Translator) Translate(ctx context.Context, template, out string, overrides map[string]string) error {
	src := filepath.Join(tr.Root, template)
	declared, err := DeclaredParameters(src)
	if err != nil {
		return err
	}
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(overrides)) {
		if declared[k] {
			pairs = append(pairs, k+"="+shellQuote(overrides[k]))
		}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("translate %s: %w", template, err)
	}
	args := []string{filepath.Join(tr.Root, "scripts", "sam-translate.py"), "--out", out}
	if len(pairs) > 0 {
		args = append(args, "--parameter-overrides", strings.Join(pairs, " "))
	}
	cmd := exec.CommandContext(ctx, tr.Python, append(args, src)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		if _, lookErr := exec.LookPath(tr.Python); lookErr != nil {
			return fmt.Errorf("%s not found: install Python 3.11 and pip install -r requirements.txt (aws-sam-translator)", tr.Python)
		}
		return fmt.Errorf("translate %s: %w\n%s", template, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// DeclaredParameters reads the names under the template's Parameters without evaluating its tags.
func DeclaredParameters(path string) (map[string]bool, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]bool{}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: top level is not a mapping", path)
	}
	top := doc.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		if top[i].Value != "Parameters" || top[i+1].Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(top[i+1].Content); j += 2 {
			out[top[i+1].Content[j].Value] = true
		}
	}
	return out, nil
}

// shellQuote quotes v for the --parameter-overrides syntax, whose values may hold spaces.
func shellQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'"'"'`) + "'"
}
