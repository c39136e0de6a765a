package templates_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
	"github.com/example/cognito-sam-go/internal/templates"
)

// Where the tests deploy: the pseudo parameters AWS::Region and AWS::AccountId.
const (
	region    = "us-east-1"
	accountID = "123456789012"
)

// nestedParams are the parameters each nested template is translated with to learn its outputs.
var nestedParams = map[string]map[string]string{authTemplate: rootParams, apiTemplate: apiParams, accountTemplate: nil}

// deploy is template as CloudFormation creates it from its translation with params under stackName,
// by the cloudformation package: defaults and constraints applied, conditions evaluated, and every
// resource recorded rather than created (Ref its logical id, Arn in CloudFormation's form), so that
// each resource's properties come back resolved. A nested stack's Fn::GetAtt Outputs.<Key> is
// "<logical id>.<Key>" for each output its template declares.
func deploy(t *testing.T, template string, params map[string]string, stackName string) *cloudformation.Stack {
	t.Helper()
	tpl := parse(t, template, params)
	values, err := tpl.ParameterValues(params)
	if err != nil {
		t.Fatal(err)
	}
	providers := map[string]cloudformation.Provider{"AWS::CloudFormation::Stack": nestedStack(t)}
	for _, r := range tpl.Resources {
		if _, ok := providers[r.Type]; !ok {
			service, _, _ := strings.Cut(strings.TrimPrefix(r.Type, "AWS::"), "::")
			providers[r.Type] = cloudformation.Recorded(strings.ToLower(service), region, accountID)
		}
	}
	st, err := cloudformation.Deploy(context.Background(), tpl, cloudformation.DeployOptions{
		StackName: stackName, Region: region, AccountID: accountID, Parameters: values, Providers: providers,
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// parse is template's translation with params as the cloudformation package reads it.
func parse(t *testing.T, template string, params map[string]string) *cloudformation.Template {
	t.Helper()
	raw, err := json.Marshal(templates.Translate(t, template, params))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := cloudformation.Parse(template, raw)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// nestedStack records a nested stack with the outputs of the template its TemplateURL names (the
// translator's placeholder URL ends in the template's path).
func nestedStack(t *testing.T) cloudformation.Provider {
	return func(_ context.Context, id string, props map[string]any) (cloudformation.Created, error) {
		url, _ := props["TemplateURL"].(string)
		for source, params := range nestedParams {
			if strings.HasSuffix(url, "/"+source) {
				attrs := map[string]string{}
				for key := range mapAt(templates.Translate(t, source, params), "Outputs") {
					attrs["Outputs."+key] = id + "." + key
				}
				return cloudformation.Created{Ref: id, Attrs: attrs}, nil
			}
		}
		t.Fatalf("nested stack %s: no template for %s", id, url)
		return cloudformation.Created{}, nil
	}
}

// asDoc is a deployed stack in a template's shape (Resources by logical id, each with Type, resolved
// Properties and Metadata), for the helpers that read templates.
func asDoc(st *cloudformation.Stack) map[string]any {
	out := map[string]any{}
	for id, r := range st.Resources {
		out[id] = map[string]any{"Type": r.Type, "Properties": r.Properties, "Metadata": r.Metadata}
	}
	return map[string]any{"Resources": out}
}

// arnOf is the Arn CloudFormation gives the deployed resource id.
func arnOf(t *testing.T, st *cloudformation.Stack, id string) any {
	t.Helper()
	arn, err := st.Resolver.Resolve(map[string]any{"Fn::GetAtt": []any{id, "Arn"}})
	if err != nil {
		t.Fatal(err)
	}
	return arn
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

// listAt is m[key] as a list, empty when it is absent or not a list: a template that lacks a property
// fails the check that reads it, naming what is missing, instead of panicking the test binary.
func listAt(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

// resources returns the logical ids and bodies of the resources of type typ.
func resources(doc map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range mapAt(doc, "Resources") {
		if res, _ := r.(map[string]any); res["Type"] == typ {
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
