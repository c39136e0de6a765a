package cloudformation

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Created is what a resource provider reports: the resource's Ref value and its Fn::GetAtt attributes.
type Created struct {
	Ref   string
	Attrs map[string]string
}

// Provider creates one resource from its resolved properties.
type Provider func(ctx context.Context, id string, props map[string]any) (Created, error)

// DeployOptions says where a stack is deployed and who creates each resource type.
type DeployOptions struct {
	StackName string
	Region    string
	AccountID string
	// Parameters are the values from Template.ParameterValues.
	Parameters map[string]string
	// Providers create resources by type. A type without a provider fails the deploy, so a resource
	// added to a template is never silently missing locally.
	Providers map[string]Provider
}

// Stack is a deployed stack: each resource's resolved properties and the stack's outputs.
type Stack struct {
	Name      string
	Resources map[string]Deployed // by logical id; resources whose condition is false are absent
	Outputs   map[string]string
	Resolver  *Resolver
}

// Deployed is one created resource.
type Deployed struct {
	Type       string
	Properties map[string]any // intrinsics resolved
	Metadata   map[string]any
	Ref        string
}

// Deploy creates the template's resources in dependency order (Ref, Fn::GetAtt, Fn::Sub and
// DependsOn, as CloudFormation orders them), skipping those whose Condition is false, and resolves
// the outputs.
func Deploy(ctx context.Context, t *Template, opts DeployOptions) (*Stack, error) {
	r := NewResolver(t, opts.Parameters, map[string]string{
		"AWS::Region": opts.Region, "AWS::AccountId": opts.AccountID, "AWS::StackName": opts.StackName,
		"AWS::StackId": fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/local", opts.Region, opts.AccountID, opts.StackName),
	})
	order, err := t.order()
	if err != nil {
		return nil, err
	}
	st := &Stack{Name: opts.StackName, Resources: map[string]Deployed{}, Outputs: map[string]string{}, Resolver: r}
	for _, id := range order {
		res := t.Resources[id]
		if res.Condition != "" {
			ok, err := r.Condition(res.Condition)
			if err != nil {
				return nil, fmt.Errorf("%s: resource %s: %w", t.Path, id, err)
			}
			if !ok {
				continue
			}
		}
		create, ok := opts.Providers[res.Type]
		if !ok {
			return nil, fmt.Errorf("%s: resource %s of type %s is not supported by the local stack", t.Path, id, res.Type)
		}
		props, err := r.ResolveMap(res.Properties)
		if err != nil {
			return nil, fmt.Errorf("%s: resource %s: %w", t.Path, id, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, err := create(ctx, id, props)
		if err != nil {
			return nil, fmt.Errorf("%s: create %s (%s): %w", t.Path, id, res.Type, err)
		}
		r.SetResource(id, c.Ref, c.Attrs)
		st.Resources[id] = Deployed{Type: res.Type, Properties: props, Metadata: res.Metadata, Ref: c.Ref}
	}
	for _, key := range slices.Sorted(maps.Keys(t.Outputs)) {
		o := t.Outputs[key]
		if o.Condition != "" {
			if ok, err := r.Condition(o.Condition); err != nil || !ok {
				continue
			}
		}
		v, err := r.Resolve(o.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: output %s: %w", t.Path, key, err)
		}
		st.Outputs[key] = scalarString(v)
	}
	return st, nil
}

// Dependencies lists, once each, the other resources that resource id waits for: its DependsOn and
// every resource its Properties or Metadata refer to with Ref, Fn::GetAtt or Fn::Sub. Metadata counts:
// a Ref there, inside an Fn::If, is how a template waits for a resource that may not exist, which
// DependsOn cannot name (https://cloudonaut.io/optional-dependson-with-cloudformation-metadata-to-the-rescue/).
func (t *Template) Dependencies(id string) []string {
	res := t.Resources[id]
	var deps []string
	seen := map[string]bool{}
	refs := append(references(res.Properties), references(res.Metadata)...)
	for _, d := range append(res.DependsOnIDs(), refs...) {
		if _, isResource := t.Resources[d]; isResource && d != id && !seen[d] {
			seen[d] = true
			deps = append(deps, d)
		}
	}
	return deps
}

// order sorts the resources so that each comes after everything it depends on; ties break by id so
// that deploys are reproducible. A cycle is an error, as in CloudFormation.
func (t *Template) order() ([]string, error) {
	deps := map[string][]string{}
	for id := range t.Resources {
		deps[id] = t.Dependencies(id)
	}
	var out []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		switch state[id] {
		case 1:
			return fmt.Errorf("%s: circular dependency between resources: %s", t.Path, strings.Join(append(path, id), " -> "))
		case 2:
			return nil
		}
		state[id] = 1
		for _, d := range slices.Sorted(slices.Values(deps[id])) {
			if err := visit(d, append(path, id)); err != nil {
				return err
			}
		}
		state[id] = 2
		out = append(out, id)
		return nil
	}
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		if err := visit(id, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// references lists every name v refers to through Ref, Fn::GetAtt or Fn::Sub, whatever branch of an
// Fn::If it sits in (CloudFormation orders by every reference too).
func references(v any) []string {
	var out []string
	References(v, func(name string, _ []string) { out = append(out, name) })
	return out
}

// References calls found with each name v refers to through Ref, Fn::GetAtt (the resource) or Fn::Sub
// (each ${Name}, or the resource of ${Resource.Attribute}), and the conditions of the Fn::If "then"
// branches the reference sits in. A template may refer to a resource that exists only under a
// condition only from within an Fn::If on that condition: CloudFormation fails the deploy on a
// reference to a resource it did not create.
func References(v any, found func(name string, conds []string)) {
	var walk func(v any, conds []string)
	walk = func(v any, conds []string) {
		switch v := v.(type) {
		case map[string]any:
			if args, ok := v["Fn::If"].([]any); ok && len(v) == 1 && len(args) == 3 {
				walk(args[1], append(slices.Clone(conds), scalarString(args[0])))
				walk(args[2], conds)
				return
			}
			for k, e := range v {
				switch k {
				case "Ref":
					if s, ok := e.(string); ok {
						found(s, conds)
					}
				case "Fn::GetAtt":
					if l, ok := e.([]any); ok && len(l) > 0 {
						found(scalarString(l[0]), conds)
					} else if s, ok := e.(string); ok {
						name, _, _ := strings.Cut(s, ".")
						found(name, conds)
					}
				case "Fn::Sub":
					text := e
					if l, ok := e.([]any); ok && len(l) > 0 {
						text = l[0]
					}
					if s, ok := text.(string); ok {
						for _, m := range subVar.FindAllStringSubmatch(s, -1) {
							name, _, _ := strings.Cut(m[1], ".")
							found(name, conds)
						}
					}
				}
				walk(e, conds)
			}
		case []any:
			for _, e := range v {
				walk(e, conds)
			}
		}
	}
	walk(v, nil)
}

// Recorded is a Provider for a resource the local stack does not emulate (IAM, logs, permissions):
// it creates nothing, and gives the resource a Ref and an Arn in CloudFormation's forms so that what
// refers to it resolves.
func Recorded(service, region, accountID string) Provider {
	return func(_ context.Context, id string, _ map[string]any) (Created, error) {
		return Created{Ref: id, Attrs: map[string]string{
			"Arn": fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, accountID, id),
		}}, nil
	}
}
