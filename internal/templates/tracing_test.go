package templates_test

import (
	"reflect"
	"strings"
	"testing"
)

// X-Ray is off by default (it costs per trace); TracingEnabled=true traces the stage and every
// function, and lets each function's role send its segments (SAM grants that only to roles it
// creates, and these roles are the template's own), inline: the deploy role attaches no managed policy.
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
				if _, ok := st.Resources[role].Properties["ManagedPolicyArns"]; ok {
					t.Errorf("%s's role %s has managed policies; the deploy role may not attach them", id, role)
				}
				var traces []string
				for _, p := range st.Resources[role].Properties["Policies"].([]any) {
					for _, stmt := range mapAt(p.(map[string]any), "PolicyDocument")["Statement"].([]any) {
						for _, a := range stmt.(map[string]any)["Action"].([]any) {
							if s, _ := a.(string); strings.HasPrefix(s, "xray:") {
								traces = append(traces, s)
							}
						}
					}
				}
				var want []string
				if tc.mode == "Active" {
					want = []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
				}
				if !reflect.DeepEqual(traces, want) {
					t.Errorf("%s's role %s: X-Ray actions %v, want %v", id, role, traces, want)
				}
			}
			if fns == 0 {
				t.Fatal("no function")
			}
		})
	}
}
