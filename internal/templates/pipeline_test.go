package templates_test

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
	"github.com/example/cognito-sam-go/internal/templates"
)

const pipelineTemplate = "pipeline-stack/template.yaml"

var pipelineParams = map[string]string{
	"GitHubOwner": "octo-org", "GitHubRepository": "octo-repo", "DomainPrefix": "example-auth",
}

const (
	oidcKeyAud = "token.actions.githubusercontent.com:aud"
	oidcKeySub = "token.actions.githubusercontent.com:sub"
)

// statements are a policy document's statements, whether written as one object or a list.
func statements(doc any) []map[string]any {
	var out []map[string]any
	switch s := doc.(map[string]any)["Statement"].(type) {
	case []any:
		for _, st := range s {
			out = append(out, st.(map[string]any))
		}
	case map[string]any:
		out = append(out, s)
	}
	return out
}

// strs is a policy element that may be one string or a list, as a list.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// rolePolicy is every statement of the role's inline policies.
func rolePolicy(role cloudformation.Deployed) []map[string]any {
	var out []map[string]any
	policies, _ := role.Properties["Policies"].([]any)
	for _, p := range policies {
		out = append(out, statements(p.(map[string]any)["PolicyDocument"])...)
	}
	return out
}

// checkTrust holds a role's trust policy to GitHub's OIDC provider, the audience
// configure-aws-credentials asks for, and exactly one sub claim: configure-aws-credentials' README
// warns that without a sub condition any repository's workflow could assume the role.
func checkTrust(t *testing.T, name string, role cloudformation.Deployed, provider, sub string) {
	t.Helper()
	trust := statements(role.Properties["AssumeRolePolicyDocument"])
	if len(trust) != 1 {
		t.Fatalf("%s: %d trust statements, want 1", name, len(trust))
	}
	st := trust[0]
	if st["Effect"] != "Allow" || !reflect.DeepEqual(strs(st["Action"]), []string{"sts:AssumeRoleWithWebIdentity"}) {
		t.Errorf("%s: trust %v %v, want Allow sts:AssumeRoleWithWebIdentity", name, st["Effect"], st["Action"])
	}
	if got := fmt.Sprint(mapAt(st, "Principal")["Federated"]); got != provider {
		t.Errorf("%s: trusts %s, want the provider %s", name, got, provider)
	}
	cond := mapAt(st, "Condition")
	if len(cond) != 1 || len(mapAt(cond, "StringEquals")) != 2 {
		t.Fatalf("%s: condition %v, want StringEquals on aud and sub only (no StringLike wildcards)", name, cond)
	}
	eq := mapAt(cond, "StringEquals")
	if got := strs(eq[oidcKeyAud]); !reflect.DeepEqual(got, []string{"sts.amazonaws.com"}) {
		t.Errorf("%s: aud %v, want sts.amazonaws.com", name, got)
	}
	if got := strs(eq[oidcKeySub]); !reflect.DeepEqual(got, []string{sub}) {
		t.Errorf("%s: sub %v, want %s", name, got, sub)
	}
}

// The deploy role trusts only the deploy job (run in the protected production environment, so the sub
// claim names the environment), the test-user role only jobs on main; both sub formats: the name-based
// repo:OWNER/REPO:... and the immutable repo:OWNER@ID/REPO@ID:... that repositories created after
// 15 July 2026 send (configure-aws-credentials' README; GitHub's changelog).
func TestPipelineRolesTrustOnlyThisRepositorysMainAndProductionEnvironment(t *testing.T) {
	const existingProvider = "arn:aws:iam::" + accountID + ":oidc-provider/token.actions.githubusercontent.com"
	withPool := with(pipelineParams, "UserPoolId", "us-east-1_Pool1")
	tests := []struct {
		name                 string
		params               map[string]string
		provider, deploySub  string
		testSub              string
		createsOwnOIDCProvid bool
	}{
		{"name-based sub, new provider", withPool, "GitHubOidcProvider",
			"repo:octo-org/octo-repo:environment:production", "repo:octo-org/octo-repo:ref:refs/heads/main", true},
		{"immutable sub, the account's provider",
			with(withPool, "GitHubOwnerId", "123456", "GitHubRepositoryId", "456789", "CreateGitHubOidcProvider", "false"),
			existingProvider,
			"repo:octo-org@123456/octo-repo@456789:environment:production", "repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main", false},
		{"another environment name", with(withPool, "DeployEnvironment", "prod-eu"), "GitHubOidcProvider",
			"repo:octo-org/octo-repo:environment:prod-eu", "repo:octo-org/octo-repo:ref:refs/heads/main", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := deploy(t, pipelineTemplate, tt.params, "github-deploy-identity")
			provider, created := st.Resources["GitHubOidcProvider"]
			if created != tt.createsOwnOIDCProvid {
				t.Fatalf("OIDC provider created: %v, want %v", created, tt.createsOwnOIDCProvid)
			}
			if created {
				if provider.Properties["Url"] != "https://token.actions.githubusercontent.com" ||
					!reflect.DeepEqual(strs(provider.Properties["ClientIdList"]), []string{"sts.amazonaws.com"}) {
					t.Errorf("provider %v", provider.Properties)
				}
			}
			checkTrust(t, "DeployRole", st.Resources["DeployRole"], tt.provider, tt.deploySub)
			checkTrust(t, "TestUserRole", st.Resources["TestUserRole"], tt.provider, tt.testSub)
		})
	}
}

