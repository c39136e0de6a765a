package cognito_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestNewPasswordSessionIsBoundToItsUserClientAndValidity(t *testing.T) {
	e := newEnv(t)
	pool := e.createPool(t, false)
	client := e.createClient(t, pool, nil)
	other := e.createClient(t, pool, nil)

	cases := []struct {
		name        string
		answerAs    string // "" answers as the user who signed in
		answerWith  string // client id; "" is the client that signed in
		wait        time.Duration
		wantCode    string
		wantMessage string
	}{
		{name: "own session sets own password"},
		{name: "another user's session is refused", answerAs: "victim", wantCode: "NotAuthorizedException", wantMessage: "Invalid session for the user."},
		{name: "an unknown user's name is refused", answerAs: "nobody@example.com", wantCode: "NotAuthorizedException", wantMessage: "Invalid session for the user."},
		{name: "another client's session is refused", answerWith: other, wantCode: "NotAuthorizedException", wantMessage: "Invalid session for the user, session is expired."},
		{name: "a session within AuthSessionValidity answers", wait: 3*time.Minute - time.Second},
		{name: "a session past AuthSessionValidity is expired", wait: 3*time.Minute + time.Second, wantCode: "NotAuthorizedException", wantMessage: "Invalid session for the user, session is expired."},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			user := "user" + string(rune('a'+i)) + "@example.com"
			victim := "victim" + string(rune('a'+i)) + "@example.com"
			e.users.CreateUser(t, pool, user, tempPassword)
			e.users.CreateUser(t, pool, victim, tempPassword)
			start, err := e.login(t, client, user, tempPassword)
			if err != nil || start.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
				t.Fatalf("InitiateAuth: %v %v", start, err)
			}
			e.clock.Advance(tc.wait)
			answerAs := user
			switch tc.answerAs {
			case "victim":
				answerAs = victim
			case "":
			default:
				answerAs = tc.answerAs
			}
			answerWith := client
			if tc.answerWith != "" {
				answerWith = tc.answerWith
			}
			out, err := e.api.RespondToAuthChallenge(ctx(t), &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(answerWith), ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: start.Session,
				ChallengeResponses: map[string]string{"USERNAME": answerAs, "NEW_PASSWORD": goodPassword},
			})
			wantAPIError(t, err, tc.wantCode, tc.wantMessage)
			if tc.wantCode == "" && (out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.IdToken) == "") {
				t.Fatalf("no tokens: %+v", out)
			}
			// Nobody's password changed through a refused session.
			if got := e.status(t, pool, victim); got != types.UserStatusTypeForceChangePassword {
				t.Errorf("victim is %s", got)
			}
			if tc.wantCode != "" {
				if got := e.status(t, pool, user); got != types.UserStatusTypeForceChangePassword {
					t.Errorf("user is %s after a refused answer", got)
				}
			}
		})
	}
}

func TestNewPasswordSessionAnswersOnce(t *testing.T) {
	e := newEnv(t)
	pool := e.createPool(t, false)
	client := e.createClient(t, pool, nil)
	e.users.CreateUser(t, pool, "once@example.com", tempPassword)
	start, err := e.login(t, client, "once@example.com", tempPassword)
	if err != nil {
		t.Fatal(err)
	}
	answer := &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(client), ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: start.Session,
		ChallengeResponses: map[string]string{"USERNAME": "once@example.com", "NEW_PASSWORD": "weak"},
	}
	// A password against the policy leaves the session usable, as the user may correct it.
	_, err = e.api.RespondToAuthChallenge(ctx(t), answer)
	wantAPIError(t, err, "InvalidPasswordException", "")
	answer.ChallengeResponses["NEW_PASSWORD"] = goodPassword
	_, err = e.api.RespondToAuthChallenge(ctx(t), answer)
	wantAPIError(t, err, "", "")
	_, err = e.api.RespondToAuthChallenge(ctx(t), answer)
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
}
