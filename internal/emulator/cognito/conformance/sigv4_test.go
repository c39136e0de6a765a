package conformance_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Admin operations need AWS credentials: "must sign requests with AWS Signature Version 4"
// (Developer Guide, user-pools-API-operations.html). Unsigned, AWS's front end answers
// MissingAuthenticationTokenException (the body quoted in aws-sdk-ios-samples issue 111), and a web
// page's Origin is not granted CORS, so no page can change a user.
func TestAdminOperationUnsignedIsRefusedWithoutCORSForAForeignOrigin(t *testing.T) {
	tg := newTarget(t)
	user := tg.confirmed(t)
	body := `{"UserPoolId":"` + tg.poolID + `","Username":"` + user + `","Password":"Attacker-Pass-1","Permanent":true}`
	req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, tg.url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminSetUserPassword")
	req.Header.Set("Origin", "http://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Type string `json:"__type"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.HasSuffix(e.Type, "MissingAuthenticationTokenException") {
		t.Fatalf("unsigned AdminSetUserPassword: %d %q", resp.StatusCode, e.Type)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got == "http://evil.example" || got == "*" {
		t.Errorf("Access-Control-Allow-Origin %q on an admin operation", got)
	}
	if _, err := tg.signIn(t, tg.clientID, user, password); err != nil {
		t.Fatalf("the password changed: %v", err)
	}
}
