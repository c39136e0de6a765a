package localstack

import "testing"

// The local stack verifies tokens of every pool the authorizers name, in swagger 2.0 and OpenAPI 3.0
// Bodies alike (the SAM translator writes the latter when the template sets OpenApiVersion).
func TestProviderARNs_ReadsSwaggerAndOpenAPI3(t *testing.T) {
	scheme := map[string]any{"CognitoAuthorizer": map[string]any{"x-amazon-apigateway-authorizer": map[string]any{
		"type": "cognito_user_pools", "providerARNs": []any{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"}}}}
	for name, body := range map[string]map[string]any{
		"swagger 2.0": {"securityDefinitions": scheme},
		"openapi 3.0": {"components": map[string]any{"securitySchemes": scheme}},
	} {
		if got := providerARNs(body); len(got) != 1 || got[0] != "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc" {
			t.Errorf("%s: %v, want the one pool", name, got)
		}
	}
}
