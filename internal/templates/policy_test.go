package templates_test

import (
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/passwordpolicy"
	"github.com/example/cognito-sam-go/internal/templates"
)

// The login function checks new passwords against exactly the pool's policy: the auth stack outputs
// the policy its pool has, the root passes that output to the API stack, the API stack's default (for
// a stack deployed on its own) is the same, and the function's PASSWORD_POLICY is the parameter.
func TestLoginFunctionChecksThePoolsOwnPasswordPolicy(t *testing.T) {
	pool := templates.PoolPasswordPolicy(t)

	auth := deploy(t, authTemplate, rootParams, "cognito-go-auth")
	output, err := passwordpolicy.Parse(auth.Outputs["PasswordPolicy"])
	if err != nil || output != pool {
		t.Errorf("auth stack output PasswordPolicy %q (%v), want the pool's %+v", auth.Outputs["PasswordPolicy"], err, pool)
	}

	api := deploy(t, apiTemplate, apiParams, "cognito-go-api-only")
	fns := resources(asDoc(api), "AWS::Lambda::Function")
	env := mapAt(fns["LoginFunction"], "Properties", "Environment", "Variables")
	fromEnv, err := passwordpolicy.Parse(env["PASSWORD_POLICY"].(string))
	if err != nil || fromEnv != pool {
		t.Errorf("LoginFunction PASSWORD_POLICY %v (%v), want the pool's %+v", env["PASSWORD_POLICY"], err, pool)
	}

	doc := templates.Translate(t, rootTemplate, rootParams)
	authID, _ := nested(t, doc, authTemplate)
	apiID, _ := nested(t, doc, apiTemplate)
	root := deploy(t, rootTemplate, rootParams, "cognito-go-api")
	passed := mapAt(root.Resources[apiID].Properties, "Parameters")["PasswordPolicy"]
	if passed != authID+".PasswordPolicy" {
		t.Errorf("the root passes the API stack PasswordPolicy %v, want the auth stack's output %s.PasswordPolicy", passed, authID)
	}
}

// The sign-up floor holds within the function's timeout even after the longest Cognito call.
func TestSignUpFloorFitsTheFunctionsTimeout(t *testing.T) {
	api := deploy(t, apiTemplate, apiParams, "cognito-go-api-only")
	fn := mapAt(resources(asDoc(api), "AWS::Lambda::Function")["LoginFunction"], "Properties")
	env := mapAt(fn, "Environment", "Variables")
	floor, err1 := time.ParseDuration(env["SIGNUP_MIN_DURATION"].(string))
	call, err2 := time.ParseDuration(env["COGNITO_CALL_TIMEOUT"].(string))
	timeout, _ := fn["Timeout"].(float64)
	if err1 != nil || err2 != nil || floor <= 0 || max(floor, call) >= time.Duration(timeout)*time.Second {
		t.Errorf("SIGNUP_MIN_DURATION %v, COGNITO_CALL_TIMEOUT %v: want both set and each under the Timeout of %v s",
			env["SIGNUP_MIN_DURATION"], env["COGNITO_CALL_TIMEOUT"], timeout)
	}
}
