package samtemplate_test

import (
	"reflect"
	"strings"
	"testing"

	"os"

	"github.com/example/cognito-sam-go/internal/samtemplate"
	"go.yaml.in/yaml/v3"
)

// raw loads a template as plain YAML to read resource attributes (DeletionPolicy) that Template
// does not model.
func raw(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	// Tags such as !Ref decode as their plain values here; only literal attributes are read.
	if err := n.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestAuthStack_PoolIsTheDesignedOneAndCannotBeLostByAccident(t *testing.T) {
	tpl, err := samtemplate.Load("../../auth-stack/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pool := tpl.Resources["UserPool"].Properties
	checks := map[string][2]any{
		"email is the username":  {get(pool, "UsernameAttributes"), []any{"email"}},
		"email auto-verified":    {get(pool, "AutoVerifiedAttributes"), []any{"email"}},
		"confirmation by link":   {get(pool, "VerificationMessageTemplate", "DefaultEmailOption"), "CONFIRM_WITH_LINK"},
		"Cognito's email sender": {get(pool, "EmailConfiguration", "EmailSendingAccount"), "COGNITO_DEFAULT"},
		"deletion protection":    {get(pool, "DeletionProtection"), map[string]any{"Ref": "DeletionProtection"}},
		"recovery by email only": {get(pool, "AccountRecoverySetting", "RecoveryMechanisms"), []any{map[string]any{"Name": "verified_email", "Priority": 1}}},
		"password length 12+":    {get(pool, "Policies", "PasswordPolicy", "MinimumLength"), 12},
		"protection on":          {tpl.Parameters["DeletionProtection"].Default, "ACTIVE"},
		"domain for the links":   {tpl.Resources["UserPoolDomain"].Type, "AWS::Cognito::UserPoolDomain"},
	}
	for name, c := range checks {
		if !reflect.DeepEqual(c[0], c[1]) {
			t.Errorf("%s: got %#v, want %#v", name, c[0], c[1])
		}
	}
	r := raw(t, "../../auth-stack/template.yaml")
	for _, attr := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
		if got := get(r, "Resources", "UserPool", attr); got != "Retain" {
			t.Errorf("UserPool %s = %v, want Retain", attr, got)
		}
	}
	for _, out := range []string{"UserPoolId", "UserPoolArn"} {
		if _, ok := tpl.Outputs[out]; !ok {
			t.Errorf("no output %s", out)
		}
	}
}

func TestAPIStack_SafeDefaults(t *testing.T) {
	tpl, err := samtemplate.Load("../../api-stack/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	client := tpl.Resources["UserPoolClient"].Properties
	api := tpl.Resources["Api"].Properties
	checks := map[string][2]any{
		"no client secret":            {get(client, "GenerateSecret"), false},
		"only password and refresh":   {get(client, "ExplicitAuthFlows"), []any{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}},
		"Cognito only":                {get(client, "SupportedIdentityProviders"), []any{"COGNITO"}},
		"no user existence errors":    {get(client, "PreventUserExistenceErrors"), "ENABLED"},
		"revocable refresh tokens":    {get(client, "EnableTokenRevocation"), true},
		"no OAuth flows":              {get(client, "AllowedOAuthFlows"), nil},
		"pool authorizer by default":  {get(api, "Auth", "DefaultAuthorizer"), "CognitoAuthorizer"},
		"authorizer without scopes":   {get(api, "Auth", "Authorizers", "CognitoAuthorizer", "AuthorizationScopes"), nil},
		"CORS off by default":         {tpl.Parameters["CorsAllowOrigin"].Default, ""},
		"arm64":                       {get(tpl.Globals, "Function", "Architectures"), []any{"arm64"}},
		"provided.al2023":             {get(tpl.Globals, "Function", "Runtime"), "provided.al2023"},
		"client id from the template": {get(tpl.Resources["LoginFunction"].Properties, "Environment", "Variables", "USER_POOL_CLIENT_ID"), map[string]any{"Ref": "UserPoolClient"}},
		"access log destination":      {get(api, "AccessLogSetting", "DestinationArn"), map[string]any{"Fn::GetAtt": []any{"ApiAccessLogGroup", "Arn"}}},
		"stage throttling first":      {get(api, "MethodSettings").([]any)[0].(map[string]any)["ResourcePath"], "/*"},
	}
	for name, c := range checks {
		if !reflect.DeepEqual(c[0], c[1]) {
			t.Errorf("%s: got %#v, want %#v", name, c[0], c[1])
		}
	}
	// Every public route has a tighter throttle than the stage.
	throttled := map[string]bool{}
	for _, s := range get(api, "MethodSettings").([]any) {
		throttled[get(s, "ResourcePath").(string)] = true
	}
	routes, err := tpl.APIRoutes()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		encoded := "/" + strings.ReplaceAll(r.Path, "/", "~1")
		if r.Public() && !throttled[encoded] {
			t.Errorf("public route %s has no MethodSettings throttle (%s)", r.Path, encoded)
		}
	}
	for _, gr := range []string{"UNAUTHORIZED", "EXPIRED_TOKEN", "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN", "THROTTLED"} {
		if get(api, "GatewayResponses", gr, "ResponseTemplates", "application/json") == nil {
			t.Errorf("no JSON gateway response for %s", gr)
		}
	}
	// Functions: JSON logs to a group with retention, bounded timeout, a role that can only write logs.
	for _, fn := range []string{"LoginFunction", "EchoFunction"} {
		props := tpl.Resources[fn].Properties
		if get(props, "LoggingConfig", "LogFormat") != "JSON" {
			t.Errorf("%s LoggingConfig %v", fn, get(props, "LoggingConfig"))
		}
		if get(tpl.Resources[fn].Metadata, "BuildMethod") != "makefile" {
			t.Errorf("%s is not built by the Makefile", fn)
		}
		group := get(props, "LoggingConfig", "LogGroup").(map[string]any)["Ref"].(string)
		if get(tpl.Resources[group].Properties, "RetentionInDays") == nil {
			t.Errorf("%s log group %s has no retention", fn, group)
		}
		role := get(props, "Role").(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
		for _, p := range get(tpl.Resources[role].Properties, "Policies").([]any) {
			for _, st := range get(p, "PolicyDocument", "Statement").([]any) {
				for _, action := range get(st, "Action").([]any) {
					if a := action.(string); strings.Contains(a, "*") || !strings.HasPrefix(a, "logs:") {
						t.Errorf("%s role allows %s", fn, a)
					}
				}
				if res := get(st, "Resource"); res == "*" {
					t.Errorf("%s role statement on every resource", fn)
				}
			}
		}
	}
	if n, _ := get(tpl.Globals, "Function", "Timeout").(int); n <= 0 || n > 29 {
		t.Errorf("function timeout %d must be bounded under API Gateway's 29 s", n)
	}
}

func TestRootTemplate_NestsBothStacksAndOutputsTheContractKeys(t *testing.T) {
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for id, loc := range map[string]string{"Auth": "auth-stack/template.yaml", "Api": "api-stack/template.yaml"} {
		r := tpl.Resources[id]
		if r.Type != "AWS::Serverless::Application" || get(r.Properties, "Location") != loc {
			t.Errorf("%s: %s at %v", id, r.Type, get(r.Properties, "Location"))
		}
	}
	for _, key := range []string{"ApiUrl", "UserPoolId", "UserPoolArn", "UserPoolClientId", "CognitoUrl", "Region"} {
		if _, ok := tpl.Outputs[key]; !ok {
			t.Errorf("root template has no output %s", key)
		}
	}
}
