package templates

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/example/cognito-sam-go/internal/passwordpolicy"
)

// AuthTemplate is the auth stack's template, which creates the user pool.
const AuthTemplate = "auth-stack/template.yaml"

// PoolPasswordPolicy is the password policy the auth stack gives its user pool, read from the
// translated template: the oracle for every test of password rules. TemporaryPasswordValidityDays is
// left out (it is about temporary passwords' age, not a password's text); any other field the
// template adds fails the test, so that a new rule is not silently ignored.
func PoolPasswordPolicy(t testing.TB) passwordpolicy.Policy {
	t.Helper()
	doc := Translate(t, AuthTemplate, map[string]string{"DomainPrefix": "policy-oracle"})
	resources, _ := doc["Resources"].(map[string]any)
	var found []map[string]any
	for _, r := range resources {
		res, _ := r.(map[string]any)
		if res["Type"] != "AWS::Cognito::UserPool" {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		policies, _ := props["Policies"].(map[string]any)
		pp, _ := policies["PasswordPolicy"].(map[string]any)
		found = append(found, pp)
	}
	if len(found) != 1 || found[0] == nil {
		t.Fatalf("%s: want one user pool with Policies.PasswordPolicy, found %d", AuthTemplate, len(found))
	}
	text := maps.Clone(found[0])
	delete(text, "TemporaryPasswordValidityDays")
	raw, err := json.Marshal(text)
	if err != nil {
		t.Fatal(err)
	}
	p, err := passwordpolicy.Parse(string(raw))
	if err != nil {
		t.Fatalf("%s: the pool's PasswordPolicy: %v", AuthTemplate, err)
	}
	return p
}
