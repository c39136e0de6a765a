package cloudformation

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// noValue stands for AWS::NoValue: a property resolved to it is removed, as CloudFormation does.
type noValue struct{}

// Resolver evaluates intrinsic functions the way CloudFormation would for one stack, from parameter
// values, pseudo parameters and the ids and attributes of resources that already exist.
type Resolver struct {
	t      *Template
	values map[string]any // parameters, pseudo parameters and resource ids, by Ref name
	attrs  map[string]any // "Resource.Attribute"
}

// NewResolver resolves for one stack of t, with its parameter values (see ParameterValues) and the
// given pseudo parameters (AWS::Region, AWS::AccountId, AWS::StackName, ...).
func NewResolver(t *Template, params, pseudo map[string]string) *Resolver {
	r := &Resolver{t: t, values: map[string]any{}, attrs: map[string]any{}}
	for k, v := range params {
		r.values[k] = v
	}
	r.values["AWS::Partition"] = "aws"
	r.values["AWS::URLSuffix"] = "amazonaws.com"
	for k, v := range pseudo {
		r.values[k] = v
	}
	return r
}

// SetResource records a created resource: its Ref value and attributes for Fn::GetAtt.
func (r *Resolver) SetResource(id, ref string, attrs map[string]string) {
	r.values[id] = ref
	for k, v := range attrs {
		r.attrs[id+"."+k] = v
	}
}

// Condition evaluates a named condition.
func (r *Resolver) Condition(name string) (bool, error) {
	expr, ok := r.t.Conditions[name]
	if !ok {
		return false, fmt.Errorf("unknown condition %q", name)
	}
	v, err := r.Resolve(expr)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("condition %s is not a boolean", name)
	}
	return b, nil
}

// Resolve returns v with every intrinsic function evaluated and AWS::NoValue entries removed.
func (r *Resolver) Resolve(v any) (any, error) {
	out, err := r.resolve(v)
	if _, ok := out.(noValue); ok {
		return nil, err
	}
	return out, err
}

// ResolveMap resolves a property map.
func (r *Resolver) ResolveMap(m map[string]any) (map[string]any, error) {
	v, err := r.Resolve(m)
	if err != nil {
		return nil, err
	}
	out, _ := v.(map[string]any)
	return out, nil
}

func (r *Resolver) resolve(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			for k, arg := range v {
				if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
					return r.call(k, arg)
				}
			}
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			rv, err := r.resolve(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, drop := rv.(noValue); !drop {
				out[k] = rv
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(v))
		for i, e := range v {
			rv, err := r.resolve(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if _, drop := rv.(noValue); !drop {
				out = append(out, rv)
			}
		}
		return out, nil
	default:
		return v, nil
	}
}

func (r *Resolver) call(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, _ := arg.(string)
		if name == "AWS::NoValue" {
			return noValue{}, nil
		}
		v, ok := r.values[name]
		if !ok {
			return nil, fmt.Errorf("intrinsic Ref %s: no such parameter or created resource", name)
		}
		return v, nil
	case "Condition":
		name, _ := arg.(string)
		return r.Condition(name)
	case "Fn::GetAtt":
		parts, _ := arg.([]any)
		if len(parts) != 2 {
			return nil, fmt.Errorf("intrinsic Fn::GetAtt wants [resource, attribute]")
		}
		key := fmt.Sprint(parts[0]) + "." + fmt.Sprint(parts[1])
		v, ok := r.attrs[key]
		if !ok {
			return nil, fmt.Errorf("intrinsic Fn::GetAtt %s: unknown attribute", key)
		}
		return v, nil
	case "Fn::Sub":
		return r.sub(arg)
	case "Fn::If":
		args, _ := arg.([]any)
		if len(args) != 3 {
			return nil, fmt.Errorf("intrinsic Fn::If wants [condition, then, else]")
		}
		ok, err := r.Condition(fmt.Sprint(args[0]))
		if err != nil {
			return nil, err
		}
		if ok {
			return r.resolve(args[1])
		}
		return r.resolve(args[2])
	case "Fn::Equals":
		args, err := r.resolveList(arg, 2, fn)
		if err != nil {
			return nil, err
		}
		return reflect.DeepEqual(scalarString(args[0]), scalarString(args[1])), nil
	case "Fn::Not":
		args, err := r.resolveList(arg, 1, fn)
		if err != nil {
			return nil, err
		}
		b, ok := args[0].(bool)
		if !ok {
			return nil, fmt.Errorf("intrinsic Fn::Not wants a boolean")
		}
		return !b, nil
	case "Fn::And", "Fn::Or":
		args, err := r.resolveList(arg, -1, fn)
		if err != nil {
			return nil, err
		}
		result := fn == "Fn::And"
		for _, a := range args {
			b, ok := a.(bool)
			if !ok {
				return nil, fmt.Errorf("intrinsic %s wants booleans", fn)
			}
			if fn == "Fn::And" {
				result = result && b
			} else {
				result = result || b
			}
		}
		return result, nil
	case "Fn::Join":
		args, err := r.resolveList(arg, 2, fn)
		if err != nil {
			return nil, err
		}
		items, _ := args[1].([]any)
		strs := make([]string, len(items))
		for i, it := range items {
			strs[i] = scalarString(it)
		}
		return strings.Join(strs, scalarString(args[0])), nil
	case "Fn::Select":
		args, err := r.resolveList(arg, 2, fn)
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(scalarString(args[0]))
		items, _ := args[1].([]any)
		if err != nil || i < 0 || i >= len(items) {
			return nil, fmt.Errorf("intrinsic Fn::Select index %v out of range", args[0])
		}
		return items[i], nil
	case "Fn::Split":
		args, err := r.resolveList(arg, 2, fn)
		if err != nil {
			return nil, err
		}
		parts := strings.Split(scalarString(args[1]), scalarString(args[0]))
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%s is not supported by the local stack", fn)
	}
}

func (r *Resolver) resolveList(arg any, n int, fn string) ([]any, error) {
	list, ok := arg.([]any)
	if !ok || (n >= 0 && len(list) != n) {
		return nil, fmt.Errorf("intrinsic %s wants a list of %d", fn, n)
	}
	out := make([]any, len(list))
	for i, e := range list {
		v, err := r.resolve(e)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

var subVar = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

func (r *Resolver) sub(arg any) (any, error) {
	text, vars := "", map[string]any{}
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		if len(a) != 2 {
			return nil, fmt.Errorf("intrinsic Fn::Sub wants a string or [string, variables]")
		}
		text, _ = a[0].(string)
		m, err := r.ResolveMap(asMap(a[1]))
		if err != nil {
			return nil, err
		}
		vars = m
	}
	var firstErr error
	out := subVar.ReplaceAllStringFunc(text, func(match string) string {
		name := match[2 : len(match)-1]
		if v, ok := vars[name]; ok {
			return scalarString(v)
		}
		var v any
		var err error
		if res, attr, isAttr := strings.Cut(name, "."); isAttr && !strings.HasPrefix(name, "AWS::") {
			v, err = r.call("Fn::GetAtt", []any{res, attr})
		} else {
			v, err = r.call("Ref", name)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return scalarString(v)
	})
	// ${!Literal} is written as ${Literal}.
	out = strings.ReplaceAll(out, "${!", "${")
	return out, firstErr
}

func scalarString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}
