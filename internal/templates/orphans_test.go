package templates_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/templates"
)

// constraintKeys are what CloudFormation checks of a parameter value before it creates anything
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html).
var constraintKeys = []string{"Type", "AllowedPattern", "AllowedValues", "MinLength", "MaxLength", "MinValue", "MaxValue"}

// A nested stack checks its parameters only when CloudFormation creates it, by then after the auth
// stack's pool: a StageName the API stack refuses failed once the pool existed. Every root parameter
// passed to a nested stack carries that stack's constraints, so the root refuses it first.
func TestRootValidatesEveryParameterAsTheNestedStacksDo(t *testing.T) {
	doc := templates.Translate(t, rootTemplate, rootParams)
	rootParamSpecs := mapAt(doc, "Parameters")
	for _, source := range []string{authTemplate, apiTemplate, accountTemplate} {
		id, stack := nested(t, doc, source)
		nestedSpecs := mapAt(templates.Translate(t, source, nestedParams[source]), "Parameters")
		for name, value := range mapAt(stack, "Properties", "Parameters") {
			ref, _ := value.(map[string]any)["Ref"].(string)
			if ref == "" || strings.HasPrefix(ref, "AWS::") {
				continue // an output of another stack, or a pseudo parameter
			}
			own, _ := rootParamSpecs[ref].(map[string]any)
			theirs, _ := nestedSpecs[name].(map[string]any)
			for _, key := range constraintKeys {
				if !reflect.DeepEqual(fmt.Sprint(own[key]), fmt.Sprint(theirs[key])) {
					t.Errorf("%s.%s: root parameter %s has %s %v, %s has %v", id, name, ref, key, own[key], source, theirs[key])
				}
			}
		}
	}
	// And CloudFormation's check refuses a bad StageName at the root, before any nested stack.
	msg := templates.TranslateError(t, rootTemplate, with(rootParams, "StageName", "v-1"))
	if !strings.Contains(msg, "StageName") {
		t.Errorf("the root accepts StageName=v-1, which the API stack refuses:\n%s", msg)
	}
}

// After `sam delete` the retained pool holds every account; ExistingUserPoolId attaches it to the new
// stack: no pool is created, and the domain, the SSM parameters and the outputs name the kept pool.
func TestExistingUserPoolIsAttachedNotCreated(t *testing.T) {
	const kept = "us-east-1_Kept42"
	keptArn := "arn:aws:cognito-idp:" + region + ":" + accountID + ":userpool/" + kept
	params := with(rootParams, "ExistingUserPoolId", kept)
	st := deploy(t, authTemplate, params, "cognito-go-auth")
	for id, r := range st.Resources {
		if r.Type == "AWS::Cognito::UserPool" {
			t.Errorf("%s: a new pool is created beside the kept one", id)
		}
	}
	want := map[string]string{"UserPoolId": kept, "UserPoolArn": keptArn}
	for key, value := range want {
		if got := st.Outputs[key]; got != value {
			t.Errorf("output %s = %q, want %q", key, got, value)
		}
	}
	ssm := map[string]string{}
	for _, r := range st.Resources {
		switch r.Type {
		case "AWS::SSM::Parameter":
			ssm[fmt.Sprint(r.Properties["Name"])] = fmt.Sprint(r.Properties["Value"])
		case "AWS::Cognito::UserPoolDomain":
			if got := r.Properties["UserPoolId"]; got != kept {
				t.Errorf("the domain is created on pool %v, want %s", got, kept)
			}
		}
	}
	wantSSM := map[string]string{"/cognito-auth/example-auth/UserPoolId": kept, "/cognito-auth/example-auth/UserPoolArn": keptArn}
	if !reflect.DeepEqual(ssm, wantSSM) {
		t.Errorf("SSM parameters %v, want %v", ssm, wantSSM)
	}

	// Without it, the stack creates its pool and names that one.
	fresh := deploy(t, authTemplate, rootParams, "cognito-go-auth")
	poolID, _ := only(t, asDoc(fresh), "AWS::Cognito::UserPool")
	if got := fresh.Outputs["UserPoolId"]; got != fresh.Resources[poolID].Ref {
		t.Errorf("output UserPoolId %q, want the created pool %q", got, fresh.Resources[poolID].Ref)
	}

	// The root template passes it to the auth stack.
	doc := templates.Translate(t, rootTemplate, params)
	_, auth := nested(t, doc, authTemplate)
	if got := fmt.Sprint(mapAt(auth, "Properties", "Parameters")["ExistingUserPoolId"]); got != fmt.Sprint(map[string]any{"Ref": "ExistingUserPoolId"}) {
		t.Errorf("the root passes ExistingUserPoolId as %s", got)
	}
	for _, bad := range []string{"not a pool", "us-east-1_", "_abc"} {
		if msg := templates.TranslateError(t, authTemplate, with(rootParams, "ExistingUserPoolId", bad)); !strings.Contains(msg, "ExistingUserPoolId") {
			t.Errorf("ExistingUserPoolId=%q: refused without naming it:\n%s", bad, msg)
		}
	}
}
