package cognito_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

// An operation the emulation does not implement, or a target that names none, answers Cognito's JSON
// error shape with a message naming it: never HTML, never a 5xx.
func TestUnimplementedOperationAnswersCognitosErrorShape(t *testing.T) {
	s := cognitotest.Start(t)
	for _, tc := range []struct{ target, typ, mentions string }{
		{"AWSCognitoIdentityProviderService.CreateIdentityProvider", "UnsupportedOperationException", "CreateIdentityProvider"},
		{"SomethingElse.Op", "UnknownOperationException", "X-Amz-Target"},
	} {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", tc.target)
		req.Header.Set("X-Amz-Date", "20260101T000000Z")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusBadRequest || body.Type != tc.typ || !strings.Contains(body.Message, tc.mentions) ||
			resp.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
			t.Errorf("%s: %d %+v (%v)", tc.target, resp.StatusCode, body, err)
		}
	}
}
