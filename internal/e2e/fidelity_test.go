package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// A body holding bytes that are not UTF-8 reaches the function base64-encoded (isBase64Encoded), and
// the answer is valid UTF-8 JSON: Lambda's runtime JSON-encodes the proxy response, replacing
// invalid bytes, as aws-lambda-go does with encoding/json.
func TestEcho_InvalidUTF8BodyGetsAValidUTF8Answer(t *testing.T) {
	s := sharedStack(t)
	email, password := newEmail(), newPassword()
	s.createUser(t, email, password)
	token := login(t, s, email, password)["id_token"].(string)
	r := call(t, s, "POST", "/echo", "{\"a\":\"\xff\xfe\"}", "Authorization", token)
	if !utf8.Valid(r.body) {
		t.Fatalf("status %d, answer is not valid UTF-8: %q", r.status, r.body)
	}
	if r.status != http.StatusOK && r.status != http.StatusBadRequest {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	r.json(t) // and JSON
}

// A genuine ID token of a user in many groups is over 8 KiB; API Gateway's REST quota for the request
// line and headers together is 10240 bytes, so it is accepted, and its groups reach the function.
func TestEcho_LargeIDTokenOfAUserInManyGroupsIsAccepted(t *testing.T) {
	s := sharedStack(t)
	email, password := newEmail(), newPassword()
	s.createUser(t, email, password)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin := s.Admin()
	suffix := strings.Repeat("g", 100)
	const groupCount = 50 // about 155 bytes of token each: 8.7 KB in all
	for i := range groupCount {
		name := fmt.Sprintf("%s-%02d-%s", randomHex(4), i, suffix)
		if _, err := admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(s.Out.UserPoolId), GroupName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(s.Out.UserPoolId),
			Username: aws.String(email), GroupName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	token := login(t, s, email, password)["id_token"].(string)
	if len(token) < 8500 || len(token) > 9800 {
		t.Fatalf("ID token is %d bytes; the test wants one between 8.5 KB and the 10 KB header quota", len(token))
	}
	r := call(t, s, "POST", "/echo", `{}`, "Authorization", token)
	assertStatus(t, r, http.StatusOK)
	claims, _ := r.json(t)["claims"].(map[string]any)
	if groups, _ := claims["cognito:groups"].(string); strings.Count(groups, suffix) != groupCount {
		t.Fatalf("cognito:groups holds %d of the %d groups", strings.Count(groups, suffix), groupCount)
	}
}
