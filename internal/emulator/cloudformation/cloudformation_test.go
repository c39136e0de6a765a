package cloudformation

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestParseOverrides_SamDeploySyntax(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
	}{
		{"", map[string]string{}},
		{"A=1 B=two", map[string]string{"A": "1", "B": "two"}},
		{`CorsAllowOrigin=http://127.0.0.1:8080  Empty=`, map[string]string{"CorsAllowOrigin": "http://127.0.0.1:8080", "Empty": ""}},
		{`Desc='a b c' Other="x y"`, map[string]string{"Desc": "a b c", "Other": "x y"}},
		{"ParameterKey=Stage,ParameterValue=v2", map[string]string{"Stage": "v2"}},
		{"Url=https://x/?a=b", map[string]string{"Url": "https://x/?a=b"}},
	}
	for _, tc := range tests {
		got, err := ParseOverrides(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"novalue", "=x", "A='open", "ParameterKey=A"} {
		if _, err := ParseOverrides(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestParameterValues_AppliesDefaultsAndRefusesMissingOrUndeclared(t *testing.T) {
	tpl := &Template{Path: "t.json", Parameters: map[string]Parameter{
		"Prefix": {Type: "String"},
		"Flag":   {Type: "String", Default: "true"},
		"Rate":   {Type: "Number", Default: float64(10)},
	}}
	got, err := tpl.ParameterValues(map[string]string{"Prefix": "my-app"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"Prefix": "my-app", "Flag": "true", "Rate": "10"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for name, tc := range map[string]struct {
		values map[string]string
		want   string
	}{
		"missing value": {map[string]string{}, "Prefix has no default"},
		"undeclared":    {map[string]string{"Prefix": "a", "Typo": "1"}, "Typo is not declared"},
	} {
		if _, err := tpl.ParameterValues(tc.values); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", name, err, tc.want)
		}
	}
}

// record is a provider that remembers the order of creation and gives each resource predictable ids.
func record(order *[]string) Provider {
	return func(_ context.Context, id string, props map[string]any) (Created, error) {
		*order = append(*order, id)
		return Created{Ref: "ref-" + id, Attrs: map[string]string{"Arn": "arn:" + id, "Name": "name-" + id}}, nil
	}
}

func TestDeploy_ResolvesIntrinsicsInDependencyOrderAndSkipsFalseConditions(t *testing.T) {
	tpl, err := Load("testdata/intrinsics.json")
	if err != nil {
		t.Fatal(err)
	}
	params, err := tpl.ParameterValues(nil)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	p := record(&order)
	st, err := Deploy(context.Background(), tpl, DeployOptions{StackName: "local", Region: "us-east-1", AccountID: "123456789012",
		Parameters: params, Providers: map[string]Provider{
			"AWS::Cognito::UserPool": p, "AWS::Cognito::UserPoolClient": p, "AWS::Cognito::UserPoolDomain": p, "AWS::Logs::LogGroup": p,
		}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Pool", "Client", "Domain"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("creation order %v, want %v (OnlyWithOrigin's condition is false)", order, want)
	}
	wantPool := map[string]any{
		"Name": "local-users", "Long": "x-v1-${Literal}", "Admin": false, "List": []any{"a", "b-v1"}, "Both": false, "Pick": "q",
	}
	if got := st.Resources["Pool"].Properties; !reflect.DeepEqual(got, wantPool) {
		t.Fatalf("Pool properties\n got %#v\nwant %#v", got, wantPool)
	}
	if got := st.Resources["Client"].Properties["Name"]; got != "arn:Pool/client" {
		t.Fatalf("Fn::Sub of an attribute: %v", got)
	}
	if want := map[string]string{"ClientName": "name-Client"}; !reflect.DeepEqual(st.Outputs, want) {
		t.Fatalf("outputs %v, want %v (a conditional output whose condition is false is absent)", st.Outputs, want)
	}
}

func TestDeploy_RefusesWhatItCannotCreate(t *testing.T) {
	tpl, err := Load("testdata/intrinsics.json")
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	_, err = Deploy(context.Background(), tpl, DeployOptions{Parameters: map[string]string{"Stage": "v1", "Origin": "", "Flag": "true"},
		Providers: map[string]Provider{"AWS::Cognito::UserPool": record(&order)}})
	if err == nil || !strings.Contains(err.Error(), "is not supported by the local stack") {
		t.Fatalf("error %v, want a resource type without provider refused", err)
	}
}

func TestDeploy_CircularDependencyIsAnError(t *testing.T) {
	tpl := &Template{Path: "c.json", Resources: map[string]Resource{
		"A": {Type: "X", Properties: map[string]any{"P": map[string]any{"Ref": "B"}}},
		"B": {Type: "X", DependsOn: []any{"A"}},
	}}
	var order []string
	_, err := Deploy(context.Background(), tpl, DeployOptions{Providers: map[string]Provider{"X": record(&order)}})
	if err == nil || !strings.Contains(err.Error(), "circular dependency") {
		t.Fatalf("error %v", err)
	}
}

// A Ref in Metadata orders creation too: the root template waits for its conditional account stack so.
func TestDeploy_MetadataReferencesOrderCreation(t *testing.T) {
	tpl := &Template{Path: "m.json", Conditions: map[string]any{"Yes": true}, Resources: map[string]Resource{
		"A": {Type: "X", Metadata: map[string]any{"Waits": map[string]any{"Fn::If": []any{"Yes", map[string]any{"Ref": "B"}, "none"}}}},
		"B": {Type: "X"},
		"C": {Type: "X", DependsOn: "A"},
	}}
	if got := tpl.Dependencies("C"); !reflect.DeepEqual(got, []string{"A"}) {
		t.Errorf("C depends on %v, want [A] (its DependsOn)", got)
	}
	var order []string
	if _, err := Deploy(context.Background(), tpl, DeployOptions{Providers: map[string]Provider{"X": record(&order)}}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"B", "A", "C"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("creation order %v, want %v", order, want)
	}
}

func TestReferences_NameEachReferenceWithTheConditionsItSitsUnder(t *testing.T) {
	v := map[string]any{
		"Plain": map[string]any{"Ref": "A"},
		"Attr":  map[string]any{"Fn::GetAtt": []any{"B", "Arn"}},
		"Sub":   map[string]any{"Fn::Sub": []any{"${C.Arn}-${AWS::Region}-${!Literal}", map[string]any{"x": map[string]any{"Ref": "D"}}}},
		"Cond": map[string]any{"Fn::If": []any{"Yes",
			[]any{map[string]any{"Ref": "E"}, map[string]any{"Fn::If": []any{"Also", map[string]any{"Ref": "F"}, "none"}}},
			map[string]any{"Ref": "G"}}},
	}
	got := map[string][]string{}
	References(v, func(name string, conds []string) { got[name] = conds })
	want := map[string][]string{"A": nil, "B": nil, "C": nil, "AWS::Region": nil, "D": nil, "E": {"Yes"}, "F": {"Yes", "Also"}, "G": nil}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("references\n got %v\nwant %v", got, want)
	}
}

func TestResolve_ErrorsNameTheProblem(t *testing.T) {
	tests := []struct {
		name string
		prop any
		want string
	}{
		{"unknown ref", map[string]any{"Ref": "Missing"}, "Ref Missing"},
		{"unsupported function", map[string]any{"Fn::ImportValue": "other"}, "Fn::ImportValue is not supported"},
		{"unknown attribute", map[string]any{"Fn::GetAtt": []any{"R", "Nope"}}, "R.Nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewResolver(&Template{}, nil, nil)
			_, err := r.ResolveMap(map[string]any{"A": tc.prop})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestParse_TemplateFromMemoryNamedInErrors(t *testing.T) {
	tpl, err := Parse("api.json", []byte(`{"Resources":{"R":{"Type":"X","Properties":{"P":1}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Path != "api.json" || tpl.Resources["R"].Type != "X" {
		t.Fatalf("parsed %+v", tpl)
	}
	for raw, want := range map[string]string{`{"Resources":{}}`: "api.json: no Resources", `[`: "api.json: not a CloudFormation JSON template"} {
		if _, err := Parse("api.json", []byte(raw)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", raw, err, want)
		}
	}
}
