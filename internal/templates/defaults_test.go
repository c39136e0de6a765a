package templates_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
	"github.com/example/cognito-sam-go/internal/templates"
)

type check struct {
	name      string
	got, want any
}

func checkAll(t *testing.T, checks []check) {
	t.Helper()
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

// The pool holds every account: it is the designed one (email username confirmed by link, Cognito's
// sender, recovery by email) and neither a stack deletion, a replacement nor a stray DeleteUserPool
// removes it with the parameters' defaults.
func TestAuthStack_PoolIsTheDesignedOneAndCannotBeLostByAccident(t *testing.T) {
	st := deploy(t, authTemplate, rootParams, "cognito-go-auth")
	poolID, raw := only(t, templates.Translate(t, authTemplate, rootParams), "AWS::Cognito::UserPool")
	pool := st.Resources[poolID].Properties
	_, domain := only(t, asDoc(st), "AWS::Cognito::UserPoolDomain")
	checkAll(t, []check{
		{"email is the username", pool["UsernameAttributes"], []any{"email"}},
		{"email auto-verified", pool["AutoVerifiedAttributes"], []any{"email"}},
		{"confirmation by link", mapAt(pool, "VerificationMessageTemplate")["DefaultEmailOption"], "CONFIRM_WITH_LINK"},
		{"Cognito's email sender", mapAt(pool, "EmailConfiguration")["EmailSendingAccount"], "COGNITO_DEFAULT"},
		{"deletion protection by default", pool["DeletionProtection"], "ACTIVE"},
		{"recovery by verified email only", mapAt(pool, "AccountRecoverySetting")["RecoveryMechanisms"],
			[]any{map[string]any{"Name": "verified_email", "Priority": float64(1)}}},
		// Kept on every operation but a rollback of the one that created it, when it is new and empty:
		// Retain kept one orphan per failed first deploy (the DeletionPolicy attribute's documentation).
		{"retained unless its creation rolls back", raw["DeletionPolicy"], "RetainExceptOnCreate"},
		{"retained when the stack replaces it", raw["UpdateReplacePolicy"], "Retain"},
		{"the links' domain", mapAt(domain, "Properties"), map[string]any{"Domain": rootParams["DomainPrefix"], "UserPoolId": st.Resources[poolID].Ref}},
		{"output UserPoolId", st.Outputs["UserPoolId"], st.Resources[poolID].Ref},
		{"output UserPoolArn", st.Outputs["UserPoolArn"], arnOf(t, st, poolID)},
	})
	if n, _ := mapAt(pool, "Policies", "PasswordPolicy")["MinimumLength"].(float64); n < 12 {
		t.Errorf("password MinimumLength %v, want 12 or more", n)
	}
}

// The API's client, authorizer and functions are safe as deployed with the parameters' defaults.
// CORS off by default, the gateway responses and the public routes' throttling have their own tests.
func TestAPIStack_SafeDefaults(t *testing.T) {
	st := deploy(t, apiTemplate, apiParams, "cognito-go-api-only")
	doc := asDoc(st)
	clientID, client := only(t, doc, "AWS::Cognito::UserPoolClient")
	props := mapAt(client, "Properties")
	checkAll(t, []check{
		{"the pool of the parameter", props["UserPoolId"], apiParams["UserPoolId"]},
		{"no client secret", props["GenerateSecret"], false},
		{"only password and refresh", props["ExplicitAuthFlows"], []any{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}},
		{"Cognito only", props["SupportedIdentityProviders"], []any{"COGNITO"}},
		{"no user existence errors", props["PreventUserExistenceErrors"], "ENABLED"},
		{"revocable refresh tokens", props["EnableTokenRevocation"], true},
		{"no OAuth flows", props["AllowedOAuthFlows"], nil},
	})

	// The pool's authorizer guards every route not declared public, with no scopes: API Gateway then
	// takes the ID token.
	scheme := mapAt(body(t, doc), "components", "securitySchemes", "CognitoAuthorizer")
	checkAll(t, []check{
		{"authorizer type", mapAt(scheme, "x-amazon-apigateway-authorizer")["type"], "cognito_user_pools"},
		{"authorizer pool", mapAt(scheme, "x-amazon-apigateway-authorizer")["providerARNs"], []any{apiParams["UserPoolArn"]}},
		{"token header", scheme["name"], "Authorization"},
	})
	guarded := 0
	for path, item := range mapAt(body(t, doc), "paths") {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			op, _ := op.(map[string]any)
			security := op["security"]
			if reflect.DeepEqual(security, []any{map[string]any{"NONE": []any{}}}) {
				continue
			}
			guarded++
			if !reflect.DeepEqual(security, []any{map[string]any{"CognitoAuthorizer": []any{}}}) {
				t.Errorf("%s %s: security %v, want the pool's authorizer without scopes", method, path, security)
			}
		}
	}
	if public := templates.Routes(doc); guarded == 0 || public["POST /echo"] {
		t.Errorf("%d routes guarded, POST /echo public: %v; want the authorizer by default", guarded, public["POST /echo"])
	}

	_, stage := only(t, doc, "AWS::ApiGateway::Stage")
	logGroup(t, st, "access logs", mapAt(stage, "Properties", "AccessLogSetting")["DestinationArn"], true)
	fns := resources(doc, "AWS::Lambda::Function")
	if len(fns) == 0 {
		t.Fatal("no functions")
	}
	for id, fn := range fns {
		p := mapAt(fn, "Properties")
		checkAll(t, []check{
			{id + " arm64", p["Architectures"], []any{"arm64"}},
			{id + " runtime", p["Runtime"], "provided.al2023"},
			{id + " built by the Makefile", mapAt(fn, "Metadata")["BuildMethod"], "makefile"},
		})
		// Bounded well under API Gateway's 29 s integration timeout.
		if n, _ := p["Timeout"].(float64); n <= 0 || n >= 29 {
			t.Errorf("%s: Timeout %v, want 1-28 s", id, p["Timeout"])
		}
		group := logGroup(t, st, id, mapAt(p, "LoggingConfig")["LogGroup"], false)
		writesOnlyItsLogs(t, st, id, p["Role"], group)
	}
	if got := mapAt(fns["LoginFunction"], "Properties", "Environment", "Variables")["USER_POOL_CLIENT_ID"]; got != st.Resources[clientID].Ref {
		t.Errorf("LoginFunction USER_POOL_CLIENT_ID %v, want the stack's client %s", got, st.Resources[clientID].Ref)
	}
}

