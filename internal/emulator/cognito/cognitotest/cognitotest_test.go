package cognitotest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

const password = "Correct-Horse-9x"

func TestStartProvisionsAPoolWhereAConfirmedUserSignsInAndRefreshes(t *testing.T) {
	s := cognitotest.Start(t)
	s.ConfirmedUser(t, "jane@example.com", password)
	ctx := context.Background()
	out, err := s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &s.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "JANE@example.com", "PASSWORD": password}})
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.RefreshToken) == "" {
		t.Fatalf("no tokens: %+v", out)
	}
	ref, err := s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &s.ClientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *out.AuthenticationResult.RefreshToken}})
	if err != nil || ref.AuthenticationResult == nil || aws.ToString(ref.AuthenticationResult.IdToken) == "" {
		t.Fatalf("refresh: %v %+v", err, ref)
	}
	if got := s.Calls(); len(got) < 4 || got[len(got)-1].Operation != "InitiateAuth" {
		t.Errorf("Calls() = %d calls, last %+v", len(got), got[len(got)-1])
	}
}

func TestSignUpMailsAConfirmationLinkThatConfirms(t *testing.T) {
	s := cognitotest.Start(t)
	ctx := context.Background()
	if _, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: &s.ClientID, Username: aws.String("new@example.com"), Password: aws.String(password)}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	mail := s.Mail(t)
	if len(mail) != 1 || mail[0].Kind != "signup" || mail[0].To != "new@example.com" || mail[0].Link == "" {
		t.Fatalf("mail = %+v", mail)
	}
	resp, err := http.Get(mail[0].Link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("link: %d", resp.StatusCode)
	}
	if _, err := s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &s.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "new@example.com", "PASSWORD": password}}); err != nil {
		t.Fatalf("InitiateAuth after confirming: %v", err)
	}
}

func TestReplyNextAnswersTheNextCallOnlyWithTheGivenStatusAndBody(t *testing.T) {
	s := cognitotest.Start(t)
	s.ReplyNext("InitiateAuth", 400, `{"__type":"TooManyRequestsException","message":"Rate exceeded"}`)
	in := &cip.InitiateAuthInput{ClientId: &s.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "x@example.com", "PASSWORD": password}}
	_, err := s.Client.InitiateAuth(context.Background(), in)
	var tm *types.TooManyRequestsException
	if !errors.As(err, &tm) {
		t.Fatalf("first call: %v, want TooManyRequestsException", err)
	}
	_, err = s.Client.InitiateAuth(context.Background(), in)
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) {
		t.Fatalf("second call: %v, want the emulation's NotAuthorizedException", err)
	}
}

func TestStallNextHoldsTheCallUntilTheCallersDeadline(t *testing.T) {
	s := cognitotest.Start(t)
	s.StallNext("SignUp")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: &s.ClientID, Username: aws.String("a@example.com"), Password: aws.String(password)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
}

func TestWithStateDirRestartKeepsPoolClientAndUsers(t *testing.T) {
	dir := t.TempDir()
	first := cognitotest.Start(t, cognitotest.WithStateDir(dir))
	first.ConfirmedUser(t, "kept@example.com", password)
	first.Emulator.Close()
	second := cognitotest.Start(t, cognitotest.WithStateDir(dir))
	if second.PoolID != first.PoolID || second.ClientID != first.ClientID {
		t.Fatalf("ids changed: %s/%s then %s/%s", first.PoolID, first.ClientID, second.PoolID, second.ClientID)
	}
	if _, err := second.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &second.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "kept@example.com", "PASSWORD": password}}); err != nil {
		t.Fatalf("sign-in after restart: %v", err)
	}
}

func TestWithMailQuotaStopsMailButStillCreatesTheUser(t *testing.T) {
	s := cognitotest.Start(t, cognitotest.WithMailQuota(1))
	ctx := context.Background()
	for i, name := range []string{"one@example.com", "two@example.com"} {
		_, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: &s.ClientID, Username: aws.String(name), Password: aws.String(password)})
		if i == 0 && err != nil {
			t.Fatalf("first SignUp: %v", err)
		}
		if i == 1 && (err == nil || !strings.Contains(err.Error(), "LimitExceededException")) {
			t.Fatalf("second SignUp: %v, want LimitExceededException", err)
		}
	}
	u, err := s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &s.PoolID, Username: aws.String("two@example.com")})
	if err != nil || u.UserStatus != types.UserStatusTypeUnconfirmed {
		t.Fatalf("AdminGetUser: %v %+v", err, u)
	}
	if n := len(s.Mail(t)); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}