// actionsWithoutResources are the actions the deploy role needs that IAM authorises on no resource
// (Service Authorization Reference), the only ones allowed on "*".
var actionsWithoutResources = []string{
	"cloudformation:ValidateTemplate", "cognito-idp:CreateUserPool", "cognito-idp:DescribeUserPoolDomain", "logs:DescribeLogGroups",
}

// The deploy role may act on the application's stacks and on what they create, named after them, and
// nothing else: never a wildcard action, "*" only for actions that have no resource, CloudFormation on
// the stack and its nested stacks, roles passed only to Lambda and API Gateway.
func TestPipelineDeployRoleIsLeastPrivilege(t *testing.T) {
	st := deploy(t, pipelineTemplate, pipelineParams, "github-deploy-identity")
	prefix := "arn:aws:"
	stacks := []string{
		prefix + "cloudformation:" + region + ":" + accountID + ":stack/cognito-go-api/*",
		prefix + "cloudformation:" + region + ":" + accountID + ":stack/cognito-go-api-*/*",
	}
	granted := map[string]bool{}
	for _, s := range rolePolicy(st.Resources["DeployRole"]) {
		if s["Effect"] != "Allow" {
			continue
		}
		actions, resources := strs(s["Action"]), strs(s["Resource"])
		for _, a := range actions {
			granted[strings.ToLower(strings.SplitN(a, ":", 2)[0])] = true
			if a == "*" || strings.HasSuffix(a, ":*") || strings.Contains(a, "*") {
				t.Errorf("%v: wildcard action %s", s["Sid"], a)
			}
			if slices.Contains(resources, "*") && !slices.Contains(actionsWithoutResources, a) {
				t.Errorf("%v: %s on every resource", s["Sid"], a)
			}
			if strings.HasPrefix(a, "cloudformation:") && a != "cloudformation:ValidateTemplate" {
				for _, r := range resources {
					if !slices.Contains(stacks, r) && !strings.Contains(r, ":aws:transform/") {
						t.Errorf("%v: %s on %s, outside the stacks %v", s["Sid"], a, r, stacks)
					}
				}
			}
			if strings.HasPrefix(a, "iam:") {
				for _, r := range resources {
					if r != prefix+"iam::"+accountID+":role/cognito-go-api-*" {
						t.Errorf("%v: %s on %s, want only the stacks' roles", s["Sid"], a, r)
					}
				}
			}
			if a == "iam:PassRole" {
				passed := strs(mapAt(s, "Condition", "StringEquals")["iam:PassedToService"])
				if !reflect.DeepEqual(passed, []string{"lambda.amazonaws.com", "apigateway.amazonaws.com"}) {
					t.Errorf("iam:PassRole to %v, want Lambda and API Gateway only", passed)
				}
			}
			if a == "iam:AttachRolePolicy" && len(mapAt(s, "Condition", "ArnEquals")) == 0 {
				t.Errorf("%v: iam:AttachRolePolicy of any managed policy", s["Sid"])
			}
		}
		for _, r := range resources {
			if strings.Contains(r, ":ssm:") && r != prefix+"ssm:"+region+":"+accountID+":parameter/cognito-auth/example-auth/*" {
				t.Errorf("%v: SSM parameters %s, want the pool's /cognito-auth/example-auth/*", s["Sid"], r)
			}
		}
	}
	// Every service whose resources the application's templates declare.
	services := map[string]string{"Cognito": "cognito-idp", "CloudWatch": "cloudwatch", "WAFv2": "wafv2"}
	sources := map[string]map[string]string{rootTemplate: rootParams}
	maps.Copy(sources, nestedParams)
	for source, params := range sources {
		for _, r := range mapAt(templates.Translate(t, source, params), "Resources") {
			typ := fmt.Sprint(r.(map[string]any)["Type"])
			service, _, _ := strings.Cut(strings.TrimPrefix(typ, "AWS::"), "::")
			if iamPrefix, ok := services[service]; ok {
				service = iamPrefix
			}
			if typ != "AWS::CloudFormation::WaitConditionHandle" && !granted[strings.ToLower(service)] {
				t.Errorf("%s declares %s, and the deploy role has no %s action", source, typ, strings.ToLower(service))
			}
		}
	}
}

