package login_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
	"github.com/example/cognito-sam-go/internal/login"
)

func TestNewCognitoClient_SendsAnonymousAWSJSONCallsToTheEndpoint(t *testing.T) {
	// The wire format itself, so a bare server that records the request's head.
	heads := make(chan http.Header, 4)
	url := canned(t, tokensReply("id", "access", "refresh", 60), func(h http.Header) { heads <- h })

	_, err := login.NewCognitoClient(testRegion, url).InitiateAuth(context.Background(),
		&cognitoidentityprovider.InitiateAuthInput{ClientId: aws.String(testClientID), AuthFlow: "USER_PASSWORD_AUTH"})
	if err != nil {
		t.Fatal(err)
	}

	if n := len(heads); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
	hdr := <-heads
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
		// Cognito's e-mail quota, not a throttle (the SDK's standard retryer counts it as one): SignUp has
		// already created the account by then, so a retry would only meet UsernameExistsException.
		{"LimitExceededException", 1},
		{"NotAuthorizedException", 1},
		{"UserNotFoundException", 1},
	}
	for _, tc := range cases {
		t.Run(tc.errorType, func(t *testing.T) {
			c := cognito{cognitotest.Start(t)}
			// The first attempt gets the error; a retry, if any, the emulation's own refusal (no such user).
			c.Reply(opInitiateAuth, cognitoError(tc.errorType, "x"))

			_, err := login.NewCognitoClient(c.Region, c.URL).InitiateAuth(context.Background(),
				&cognitoidentityprovider.InitiateAuthInput{ClientId: aws.String(c.ClientID), AuthFlow: "USER_PASSWORD_AUTH",
					AuthParameters: map[string]string{"USERNAME": goldenUsername, "PASSWORD": goldenPassword}})

			if err == nil {
				t.Fatal("want an error")
			}
			if n := len(c.Calls()); n != tc.wantCalls {
				t.Errorf("%d attempts, want %d", n, tc.wantCalls)
			}
		})
	}
}
