package templates_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// deployed evaluates what CloudFormation evaluates when it creates the stack from a translated template:
// conditions, Fn::If, and Ref and Fn::Sub of parameters and pseudo parameters. References to resources
// stay as they are (Fn::Sub leaves ${Resource.Attr} in the string).
type deployed struct {
	t      *testing.T
	values map[string]string
	conds  map[string]any
	cache  map[string]bool
}

// noValue marks what AWS::NoValue removes.
var noValue = &struct{}{}

// deploy takes each parameter's default, then params, then the pseudo parameters of a stack named stack.
func deploy(t *testing.T, doc map[string]any, params map[string]string, stack string) *deployed {
	t.Helper()
	d := &deployed{t: t, values: map[string]string{
		"AWS::StackName": stack, "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012",
		"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
	}, conds: mapAt(doc, "Conditions"), cache: map[string]bool{}}
	for name, spec := range mapAt(doc, "Parameters") {
		if def, ok := spec.(map[string]any)["Default"]; ok {
			d.values[name] = fmt.Sprint(def)
		}
	}
	for k, v := range params {
		d.values[k] = v
	}
	return d
}

func (d *deployed) condition(name string) bool {
	if v, ok := d.cache[name]; ok {
		return v
	}
	expr, ok := d.conds[name]
	if !ok {
		d.t.Fatalf("condition %s is not declared", name)
	}
	v, ok := d.value(expr).(bool)
	if !ok {
		d.t.Fatalf("condition %s does not evaluate to a boolean: %v", name, expr)
	}
	d.cache[name] = v
	return v
}

var subVar = regexp.MustCompile(`\$\{([^}!]+)\}`)

// value resolves node as CloudFormation would; noValue when AWS::NoValue removes it.
func (d *deployed) value(node any) any {
	switch n := node.(type) {
	case []any:
		out := []any{}
		for _, x := range n {
			if v := d.value(x); v != noValue {
				out = append(out, v)
			}
		}
		return out
	case map[string]any:
		if len(n) == 1 {
			for fn, arg := range n {
				if v, ok := d.intrinsic(fn, arg); ok {
					return v
				}
			}
		}
		out := map[string]any{}
		for k, x := range n {
			if v := d.value(x); v != noValue {
				out[k] = v
			}
		}
		return out
	}
	return node
}

func (d *deployed) intrinsic(fn string, arg any) (any, bool) {
	args, _ := arg.([]any)
	switch fn {
	case "Ref":
		if arg == "AWS::NoValue" {
			return noValue, true
		}
		v, ok := d.values[fmt.Sprint(arg)]
		return v, ok
	case "Condition":
		return d.condition(fmt.Sprint(arg)), true
	case "Fn::If":
		if d.condition(fmt.Sprint(args[0])) {
			return d.value(args[1]), true
		}
		return d.value(args[2]), true
	case "Fn::Equals":
		return fmt.Sprint(d.value(args[0])) == fmt.Sprint(d.value(args[1])), true
	case "Fn::Not":
		return !d.value(args[0]).(bool), true
	case "Fn::And", "Fn::Or":
		all, any := true, false
		for _, a := range args {
			b := d.value(a).(bool)
			all, any = all && b, any || b
		}
		return map[bool]bool{true: all, false: any}[fn == "Fn::And"], true
	case "Fn::Sub":
		text, vars := arg, map[string]any{}
		if len(args) == 2 {
			text, vars = args[0], args[1].(map[string]any)
		}
		s, ok := text.(string)
		if !ok {
			return nil, false
		}
		return subVar.ReplaceAllStringFunc(s, func(m string) string {
			name := strings.TrimSuffix(strings.TrimPrefix(m, "${"), "}")
			if v, ok := vars[name]; ok {
				return fmt.Sprint(d.value(v))
			}
			if v, ok := d.values[name]; ok {
				return v
			}
			return m
		}), true
	}
	return nil, false
}

func mapAt(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, _ := m[k].(map[string]any)
		if next == nil {
			return map[string]any{}
		}
		m = next
	}
	return m
}

// resources returns the logical ids and bodies of the resources of type typ.
func resources(doc map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range mapAt(doc, "Resources") {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

// only returns the one resource of type typ, failing the test when there is not exactly one.
func only(t *testing.T, doc map[string]any, typ string) (string, map[string]any) {
	t.Helper()
	rs := resources(doc, typ)
	if len(rs) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(rs), typ)
	}
	for id, r := range rs {
		return id, r
	}
	return "", nil
}
