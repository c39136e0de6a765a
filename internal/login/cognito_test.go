package login_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/example/cognito-sam-go/internal/cognitofake"
	"github.com/example/cognito-sam-go/internal/login"
)

func TestNewCognitoClient_SendsAnonymousAWSJSONCallsToTheEndpoint(t *testing.T) {
	fake := cognitofake.New()
	t.Cleanup(fake.Close)
	fake.Reply(cognitofake.InitiateAuth, cognitofake.Tokens("id", "access", "refresh", 60))

	_, err := login.NewCognitoClient(testRegion, fake.URL).InitiateAuth(context.Background(),
		&cognitoidentityprovider.InitiateAuthInput{ClientId: aws.String(testClientID), AuthFlow: "USER_PASSWORD_AUTH"})
	if err != nil {
		t.Fatal(err)
	}

	calls := fake.Calls()
	if len(calls) != 1 {
		t.Fatalf("%d calls, want 1", len(calls))
	}
	hdr := calls[0].Header
	if got := hdr.Get("X-Amz-Target"); got != "AWSCognitoIdentityProviderService.InitiateAuth" {
		t.Errorf("X-Amz-Target = %q", got)
	}
	if got := hdr.Get("Content-Type"); got != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := hdr.Get("Authorization"); got != "" {
		t.Errorf("Authorization = %q, want none: the call is anonymous", got)
	}
}

func TestNewCognitoClient_RetriesOnlyTransientFailuresAndAtMostOnce(t *testing.T) {
	cases := []struct {
		errorType string
		wantCalls int
	}{
		{"InternalErrorException", 2},
		{"TooManyRequestsException", 2},
		{"NotAuthorizedException", 1},
		{"UserNotFoundException", 1},
	}
	for _, tc := range cases {
		t.Run(tc.errorType, func(t *testing.T) {
			fake := cognitofake.New()
			t.Cleanup(fake.Close)
			fake.Reply(cognitofake.InitiateAuth, cognitofake.Error(tc.errorType, "x"))

			_, err := login.NewCognitoClient(testRegion, fake.URL).InitiateAuth(context.Background(),
				&cognitoidentityprovider.InitiateAuthInput{ClientId: aws.String(testClientID), AuthFlow: "USER_PASSWORD_AUTH"})

			if err == nil {
				t.Fatal("want an error")
			}
			if n := len(fake.Calls()); n != tc.wantCalls {
				t.Errorf("%d attempts, want %d", n, tc.wantCalls)
			}
		})
	}
}
