package login_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/login"
)

// succeedingClient accepts every call, so that any non-200 answer comes from the handler's own checks.
type succeedingClient struct{ calls atomic.Int64 }

func (c *succeedingClient) result() *types.AuthenticationResultType {
	return &types.AuthenticationResultType{
		IdToken: aws.String("id"), AccessToken: aws.String("access"), RefreshToken: aws.String("refresh"),
		ExpiresIn: 3600, TokenType: aws.String("Bearer"),
	}
}

func (c *succeedingClient) InitiateAuth(context.Context, *cip.InitiateAuthInput, ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	c.calls.Add(1)
	return &cip.InitiateAuthOutput{AuthenticationResult: c.result()}, nil
}

func (c *succeedingClient) RespondToAuthChallenge(context.Context, *cip.RespondToAuthChallengeInput, ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	c.calls.Add(1)
	return &cip.RespondToAuthChallengeOutput{AuthenticationResult: c.result()}, nil
}

func (c *succeedingClient) SignUp(context.Context, *cip.SignUpInput, ...func(*cip.Options)) (*cip.SignUpOutput, error) {
	c.calls.Add(1)
	return &cip.SignUpOutput{UserSub: aws.String("sub")}, nil
}

func (c *succeedingClient) ResendConfirmationCode(context.Context, *cip.ResendConfirmationCodeInput, ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error) {
	c.calls.Add(1)
	return &cip.ResendConfirmationCodeOutput{}, nil
}

func (c *succeedingClient) ForgotPassword(context.Context, *cip.ForgotPasswordInput, ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error) {
	c.calls.Add(1)
	return &cip.ForgotPasswordOutput{}, nil
}

func (c *succeedingClient) ConfirmForgotPassword(context.Context, *cip.ConfirmForgotPasswordInput, ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error) {
	c.calls.Add(1)
	return &cip.ConfirmForgotPasswordOutput{}, nil
}

func (c *succeedingClient) RevokeToken(context.Context, *cip.RevokeTokenInput, ...func(*cip.Options)) (*cip.RevokeTokenOutput, error) {
	c.calls.Add(1)
	return &cip.RevokeTokenOutput{}, nil
}

// FuzzDecodeLogin sends arbitrary bodies to every route: never a panic, never a 5xx, an error body
// always in the contract's shape, and Cognito called exactly when the answer is a success (2xx).
func FuzzDecodeLogin(f *testing.F) {
	for _, seed := range []string{
		`{"username":"alice@example.com","password":"Correct-Horse-9!"}`,
		`{"username":"alice@example.com","session":"AYABeNEWPASSWORDSESSION-0123456789","new_password":"x"}`,
		`{"refresh_token":"eyJjdHkiOiJKV1QifQ.x"}`,
		`{"username":"alice@example.com"}`,
		`{"username":"alice@example.com","code":"482913","new_password":"x"}`,
		`{"username":"alice@example.com","code":"","new_password":"x"}`, `{"username":"a@b.co","code":7}`,
		``, `null`, `[]`, `"s"`, `0`, `{}`, `{"username":1}`, `{"username":null,"password":null}`,
		`{"username":"a@b.co","password":"p"} {}`, `{"username":"Alice <a@b.co>","password":"p"}`,
		`{"username":"a@b.co","password":"p","x":{}}`, `{"USERNAME":"a@b.co","Password":"p"}`,
		"{\"username\":\"a@b.co\",\"password\":\"\xff\xfe\"}", `{"username":"\u0000@b.co","password":"p"}`,
		`{"username":"a@b.co","password":"p"`, `{"refresh_token":"` + string(make([]byte, 100)) + `"}`,
	} {
		f.Add(seed)
	}
	client := &succeedingClient{}
	h := login.New(client, login.Config{ClientID: testClientID}, nil)
	templates := make(map[string]events.APIGatewayProxyRequest, len(allEvents))
	for _, e := range allEvents {
		templates[e.event] = event(f, e.event)
	}

	f.Fuzz(func(t *testing.T, body string) {
		for name, template := range templates {
			before := client.calls.Load()
			res := invoke(t, h, withBody(template, body))
			called := client.calls.Load() - before

			if res.status >= 500 {
				t.Fatalf("%s: status %d for client input %q", name, res.status, body)
			}
			if res.status >= 200 && res.status < 300 {
				if called != 1 {
					t.Fatalf("%s: %d with %d Cognito calls", name, res.status, called)
				}
				continue
			}
			if called != 0 {
				t.Fatalf("%s: status %d after calling Cognito with input %q", name, res.status, body)
			}
			var e map[string]any
			if err := json.Unmarshal([]byte(res.body), &e); err != nil {
				t.Fatalf("%s: error body %q is not JSON: %v", name, res.body, err)
			}
			if msg, ok := e["message"].(string); len(e) != 1 || !ok || msg == "" {
				t.Fatalf(`%s: error body %s is not {"message": "..."}`, name, res.body)
			}
		}
	})
}
