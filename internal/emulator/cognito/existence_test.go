package cognito_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

func TestPreventUserExistenceErrorsAppliedAsTheClientSays(t *testing.T) {
	e := newEnv(t)
	pool := e.createPool(t, false)
	enabled := e.createClient(t, pool, preventExistence)
	legacy := e.createClient(t, pool, nil)
	e.confirmedUser(t, pool, "known@example.com")
	e.users.CreateUser(t, pool, "temporary@example.com", tempPassword)
	const unknown = "nobody@example.com"

	ops := map[string]func(client, user string) (any, error){
		"InitiateAuth": func(c, u string) (any, error) { return e.login(t, c, u, goodPassword) },
		"InitiateAuth wrong password": func(c, u string) (any, error) {
			return e.login(t, c, u, otherPassword)
		},
		"ForgotPassword": func(c, u string) (any, error) {
			return e.api.ForgotPassword(ctx(t), &cip.ForgotPasswordInput{ClientId: &c, Username: &u})
		},
		"ResendConfirmationCode": func(c, u string) (any, error) {
			return e.api.ResendConfirmationCode(ctx(t), &cip.ResendConfirmationCodeInput{ClientId: &c, Username: &u})
		},
		"ConfirmForgotPassword": func(c, u string) (any, error) {
			return e.api.ConfirmForgotPassword(ctx(t), &cip.ConfirmForgotPasswordInput{ClientId: &c, Username: &u,
				ConfirmationCode: aws.String("123456"), Password: aws.String(otherPassword)})
		},
		"SignUp": func(c, u string) (any, error) {
			return e.api.SignUp(ctx(t), &cip.SignUpInput{ClientId: &c, Username: &u, Password: aws.String(otherPassword)})
		},
	}
	cases := []struct {
		op, client, user, code, message, destination string
	}{
		{op: "InitiateAuth", client: enabled, user: unknown, code: "NotAuthorizedException", message: "Incorrect username or password."},
		{op: "InitiateAuth", client: legacy, user: unknown, code: "UserNotFoundException"},
		{op: "InitiateAuth wrong password", client: enabled, user: "known@example.com", code: "NotAuthorizedException", message: "Incorrect username or password."},
		{op: "ForgotPassword", client: enabled, user: unknown, destination: "n***@e***.com"},
		{op: "ForgotPassword", client: enabled, user: "known@example.com", destination: "k***@e***.com"},
		{op: "ForgotPassword", client: legacy, user: unknown, code: "UserNotFoundException"},
		{op: "ForgotPassword", client: enabled, user: "temporary@example.com", code: "NotAuthorizedException", message: "User password cannot be reset in the current state."},
		{op: "ResendConfirmationCode", client: enabled, user: unknown, destination: "n***@e***.com"},
		{op: "ResendConfirmationCode", client: legacy, user: unknown, code: "UserNotFoundException"},
		{op: "ResendConfirmationCode", client: enabled, user: "known@example.com", code: "InvalidParameterException", message: "User is already confirmed."},
		{op: "ConfirmForgotPassword", client: enabled, user: unknown, code: "CodeMismatchException"},
		{op: "ConfirmForgotPassword", client: legacy, user: unknown, code: "UserNotFoundException"},
		{op: "SignUp", client: enabled, user: "known@example.com", code: "UsernameExistsException"},
	}
	for _, tc := range cases {
		kind := "LEGACY"
		if tc.client == enabled {
			kind = "ENABLED"
		}
		t.Run(tc.op+" "+kind+" "+tc.user, func(t *testing.T) {
			out, err := ops[tc.op](tc.client, tc.user)
			wantAPIError(t, err, tc.code, tc.message)
			if tc.destination == "" {
				return
			}
			var got string
			switch o := out.(type) {
			case *cip.ForgotPasswordOutput:
				got = aws.ToString(o.CodeDeliveryDetails.Destination)
			case *cip.ResendConfirmationCodeOutput:
				got = aws.ToString(o.CodeDeliveryDetails.Destination)
			}
			if got != tc.destination {
				t.Errorf("Destination %q, want %q", got, tc.destination)
			}
		})
	}
	for _, m := range e.mail(t) {
		if m.To == unknown {
			t.Errorf("mail sent for a user that does not exist: %+v", m)
		}
	}
}

func TestErrorsHaveCognitosJSONShape(t *testing.T) {
	e := newEnv(t)
	req, err := http.NewRequest(http.MethodPost, e.url+"/", strings.NewReader(`{"ClientId":"nosuchclient","Token":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.RevokeToken")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-ErrorType") != "ResourceNotFoundException" ||
		body["__type"] != "ResourceNotFoundException" || body["message"] == "" {
		t.Fatalf("got %d %v %v", resp.StatusCode, resp.Header, body)
	}
}
