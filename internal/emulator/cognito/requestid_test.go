package cognito_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

// uuidShape is AWS's request id ("b0e91dc8-3807-11e2-83c6-5912bf8ad066" in the API reference's
// HTTP responses, cited at cognito.RequestIDHeader).
var uuidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// AWS answers every call with x-amzn-RequestId, refusals included, and the SDK gives it to the caller
// (the login function logs it): successes, Cognito's refusals and the signature check's all carry a
// fresh one.
func TestEveryAnswerCarriesAFreshRequestID(t *testing.T) {
	s := cognitotest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ids []string

	out, err := s.Client.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	ids = append(ids, id)

	_, err = s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &s.PoolID, Username: aws.String("nobody@example.com")})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("AdminGetUser of no user: %v, want Cognito's refusal", err)
	}
	ids = append(ids, re.ServiceRequestID())

	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminGetUser") // unsigned: refused
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unsigned AdminGetUser: %d, want Cognito's 400", resp.StatusCode)
	}
	ids = append(ids, resp.Header.Get("x-amzn-RequestId"))

	seen := map[string]bool{}
	for i, id := range ids {
		if !uuidShape.MatchString(id) {
			t.Errorf("answer %d: x-amzn-RequestId = %q, want a UUID", i, id)
		}
		if seen[id] {
			t.Errorf("answer %d: x-amzn-RequestId %q repeats an earlier answer's", i, id)
		}
		seen[id] = true
	}
}
