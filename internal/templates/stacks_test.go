package templates_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
	"github.com/example/cognito-sam-go/internal/templates"
)

const (
	rootTemplate    = "template.yaml"
	authTemplate    = templates.AuthTemplate
	accountTemplate = "account-stack/template.yaml"
)

var rootParams = map[string]string{"DomainPrefix": "example-auth"}

// nested returns the logical id and body of the root's nested stack built from source.
func nested(t *testing.T, doc map[string]any, source string) (string, map[string]any) {
	t.Helper()
	for id, r := range resources(doc, "AWS::CloudFormation::Stack") {
		if url, _ := mapAt(r, "Properties")["TemplateURL"].(string); strings.HasSuffix(url, "/"+source) {
			return id, r
		}
	}
	t.Fatalf("the root template nests no stack from %s", source)
	return "", nil
}

// waitsFor tells whether CloudFormation creates resource to before resource from.
func waitsFor(tpl *cloudformation.Template, from, to string) bool {
	seen := map[string]bool{}
	queue := []string{from}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, d := range tpl.Dependencies(id) {
			if d == to {
				return true
			}
			if !seen[d] {
				seen[d] = true
				queue = append(queue, d)
			}
		}
	}
	return false
}

// CloudFormation refuses a DependsOn on a resource that may not exist, and a Ref to one outside an
// Fn::If on its condition.
func checkConditionalReferences(t *testing.T, tpl *cloudformation.Template) {
	t.Helper()
	for id, res := range tpl.Resources {
		for _, d := range res.DependsOnIDs() {
			if c := tpl.Resources[d].Condition; c != "" && c != res.Condition {
				t.Errorf("%s: DependsOn %s, which exists only when %s", id, d, c)
			}
		}
		for _, part := range []map[string]any{res.Properties, res.Metadata} {
			cloudformation.References(part, func(ref string, conds []string) {
				if c := tpl.Resources[ref].Condition; c != "" && c != res.Condition && !slices.Contains(conds, c) {
					t.Errorf("%s: refers to %s outside an Fn::If on %s", id, ref, c)
				}
			})
		}
	}
}

// In a fresh region the stage with access logging fails unless the region's API Gateway account
// setting names a CloudWatch role first: the root creates the account stack before the API stack.
func TestRootCreatesTheAccountSettingBeforeTheAPI(t *testing.T) {
	for _, manage := range []string{"", "true", "false"} {
		t.Run("ManageApiGatewayAccount="+manage, func(t *testing.T) {
			params := rootParams
			if manage != "" {
				params = with(rootParams, "ManageApiGatewayAccount", manage)
			}
			doc := templates.Translate(t, rootTemplate, params)
			tpl := parse(t, rootTemplate, params)
			checkConditionalReferences(t, tpl)
			accountStack, account := nested(t, doc, accountTemplate)
			apiID, _ := nested(t, doc, apiTemplate)
			if !waitsFor(tpl, apiID, accountStack) {
				t.Errorf("the API stack %s does not wait for the account stack %s", apiID, accountStack)
			}
			cond, _ := account["Condition"].(string)
			if cond == "" {
				t.Fatal("the account stack is not conditional: every later root stack in the region would fight over the setting")
			}
			_, created := deploy(t, rootTemplate, params, "cognito-go-api").Resources[accountStack]
			if want := manage != "false"; created != want {
				t.Errorf("account stack created: %v, want %v (a first deploy in a fresh region needs it)", created, want)
			}
		})
	}
}

