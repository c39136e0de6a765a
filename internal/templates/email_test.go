package templates_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/templates"
)

// E-mail goes through Cognito's own sender unless the deployer names an SES identity: then Cognito
// sends through it (EmailSendingAccount DEVELOPER, SourceArn, From), the production choice.
func TestAuthStack_EmailSenderIsCognitosUnlessAnSESIdentityIsGiven(t *testing.T) {
	const arn = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
	tests := []struct {
		name   string
		params map[string]string
		want   map[string]any
	}{
		{"default", rootParams, map[string]any{"EmailSendingAccount": "COGNITO_DEFAULT"}},
		{"SES", with(rootParams, "EmailSendingAccount", "DEVELOPER", "SesSourceArn", arn),
			map[string]any{"EmailSendingAccount": "DEVELOPER", "SourceArn": arn}},
		{"SES with a From", with(rootParams, "EmailSendingAccount", "DEVELOPER", "SesSourceArn", arn, "EmailFrom", "Example <no-reply@example.com>"),
			map[string]any{"EmailSendingAccount": "DEVELOPER", "SourceArn": arn, "From": "Example <no-reply@example.com>"}},
		// The SES settings apply with DEVELOPER only.
		{"Cognito's sender ignores the SES settings", with(rootParams, "SesSourceArn", arn, "EmailFrom", "x@example.com"),
			map[string]any{"EmailSendingAccount": "COGNITO_DEFAULT"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := deploy(t, authTemplate, tc.params, "cognito-go-auth")
			poolID, _ := onlyDeployed(t, st, "AWS::Cognito::UserPool")
			if got := st.Resources[poolID].Properties["EmailConfiguration"]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("EmailConfiguration %v, want %v", got, tc.want)
			}
		})
	}
	msg := templates.TranslateError(t, authTemplate, with(rootParams, "SesSourceArn", "not-an-arn"))
	if !strings.Contains(msg, "SesSourceArn") {
		t.Errorf("a malformed SesSourceArn is refused without naming it: %s", msg)
	}
}