// logGroup is the stack's log group that v names, by Arn or else by name (its Ref); the test fails
// when there is none or it keeps logs forever (no RetentionInDays).
func logGroup(t *testing.T, st *cloudformation.Stack, what string, v any, byArn bool) string {
	t.Helper()
	for id, r := range st.Resources {
		if r.Type != "AWS::Logs::LogGroup" || byArn && v != arnOf(t, st, id) || !byArn && v != r.Ref {
			continue
		}
		if r.Properties["RetentionInDays"] == nil {
			t.Errorf("%s: log group %s keeps logs forever (no RetentionInDays)", what, id)
		}
		return id
	}
	t.Errorf("%s: %v names no log group of the stack (LoggingConfig.LogGroup: !Ref <its log group>)", what, v)
	return ""
}

// writesOnlyItsLogs fails unless roleArn is a role of the stack that may only write to group: no
// managed policies, and every statement allows named logs: actions on group's Arn alone.
func writesOnlyItsLogs(t *testing.T, st *cloudformation.Stack, fn string, roleArn any, group string) {
	t.Helper()
	for id, r := range st.Resources {
		if r.Type != "AWS::IAM::Role" || arnOf(t, st, id) != roleArn {
			continue
		}
		if m := r.Properties["ManagedPolicyArns"]; m != nil {
			t.Errorf("%s: role %s has managed policies %v", fn, id, m)
		}
		statements := 0
		for _, p := range listAt(r.Properties, "Policies") {
			p, _ := p.(map[string]any)
			for _, s := range listAt(mapAt(p, "PolicyDocument"), "Statement") {
				statements++
				stmt, _ := s.(map[string]any)
				groupArn := arnOf(t, st, group)
				actions, ok := stmt["Action"].([]any)
				if !ok {
					actions = []any{stmt["Action"]}
				}
				for _, a := range actions {
					if a, _ := a.(string); !strings.HasPrefix(a, "logs:") || strings.Contains(a, "*") {
						t.Errorf("%s: role %s allows %v", fn, id, a)
					}
				}
				if stmt["Effect"] != "Allow" || stmt["Resource"] != groupArn {
					t.Errorf("%s: role %s: %v on %v, want Allow on its own log group %v", fn, id, stmt["Effect"], stmt["Resource"], groupArn)
				}
			}
		}
		if statements == 0 {
			t.Errorf("%s: role %s has no inline policy statement letting it write its own log group (Policies)", fn, id)
		}
		return
	}
	t.Errorf("%s: Role %v is no role of the stack: give the function its own role that may only write its log group", fn, roleArn)
}

// Deployed with only DomainPrefix, the root nests the auth and API stacks with the safe defaults
// (deletion protection, CORS off) and outputs the contract's keys from the nested stacks' outputs.
// The account stack has its own test.
func TestRootTemplate_NestsBothStacksAndOutputsTheContractKeys(t *testing.T) {
	doc := templates.Translate(t, rootTemplate, rootParams)
	authID, _ := nested(t, doc, authTemplate)
	apiID, _ := nested(t, doc, apiTemplate)
	st := deploy(t, rootTemplate, rootParams, "cognito-go-api")
	auth := mapAt(st.Resources[authID].Properties, "Parameters")
	api := mapAt(st.Resources[apiID].Properties, "Parameters")
	checkAll(t, []check{
		{"auth DomainPrefix", auth["DomainPrefix"], rootParams["DomainPrefix"]},
		{"auth DeletionProtection", auth["DeletionProtection"], "ACTIVE"},
		{"api UserPoolId", api["UserPoolId"], authID + ".UserPoolId"},
		{"api UserPoolArn", api["UserPoolArn"], authID + ".UserPoolArn"},
		{"api CORS off", api["CorsAllowOrigin"], ""},
		{"outputs", st.Outputs, map[string]string{
			"ApiUrl":           apiID + ".ApiUrl",
			"UserPoolId":       authID + ".UserPoolId",
			"UserPoolArn":      authID + ".UserPoolArn",
			"UserPoolClientId": apiID + ".UserPoolClientId",
			"CognitoUrl":       "https://cognito-idp." + region + ".amazonaws.com",
			"Region":           region,
		}},
	})
}
