package templates_test

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
	"github.com/example/cognito-sam-go/internal/templates"
)

// boundaryArn stands for the pipeline stack's PermissionsBoundaryArn output.
const boundaryArn = "arn:aws:iam::" + accountID + ":policy/github-deploy-identity-PermissionsBoundaryPolicy-1A2B3C"

// roleStacks are the root's nested templates that create roles (the deploy role creates them), with
// the parameters they need.
func roleStacks(t *testing.T) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for source, params := range nestedParams {
		if len(resources(templates.Translate(t, source, params), "AWS::IAM::Role")) > 0 {
			own := map[string]string{} // params may be nil, and tests add to their copy
			maps.Copy(own, params)
			out[source] = own
		}
	}
	if out[apiTemplate] == nil || out[accountTemplate] == nil {
		t.Fatalf("roles found in %v only: the API and account stacks create roles", slices.Collect(maps.Keys(out)))
	}
	return out
}

// probeFunction is a function with no role of its own, so that SAM generates one: what a new function
// written the short way would get.
const probeFunction = `  ProbeFunction:
    Type: AWS::Serverless::Function
    Properties:
      Description: a function whose role SAM generates
`

// withProbeFunction is the API template with probeFunction added, written to a scratch file.
func withProbeFunction(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(templates.Root(t), apiTemplate))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "\nResources:\n", "\nResources:\n"+probeFunction, 1)
	if text == string(src) {
		t.Fatal(apiTemplate + " has no Resources section to add a function to")
	}
	path := filepath.Join(t.TempDir(), "api-with-probe.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// roles are the deployed stack's IAM roles by logical id.
func roles(st *cloudformation.Stack) map[string]cloudformation.Deployed {
	out := map[string]cloudformation.Deployed{}
	for id, r := range st.Resources {
		if r.Type == "AWS::IAM::Role" {
			out[id] = r
		}
	}
	return out
}

// Every role the API and account stacks create, the functions' own and any SAM generates (Globals),
// carries the boundary when PermissionsBoundary is set, and none carries one when it is empty (a
// deploy without the pipeline stack). The root passes the parameter to every nested stack that
// creates roles.
func TestStackRolesCarryThePermissionsBoundary(t *testing.T) {
	sources := roleStacks(t)
	sources[withProbeFunction(t)] = apiParams
	for source, params := range sources {
		for _, boundary := range []string{boundaryArn, ""} {
			st := deploy(t, source, with(params, "PermissionsBoundary", boundary), "cognito-go-api-X")
			for id, r := range roles(st) {
				got, set := r.Properties["PermissionsBoundary"]
				if boundary != "" && got != boundary {
					t.Errorf("%s: role %s has the boundary %v, want %s", source, id, got, boundary)
				}
				if boundary == "" && set {
					t.Errorf("%s: role %s has the boundary %v with PermissionsBoundary empty", source, id, got)
				}
			}
		}
	}
	if _, ok := roles(deploy(t, withProbeFunction(t), apiParams, "cognito-go-api-X"))["ProbeFunctionRole"]; !ok {
		t.Fatal("SAM generated no role for the probe function: the Globals check above checked nothing")
	}

	doc := templates.Translate(t, rootTemplate, with(rootParams, "PermissionsBoundary", boundaryArn))
	for _, source := range []string{authTemplate, apiTemplate, accountTemplate} {
		if len(resources(templates.Translate(t, source, nestedParams[source]), "AWS::IAM::Role")) == 0 {
			continue
		}
		id, stack := nested(t, doc, source)
		if ref := mapAt(stack, "Properties", "Parameters", "PermissionsBoundary")["Ref"]; ref != "PermissionsBoundary" {
			t.Errorf("the root passes %s (%s) PermissionsBoundary %v, want its own parameter", id, source, ref)
		}
	}
}

// widening reports whether an IAM action can give a role more rights than it has.
func widening(action string) bool {
	name := strings.TrimPrefix(strings.ToLower(action), "iam:")
	if name == strings.ToLower(action) {
		return false
	}
	for _, verb := range []string{"create", "put", "attach", "add", "set"} {
		if strings.HasPrefix(name, verb) {
			return true
		}
	}
	return false
}

// The deploy role creates a role, or gives it a policy, only with the boundary set; it cannot change
// or delete the boundary policy nor take a role's boundary away (explicit denies, as the IAM User
// Guide's "Delegating responsibility to others using permissions boundaries" example does).
func TestDeployRoleWritesRolesOnlyWithTheBoundary(t *testing.T) {
	st := deploy(t, pipelineTemplate, pipelineParams, "github-deploy-identity")
	boundary, err := st.Resolver.Resolve(map[string]any{"Ref": "PermissionsBoundaryPolicy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Resources["PermissionsBoundaryPolicy"]; !ok || st.Resources["PermissionsBoundaryPolicy"].Type != "AWS::IAM::ManagedPolicy" {
		t.Fatal("the pipeline stack has no PermissionsBoundaryPolicy managed policy")
	}
	conditioned := map[string]bool{}
	denied := map[string][]string{}
	for _, s := range rolePolicy(st.Resources["DeployRole"]) {
		actions, resources := strs(s["Action"]), strs(s["Resource"])
		if s["Effect"] == "Deny" {
			for _, a := range actions {
				denied[a] = resources
			}
			continue
		}
		for _, a := range actions {
			if !widening(a) {
				continue
			}
			got := strs(mapAt(s, "Condition", "StringEquals")["iam:PermissionsBoundary"])
			if len(got) != 1 || got[0] != boundary {
				t.Errorf("%v: %s with iam:PermissionsBoundary %v, want only %v", s["Sid"], a, got, boundary)
			}
			conditioned[a] = true
		}
		if slices.Contains(actions, "iam:DeleteRolePermissionsBoundary") {
			t.Errorf("%v allows iam:DeleteRolePermissionsBoundary", s["Sid"])
		}
	}
	for _, a := range []string{"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"} {
		if !conditioned[a] {
			t.Errorf("the deploy role cannot %s with the boundary: the application stacks would not deploy", a)
		}
	}
	for _, a := range []string{"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"} {
		if !slices.Contains(denied[a], boundary.(string)) {
			t.Errorf("%s on the boundary policy is not denied (denied on %v)", a, denied[a])
		}
	}
	if !slices.Equal(denied["iam:DeleteRolePermissionsBoundary"], []string{"*"}) {
		t.Errorf("iam:DeleteRolePermissionsBoundary denied on %v, want every role", denied["iam:DeleteRolePermissionsBoundary"])
	}
	if got := st.Outputs["PermissionsBoundaryArn"]; got != boundary {
		t.Errorf("output PermissionsBoundaryArn %q, want the boundary policy %v", got, boundary)
	}
}

// managedPolicyActions are the actions of the AWS managed policies the stacks' roles attach, from the
// AWS Managed Policy Reference (AmazonAPIGatewayPushToCloudWatchLogs, version v1).
var managedPolicyActions = map[string][]string{
	"arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs": {
		"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
		"logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"},
}

// roleActions are the actions every role of the stacks is allowed by its inline and managed policies.
func roleActions(t *testing.T) map[string]string {
	t.Helper()
	used := map[string]string{}
	for source, params := range roleStacks(t) {
		st := deploy(t, source, params, "cognito-go-api-X")
		for id, r := range roles(st) {
			for _, s := range rolePolicy(r) {
				if s["Effect"] != "Allow" {
					continue
				}
				for _, a := range strs(s["Action"]) {
					used[strings.ToLower(a)] = source + " " + id
				}
			}
			for _, arn := range strs(r.Properties["ManagedPolicyArns"]) {
				actions, ok := managedPolicyActions[arn]
				if !ok {
					t.Fatalf("%s: role %s attaches %s: add its actions to managedPolicyActions", source, id, arn)
				}
				for _, a := range actions {
					used[strings.ToLower(a)] = source + " " + id + " (" + arn + ")"
				}
			}
		}
	}
	return used
}

// cognitoCall is a call of the AWS SDK's Cognito user pools client.
var cognitoCall = regexp.MustCompile(`cognitoidentityprovider\.([A-Za-z]+)Input\{`)

// functionCognitoCalls are the Cognito operations the deployed functions' code calls: every package of
// this module that functions/... builds from.
func functionCognitoCalls(t *testing.T) map[string]bool {
	t.Helper()
	root := templates.Root(t)
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", "./functions/...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list the functions' packages: %v", err)
	}
	calls := map[string]bool{}
	for _, dir := range strings.Fields(string(out)) {
		if !strings.HasPrefix(dir, root+string(filepath.Separator)) {
			continue // a dependency outside the module
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range cognitoCall.FindAllStringSubmatch(string(src), -1) {
				calls["cognito-idp:"+strings.ToLower(m[1])] = true
			}
		}
	}
	if len(calls) == 0 {
		t.Fatal("the functions call no Cognito operation: the scan found nothing")
	}
	return calls
}

// boundaryStatements are the pipeline stack's boundary policy statements, deployed.
func boundaryStatements(t *testing.T) []map[string]any {
	t.Helper()
	st := deploy(t, pipelineTemplate, pipelineParams, "github-deploy-identity")
	return statements(st.Resources["PermissionsBoundaryPolicy"].Properties["PolicyDocument"])
}

// Only the X-Ray actions Lambda's active tracing needs (AWSXRayDaemonWriteAccess) are in the boundary
// without a role using them yet, and only they and logs:DescribeLogGroups take "*", since IAM
// authorises them on no resource (Service Authorization Reference).
var boundaryReserve = []string{"xray:puttracesegments", "xray:puttelemetryrecords"}

var boundaryWithoutResources = []string{"logs:describeloggroups", "xray:puttracesegments", "xray:puttelemetryrecords"}

// The boundary allows every action the stacks' roles are given (inline and managed policies, read from
// the translated templates, so a new function's policy is checked too) and every Cognito call the
// functions make, and nothing else: no wildcard, no IAM or STS action, resources in this account and
// region.
func TestPermissionsBoundaryAllowsWhatTheFunctionsUseAndNoMore(t *testing.T) {
	used := roleActions(t)
	calls := functionCognitoCalls(t)
	allowed := map[string]bool{}
	for _, s := range boundaryStatements(t) {
		if s["Effect"] != "Allow" || s["NotAction"] != nil || s["NotResource"] != nil || s["Condition"] != nil {
			t.Errorf("boundary statement %v: want plain Allow statements", s["Sid"])
		}
		resources := strs(s["Resource"])
		for _, a := range strs(s["Action"]) {
			a = strings.ToLower(a)
			allowed[a] = true
			service, _, _ := strings.Cut(a, ":")
			if strings.ContainsAny(a, "*?") || slices.Contains([]string{"iam", "sts", "organizations"}, service) {
				t.Errorf("%v: the boundary allows %s", s["Sid"], a)
			}
			for _, r := range resources {
				if r == "*" && !slices.Contains(boundaryWithoutResources, a) {
					t.Errorf("%v: %s on every resource", s["Sid"], a)
				}
				if r != "*" && !strings.HasPrefix(r, "arn:aws:"+service+":"+region+":"+accountID+":") {
					t.Errorf("%v: %s on %s, outside this account and region", s["Sid"], a, r)
				}
			}
			if _, ok := used[a]; !ok && !calls[a] && !slices.Contains(boundaryReserve, a) {
				t.Errorf("%v: the boundary allows %s, which no role of the stacks uses and no function calls", s["Sid"], a)
			}
		}
	}
	for a, who := range used {
		if !allowed[a] {
			t.Errorf("%s is allowed %s, which the boundary denies", who, a)
		}
	}
	for a := range calls {
		if !allowed[a] {
			t.Errorf("the functions call %s, which the boundary denies", a)
		}
	}
}
