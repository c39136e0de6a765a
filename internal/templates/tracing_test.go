package templates_test

import (
	"reflect"
	"testing"
)

// X-Ray is off by default (it costs per trace); TracingEnabled=true traces the stage and every
// function, and gives each function's role the permission to send its segments (SAM adds it only to
// roles it creates, and these roles are the template's own).
func TestTracing_OffByDefaultOnEverywhereWhenEnabled(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params map[string]string
		mode   string
		stage  any
	}{
		{"default", apiParams, "PassThrough", false},
		{"TracingEnabled=true", with(apiParams, "TracingEnabled", "true"), "Active", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := deployedAPI(t, tc.params)
			_, stage := onlyDeployed(t, st, "AWS::ApiGateway::Stage")
			if got := stage.Properties["TracingEnabled"]; got != tc.stage {
				t.Errorf("stage TracingEnabled %v, want %v", got, tc.stage)
			}
			fns := 0
			for id, r := range st.Resources {
				if r.Type != "AWS::Lambda::Function" {
					continue
				}
				fns++
				if got := mapAt(r.Properties, "TracingConfig")["Mode"]; got != tc.mode {
					t.Errorf("%s TracingConfig.Mode %v, want %s", id, got, tc.mode)
				}
				var role string
				for roleID, rr := range st.Resources {
					if rr.Type == "AWS::IAM::Role" && arnOf(t, st, roleID) == r.Properties["Role"] {
						role = roleID
					}
				}
				policies, _ := st.Resources[role].Properties["ManagedPolicyArns"].([]any)
				want := []any(nil)
				if tc.mode == "Active" {
					want = []any{"arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"}
				}
				if !reflect.DeepEqual(policies, want) {
					t.Errorf("%s's role %s: managed policies %v, want %v", id, role, policies, want)
				}
			}
			if fns == 0 {
				t.Fatal("no function")
			}
		})
	}
}
