package cognitofake_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/example/cognito-sam-go/internal/cognitofake"
)

func client(endpoint string) *cip.Client {
	return cip.New(cip.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: 1,
	})
}

func initiate(ctx context.Context, c *cip.Client) (*cip.InitiateAuthOutput, error) {
	return c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String("client"),
		AuthParameters: map[string]string{"USERNAME": "u@example.com", "PASSWORD": "p"},
	})
}

func TestFake_SDKReadsItsTokensChallengesAndRecordsTheInput(t *testing.T) {
	fake := cognitofake.New()
	t.Cleanup(fake.Close)
	fake.Reply(cognitofake.InitiateAuth, cognitofake.Tokens("id", "access", "refresh", 3600))

	out, err := initiate(context.Background(), client(fake.URL))
	if err != nil {
		t.Fatal(err)
	}
	if r := out.AuthenticationResult; r == nil || aws.ToString(r.IdToken) != "id" || aws.ToString(r.RefreshToken) != "refresh" || r.ExpiresIn != 3600 {
		t.Errorf("AuthenticationResult = %+v", r)
	}

	fake.Reply(cognitofake.InitiateAuth, cognitofake.Challenge("SMS_MFA", "session-1234567890123"))
	out, err = initiate(context.Background(), client(fake.URL))
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != types.ChallengeNameTypeSmsMfa || aws.ToString(out.Session) != "session-1234567890123" {
		t.Errorf("challenge = %q, session %q", out.ChallengeName, aws.ToString(out.Session))
	}

	calls := fake.Calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls recorded, want 2", len(calls))
	}
	in, err := calls[0].Input()
	if err != nil {
		t.Fatal(err)
	}
	if in.AuthFlow != "USER_PASSWORD_AUTH" || in.ClientId != "client" || in.AuthParameters["USERNAME"] != "u@example.com" {
		t.Errorf("recorded input = %+v", in)
	}
	fake.Reset()
	if n := len(fake.Calls()); n != 0 {
		t.Errorf("%d calls after Reset", n)
	}
}

func TestFake_ErrorsArriveAsTheSDKsTypedErrors(t *testing.T) {
	fake := cognitofake.New()
	t.Cleanup(fake.Close)
	fake.Reply(cognitofake.InitiateAuth, cognitofake.Error("NotAuthorizedException", "Incorrect username or password."))

	_, err := initiate(context.Background(), client(fake.URL))

	var notAuth *types.NotAuthorizedException
	if !errors.As(err, &notAuth) || notAuth.ErrorMessage() != "Incorrect username or password." {
		t.Errorf("err = %v, want NotAuthorizedException with Cognito's message", err)
	}
}

func TestFake_UnconfiguredOperationIsAnError(t *testing.T) {
	fake := cognitofake.New()
	t.Cleanup(fake.Close)

	_, err := initiate(context.Background(), client(fake.URL))

	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnknownOperationException" {
		t.Errorf("err = %v, want UnknownOperationException", err)
	}
}

func TestFake_DelayedReplyEndsWhenTheClientGivesUp(t *testing.T) {
	fake := cognitofake.New()
	t.Cleanup(fake.Close)
	slow := cognitofake.Tokens("id", "access", "refresh", 3600)
	slow.Delay = time.Minute
	fake.Reply(cognitofake.InitiateAuth, slow)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err := initiate(ctx, client(fake.URL))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
	fake.Close() // must not wait for the minute
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("call and Close took %v", took)
	}
}
