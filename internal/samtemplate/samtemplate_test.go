package samtemplate_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/samtemplate"
)

func TestAPIRoutes_FromTheAPIStackTemplate(t *testing.T) {
	tpl, err := samtemplate.Load("../../api-stack/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tpl.APIRoutes()
	if err != nil {
		t.Fatal(err)
	}
	want := []samtemplate.Route{
		{Method: "POST", Path: "/echo", FunctionID: "EchoFunction", Authorizer: "CognitoAuthorizer"},
		{Method: "POST", Path: "/login", FunctionID: "LoginFunction"},
		{Method: "POST", Path: "/login/new-password", FunctionID: "LoginFunction"},
		{Method: "POST", Path: "/logout", FunctionID: "LoginFunction"},
		{Method: "POST", Path: "/password/forgot", FunctionID: "LoginFunction"},
		{Method: "POST", Path: "/password/reset", FunctionID: "LoginFunction"},
		{Method: "POST", Path: "/refresh", FunctionID: "LoginFunction"},
		{Method: "POST", Path: "/signup", FunctionID: "LoginFunction"},
		{Method: "POST", Path: "/signup/resend", FunctionID: "LoginFunction"},
	}
	if !reflect.DeepEqual(routes, want) {
		t.Fatalf("routes\n got %+v\nwant %+v", routes, want)
	}
	authz := tpl.Authorizers()["CognitoAuthorizer"]
	if authz.Header != "Authorization" || !reflect.DeepEqual(authz.UserPoolArn, map[string]any{"Ref": "UserPoolArn"}) {
		t.Fatalf("authorizer %+v", authz)
	}
}

func TestFunctionEnvironment_MergesGlobalsAndResolvesRefs(t *testing.T) {
	tpl, err := samtemplate.Load("../../api-stack/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := tpl.NewResolver(map[string]string{"UserPoolId": "us-east-1_abc"}, nil)
	r.SetResource("UserPoolClient", "client123", nil)
	env, err := tpl.FunctionEnvironment("LoginFunction", r)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"USER_POOL_CLIENT_ID": "client123", "COGNITO_CALL_TIMEOUT": "5s", "CORS_ALLOW_ORIGIN": ""}
	if !reflect.DeepEqual(env, want) {
		t.Fatalf("env %v, want %v", env, want)
	}
	if got := tpl.FunctionTimeout("LoginFunction"); got != 10 {
		t.Fatalf("timeout %d", got)
	}
}

func TestResolve_Intrinsics(t *testing.T) {
	src := `
Parameters:
  Stage: {Type: String, Default: v1}
  Origin: {Type: String, Default: ""}
  Flag: {Type: String, Default: "true"}
Conditions:
  HasOrigin: !Not [!Equals [!Ref Origin, ""]]
  FlagOn: !Equals [!Ref Flag, "true"]
  Both: !And [!Condition FlagOn, !Condition HasOrigin]
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      Name: !Sub "${AWS::StackName}-users"
      Arn: !GetAtt Pool.Arn
      Long: !Sub ["${Pre}-${Stage}-${Pool.Arn}-${!Literal}", {Pre: x}]
      Admin: !If [FlagOn, false, true]
      Dropped: !If [HasOrigin, !Ref Origin, !Ref AWS::NoValue]
      List: [a, !Ref AWS::NoValue, !Join ["-", [b, !Ref Stage]]]
      Both: !Condition Both
      Pick: !Select [1, !Split [",", "p,q,r"]]
`
	tpl, err := samtemplate.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := tpl.NewResolver(nil, map[string]string{"AWS::StackName": "local"})
	r.SetResource("Pool", "us-east-1_x", map[string]string{"Arn": "arn:pool"})
	got, err := r.ResolveMap(tpl.Resources["Pool"].Properties)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Name": "local-users", "Arn": "arn:pool", "Long": "x-v1-arn:pool-${Literal}",
		"Admin": false, "List": []any{"a", "b-v1"}, "Both": false, "Pick": "q",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("resolved\n got %#v\nwant %#v", got, want)
	}
}

func TestResolve_ErrorsNameTheProblem(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown ref", "Resources: {R: {Type: X, Properties: {A: !Ref Missing}}}", "Ref Missing"},
		{"unsupported function", "Resources: {R: {Type: X, Properties: {A: !ImportValue other}}}", "Fn::ImportValue is not supported"},
		{"unknown attribute", "Resources: {R: {Type: X, Properties: {A: !GetAtt R.Nope}}}", "R.Nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := samtemplate.Parse([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			_, err = tpl.NewResolver(nil, nil).ResolveMap(tpl.Resources["R"].Properties)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestParse_RejectsUnknownTags(t *testing.T) {
	if _, err := samtemplate.Parse([]byte("A: !Bogus x\n")); err == nil || !strings.Contains(err.Error(), "!Bogus") {
		t.Fatalf("error %v", err)
	}
}
