package ghactions_test

import (
	"regexp"
	"strings"
	"testing"
)

// boundaryOverride is a PermissionsBoundary=$VAR parameter override in a run: block.
var boundaryOverride = regexp.MustCompile(`PermissionsBoundary=\$\{?([A-Z_]+)\}?`)

// The deploy role creates roles only with the pipeline stack's permissions boundary
// (pipeline-stack/template.yaml): the deploy job passes it to sam deploy and to the pre-flight, from
// the repository variable, and stops first, saying so, when the variable is not set.
func TestDeployPassesThePermissionsBoundary(t *testing.T) {
	const variable = "${{ vars.AWS_PERMISSIONS_BOUNDARY_ARN }}"
	wf := loadWorkflow(t, "deploy.yml")
	deploys, preflights, checked := 0, 0, false
	for name, j := range wf.Jobs {
		if !j.assumes("AWS_DEPLOY_ROLE_ARN") {
			continue
		}
		for _, s := range j.Steps {
			if strings.Contains(s.Run, "AWS_PERMISSIONS_BOUNDARY_ARN") && strings.Contains(s.Run, "exit 1") {
				checked = true
			}
			isDeploy := strings.Contains(s.Run, "sam deploy")
			isPreflight := strings.Contains(s.Run, "deploy-preflight")
			if !isDeploy && !isPreflight {
				continue
			}
			m := boundaryOverride.FindStringSubmatch(s.Run)
			if m == nil || s.Env[m[1]] != variable {
				t.Errorf("%s: %q does not pass PermissionsBoundary from %s", name, s.Run, variable)
				continue
			}
			if isDeploy {
				deploys++
			} else {
				preflights++
			}
		}
	}
	if deploys == 0 || preflights == 0 {
		t.Errorf("%d sam deploy and %d pre-flight steps pass the boundary, want both", deploys, preflights)
	}
	if !checked {
		t.Error("no step of the deploy job stops when AWS_PERMISSIONS_BOUNDARY_ARN is not set")
	}
}
