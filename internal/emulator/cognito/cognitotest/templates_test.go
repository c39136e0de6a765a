package cognitotest_test

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

// properties is the Properties of a template's resource, JSON-normalised (intrinsics such as !Ref read
// as their argument, which the comparison skips).
func properties(t *testing.T, path, resource string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]struct {
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(raw, &tpl); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	r, ok := tpl.Resources[resource]
	if !ok {
		t.Fatalf("%s has no resource %s", path, resource)
	}
	return normalise(t, r.Properties)
}

func normalise(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// prune drops the SDK input's unset members (null, and objects left empty), recursively.
func prune(m map[string]any) map[string]any {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			m[k] = prune(sub)
			v = m[k]
		}
		if sub, ok := v.(map[string]any); v == nil || (ok && len(sub) == 0) {
			delete(m, k)
		}
	}
	return m
}

func zero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case float64:
		return x == 0
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// equal compares a template value with the input's: objects member by member, where a member only the
// input has must be unset (the SDK's zero values).
func equal(want, got any) bool {
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if !wok || !gok {
		return reflect.DeepEqual(want, got)
	}
	for k, w := range wm {
		if !equal(w, gm[k]) {
			return false
		}
	}
	for k, g := range gm {
		if _, ok := wm[k]; !ok && !zero(g) {
			return false
		}
	}
	return true
}

// compare checks that the API input sets every property the template sets, to the same value, and
// sets nothing the template does not: the emulation's test pool is the stack's pool.
func compare(t *testing.T, template, input map[string]any, skip ...string) {
	t.Helper()
	skipped := map[string]bool{}
	for _, k := range skip {
		skipped[k] = true
	}
	for k, want := range template {
		if skipped[k] {
			continue
		}
		if got := input[k]; !equal(want, got) {
			t.Errorf("%s: template %v, cognitotest %v", k, want, got)
		}
	}
	for k, got := range input {
		if _, inTemplate := template[k]; !inTemplate && !skipped[k] && !zero(got) {
			t.Errorf("%s: cognitotest sets %v, the template nothing", k, got)
		}
	}
}

func TestPoolInputIsTheAuthStacksUserPool(t *testing.T) {
	// The name comes from the stack; DeletionProtection is a parameter (off here, so tests can delete).
	// AdminCreateUserConfig is !If [SelfSignUp, false, true]: with AllowSelfSignUp's default, false.
	props := properties(t, "../../../../auth-stack/template.yaml", "UserPool")
	if got := props["AdminCreateUserConfig"]; !reflect.DeepEqual(got, map[string]any{"AllowAdminCreateUserOnly": []any{"SelfSignUp", false, true}}) {
		t.Fatalf("AdminCreateUserConfig is %v: update PoolInput and this test", got)
	}
	props["AdminCreateUserConfig"] = map[string]any{"AllowAdminCreateUserOnly": false}
	// EmailConfiguration names the EmailSendingAccount parameter (default COGNITO_DEFAULT), and SES's
	// SourceArn and From only when DEVELOPER is chosen: with the defaults, Cognito's own sender alone.
	if got := props["EmailConfiguration"]; !reflect.DeepEqual(got, map[string]any{
		"EmailSendingAccount": "EmailSendingAccount",
		"SourceArn":           []any{"SesSending", "SesSourceArn", "AWS::NoValue"},
		"From":                []any{"SesFromSet", "EmailFrom", "AWS::NoValue"},
	}) {
		t.Fatalf("EmailConfiguration is %v: update PoolInput and this test", got)
	}
	props["EmailConfiguration"] = map[string]any{"EmailSendingAccount": "COGNITO_DEFAULT"}
	compare(t, props, prune(normalise(t, cognitotest.PoolInput("x"))), "UserPoolName", "PoolName", "DeletionProtection")
}

func TestClientInputIsTheAPIStacksUserPoolClient(t *testing.T) {
	compare(t, properties(t, "../../../../api-stack/template.yaml", "UserPoolClient"),
		prune(normalise(t, cognitotest.ClientInput("x"))), "UserPoolId", "ClientName")
}