// The region's API Gateway CloudWatch role is an account-wide setting: one stack owns it, and deleting
// any stack never deletes the role the setting names.
func TestAccountSettingHasOneRetainedOwner(t *testing.T) {
	api := templates.Translate(t, apiTemplate, apiParams)
	if n := len(resources(api, "AWS::ApiGateway::Account")); n != 0 {
		t.Errorf("the API stack declares %d AWS::ApiGateway::Account", n)
	}
	if _, ok := mapAt(api, "Parameters")["SetApiGatewayLogsRole"]; ok {
		t.Error("the API stack still has SetApiGatewayLogsRole")
	}
	for id, role := range resources(api, "AWS::IAM::Role") {
		if strings.Contains(fmt.Sprint(mapAt(role, "Properties")["AssumeRolePolicyDocument"]), "apigateway.amazonaws.com") {
			t.Errorf("the API stack declares API Gateway's CloudWatch role %s", id)
		}
	}

	doc := templates.Translate(t, accountTemplate, nil)
	_, setting := only(t, doc, "AWS::ApiGateway::Account")
	roleID, role := only(t, doc, "AWS::IAM::Role")
	if got := fmt.Sprint(mapAt(setting, "Properties")["CloudWatchRoleArn"]); got != fmt.Sprint(map[string]any{"Fn::GetAtt": []any{roleID, "Arn"}}) {
		t.Errorf("CloudWatchRoleArn %s, want the stack's role %s", got, roleID)
	}
	trust := fmt.Sprint(mapAt(role, "Properties")["AssumeRolePolicyDocument"])
	policies := fmt.Sprint(mapAt(role, "Properties")["ManagedPolicyArns"])
	if !strings.Contains(trust, "apigateway.amazonaws.com") || !strings.Contains(policies, "AmazonAPIGatewayPushToCloudWatchLogs") {
		t.Errorf("role %s: trust %s, policies %s; want API Gateway pushing to CloudWatch Logs", roleID, trust, policies)
	}
	for name, r := range map[string]map[string]any{"AWS::ApiGateway::Account": setting, roleID: role} {
		if r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
			t.Errorf("%s: DeletionPolicy %v, UpdateReplacePolicy %v; want Retain for both", name, r["DeletionPolicy"], r["UpdateReplacePolicy"])
		}
	}
}

// The SSM parameter names are the same whether the auth stack is deployed on its own or nested in the
// root stack (whose nested stack names end in a random suffix).
func TestSSMParameterNamesArePredictable(t *testing.T) {
	doc := templates.Translate(t, authTemplate, rootParams)
	want := map[string]string{"/cognito-auth/example-auth/UserPoolId": "", "/cognito-auth/example-auth/UserPoolArn": ""}
	params := resources(doc, "AWS::SSM::Parameter")
	if len(params) != len(want) {
		t.Fatalf("%d SSM parameters, want %d", len(params), len(want))
	}
	for _, stack := range []string{"cognito-go-auth", "cognito-go-api-Auth-1Q2W3E4R5T6Y"} {
		st := deploy(t, authTemplate, rootParams, stack)
		for id := range params {
			name := st.Resources[id].Properties["Name"]
			if _, ok := want[fmt.Sprint(name)]; !ok {
				t.Errorf("stack %s: %s is named %v, want one of %v", stack, id, name, want)
			}
		}
	}
	readme, err := os.ReadFile(templates.Root(t) + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "/cognito-auth/<DomainPrefix>/UserPoolId") {
		t.Error("README.md does not document /cognito-auth/<DomainPrefix>/UserPoolId")
	}
}

// Cognito refuses a domain prefix containing aws, amazon or cognito
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html):
// parameter validation says so before anything is created.
func TestDomainPrefixRefusesReservedWords(t *testing.T) {
	for _, tmpl := range []string{rootTemplate, authTemplate} {
		for _, prefix := range []string{"my-aws-app", "amazon", "app-cognito-1", "awsome"} {
			t.Run(tmpl+"/"+prefix, func(t *testing.T) {
				t.Parallel()
				msg := templates.TranslateError(t, tmpl, with(rootParams, "DomainPrefix", prefix))
				if !strings.Contains(msg, "DomainPrefix") || !strings.Contains(msg, "aws, amazon or cognito") {
					t.Errorf("message does not say why:\n%s", msg)
				}
			})
		}
		templates.Translate(t, tmpl, rootParams) // an allowed prefix translates
	}
}

// The feature plan is pinned: Lite has the monthly free tier and every feature this project uses
// (https://aws.amazon.com/cognito/pricing/).
func TestUserPoolTierIsPinned(t *testing.T) {
	_, pool := only(t, templates.Translate(t, authTemplate, rootParams), "AWS::Cognito::UserPool")
	if got := mapAt(pool, "Properties")["UserPoolTier"]; got != "LITE" {
		t.Errorf("UserPoolTier %v, want LITE", got)
	}
}