// The test-user role manages users of the one pool and reads its id, nothing else; without a pool id
// (before the first deploy) there is no such role.
func TestPipelineTestUserRoleIsLimitedToOnePool(t *testing.T) {
	st := deploy(t, pipelineTemplate, with(pipelineParams, "UserPoolId", "us-east-1_Pool1"), "github-deploy-identity")
	want := map[string][]string{
		"arn:aws:cognito-idp:" + region + ":" + accountID + ":userpool/us-east-1_Pool1": {
			"cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser", "cognito-idp:AdminSetUserPassword",
			"cognito-idp:DescribeUserPool", "cognito-idp:ListUsers"},
		"arn:aws:ssm:" + region + ":" + accountID + ":parameter/cognito-auth/example-auth/UserPoolId": {"ssm:GetParameter"},
	}
	got := map[string][]string{}
	for _, s := range rolePolicy(st.Resources["TestUserRole"]) {
		if s["Effect"] != "Allow" || s["Condition"] != nil {
			t.Errorf("statement %v", s)
		}
		for _, r := range strs(s["Resource"]) {
			got[r] = append(got[r], strs(s["Action"])...)
			slices.Sort(got[r])
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the test-user role may do\n%v\nwant\n%v", got, want)
	}
	if _, ok := deploy(t, pipelineTemplate, pipelineParams, "github-deploy-identity").Resources["TestUserRole"]; ok {
		t.Error("a test-user role without a pool to limit it to")
	}
}

// The deploy role may change stacks named "<StackName>-*": the pipeline stack, which holds the role's
// own permissions, must never be named that way.
func TestPipelineStackIsOutOfTheDeployRolesReach(t *testing.T) {
	cfg := loadSamconfig(t)
	name, _ := cfg.option("pipeline", "deploy", "stack_name").(string)
	app, _ := cfg.option("ci", "deploy", "stack_name").(string)
	if name == "" || app != "cognito-go-api" {
		t.Fatalf("samconfig.toml: pipeline stack %q, ci stack %q", name, app)
	}
	if name == app || strings.HasPrefix(name, app+"-") {
		t.Errorf("the pipeline stack %q is within the deploy role's stacks %s, %s-*", name, app, app)
	}
	if got := cfg.option("pipeline", "deploy", "template_file"); got != pipelineTemplate {
		t.Errorf("[pipeline] deploys %v, want %s", got, pipelineTemplate)
	}
	params := mapAt(templates.Translate(t, pipelineTemplate, pipelineParams), "Parameters")
	if def := mapAt(params, "StackName")["Default"]; def != app {
		t.Errorf("the pipeline stack's StackName defaults to %v, the workflow deploys %s", def, app)
	}
	// Its DomainPrefix names the SSM parameters the auth stack writes: the same values are valid.
	auth := mapAt(templates.Translate(t, authTemplate, rootParams), "Parameters", "DomainPrefix")["AllowedPattern"]
	if got := mapAt(params, "DomainPrefix")["AllowedPattern"]; got != auth {
		t.Errorf("DomainPrefix pattern %v, the auth stack's is %v", got, auth)
	}
}
