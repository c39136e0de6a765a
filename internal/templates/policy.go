package templates

import (
	"testing"

	"github.com/example/cognito-sam-go/internal/passwordpolicy"
)

// AuthTemplate is the auth stack's template, which creates the user pool.
const AuthTemplate = "auth-stack/template.yaml"

// PoolPasswordPolicy is the password policy the auth stack gives its user pool, read from the
// translated template: the oracle for every test of password rules.
func PoolPasswordPolicy(t testing.TB) passwordpolicy.Policy {
	t.Helper()
	doc := Translate(t, AuthTemplate, map[string]string{"DomainPrefix": "policy-oracle"})
	resources, _ := doc["Resources"].(map[string]any)
	var pools []map[string]any
	for _, r := range resources {
		if res, _ := r.(map[string]any); res["Type"] == "AWS::Cognito::UserPool" {
			props, _ := res["Properties"].(map[string]any)
			pools = append(pools, props)
		}
	}
	if len(pools) != 1 {
		t.Fatalf("%s: want one user pool, found %d", AuthTemplate, len(pools))
	}
	p, err := passwordpolicy.FromPool(pools[0])
	if err != nil {
		t.Fatalf("%s: %v", AuthTemplate, err)
	}
	return p
}
