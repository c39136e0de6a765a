package login_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

// The Cognito operations the handler calls (X-Amz-Target's names).
const (
	opInitiateAuth           = "InitiateAuth"
	opRespondToAuthChallenge = "RespondToAuthChallenge"
	opSignUp                 = "SignUp"
	opResendConfirmationCode = "ResendConfirmationCode"
	opForgotPassword         = "ForgotPassword"
	opConfirmForgotPassword  = "ConfirmForgotPassword"
	opRevokeToken            = "RevokeToken"
)

// cognito is the project's one Cognito emulation (cognitotest), with the shorthands these tests use.
// Answers Cognito gives in situations the emulation is not put in (throttling, its own failures, a
// misconfigured pool, malformed answers) are injected for the next call with Reply.
type cognito struct{ *cognitotest.Stack }

// reply is an answer to inject: the HTTP status and the exact body (and, from canned only, headers).
type reply struct {
	status int
	body   string
	header map[string]string
}

// okReply is a success with an empty JSON object, what several operations answer.
var okReply = reply{status: http.StatusOK, body: "{}"}

func jsonReply(v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return reply{status: http.StatusOK, body: string(b)}
}

// cognitoError is Cognito's error answer: HTTP 400, or 500 for InternalErrorException.
func cognitoError(errorType, message string) reply {
	r := jsonReply(map[string]string{"__type": errorType, "message": message})
	r.status = http.StatusBadRequest
	if errorType == "InternalErrorException" {
		r.status = http.StatusInternalServerError
	}
	return r
}

// tokensReply is a successful sign-in; an empty refreshToken is left out, as REFRESH_TOKEN_AUTH does.
func tokensReply(idToken, accessToken, refreshToken string, expiresIn int) reply {
	result := map[string]any{"IdToken": idToken, "AccessToken": accessToken, "ExpiresIn": expiresIn, "TokenType": "Bearer"}
	if refreshToken != "" {
		result["RefreshToken"] = refreshToken
	}
	return jsonReply(map[string]any{"AuthenticationResult": result, "ChallengeParameters": map[string]string{}})
}

// challengeReply asks for a challenge before any token.
func challengeReply(name, session string) reply {
	return jsonReply(map[string]any{"ChallengeName": name, "Session": session, "ChallengeParameters": map[string]string{}})
}

// Reply answers the next call of op with r instead of the emulation's answer.
func (c cognito) Reply(op string, r reply) { c.ReplyNext(op, r.status, r.body) }

// call is one call the emulation received, with its JSON input.
type call struct {
	Operation string
	Body      []byte
}

// input is the part of a call's JSON body the handler sends (Cognito's JSON names are the SDK's).
type input struct {
	AuthFlow           string
	ClientId           string
	AuthParameters     map[string]string
	ChallengeName      string
	ChallengeResponses map[string]string
	Session            string
	Username           string
	Password           string
	ConfirmationCode   string
	Token              string
	UserAttributes     []attribute
}

type attribute struct {
	Name  string
	Value string
}

func (c call) Input() (input, error) {
	var in input
	if err := json.Unmarshal(c.Body, &in); err != nil {
		return input{}, fmt.Errorf("decode %s input: %w", c.Operation, err)
	}
	return in, nil
}

// Calls is every call of the handler's operations (the tests' own admin calls left out), in order.
func (c cognito) Calls() []call {
	var out []call
	for _, cl := range c.Stack.Calls() {
		switch cl.Operation {
		case opInitiateAuth, opRespondToAuthChallenge, opSignUp, opResendConfirmationCode,
			opForgotPassword, opConfirmForgotPassword, opRevokeToken:
			out = append(out, call{Operation: cl.Operation, Body: cl.Body})
		}
	}
	return out
}

// accountState is a state an account can be in, as the tests put it there through Cognito's API.
type accountState int

const (
	stateNone accountState = iota
	stateUnconfirmed
	stateConfirmed
	stateDisabled
	stateResetRequired
	stateForceChangePassword
	stateLockedOut
)

// addUser creates username with password in state, as Cognito gets there: SignUp for an unconfirmed
// account, an administrator's calls for the others, and wrong passwords for a lockout (which lasts
// while the stack's clock stands still).
func (c cognito) addUser(t testing.TB, username, password string, state accountState) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("put %s in state %d: %v", username, state, err)
		}
	}
	switch state {
	case stateNone:
		return
	case stateUnconfirmed:
		_, err := c.Client.SignUp(ctx, &cip.SignUpInput{ClientId: &c.ClientID, Username: &username, Password: &password,
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: &username}}})
		admin(err)
		return
	case stateForceChangePassword:
		c.TemporaryUser(t, username, password)
		return
	}
	c.ConfirmedUser(t, username, password)
	switch state {
	case stateDisabled:
		_, err := c.Client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &c.PoolID, Username: &username})
		admin(err)
	case stateResetRequired:
		_, err := c.Client.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &c.PoolID, Username: &username})
		admin(err)
	case stateLockedOut:
		for range 6 {
			_, _ = c.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &c.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": "Wrong-Password-1!"}})
		}
		_, err := c.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &c.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password}})
		if err == nil {
			t.Fatalf("%s still signs in after six wrong passwords: not locked out", username)
		}
	}
}

// userStatus is the account's UserStatus, or "" when there is none.
func (c cognito) userStatus(t testing.TB, username string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := c.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &c.PoolID, Username: &username})
	var missing *types.UserNotFoundException
	switch {
	case err != nil && errors.As(err, &missing):
		return ""
	case err != nil:
		t.Fatalf("AdminGetUser %s: %v", username, err)
	}
	return string(out.UserStatus)
}

// canned serves r to every request, noting each request's head with seen (when not nil), until the
// test ends: for what is about the wire or the handler's own cost (benchmarks), not Cognito's answers.
func canned(t testing.TB, r reply, seen func(http.Header)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if seen != nil {
			seen(req.Header.Clone())
		}
		_, _ = io.Copy(io.Discard, req.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		for k, v := range r.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(r.status)
		_, _ = io.WriteString(w, r.body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
