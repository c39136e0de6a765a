package cognito

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// moto keeps a challenge's session as a bare id and, answering NEW_PASSWORD_REQUIRED, sets the
// password of whichever user the answer names: one user's session could set another's password.
// Cognito binds the session to the user and client it was issued for and lets it live
// AuthSessionValidity minutes ("Your user pool native user must respond to each authentication
// challenge before the session expires":
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html).

// boundSession is the user and client a challenge's session was issued for.
type boundSession struct {
	clientID, username string
	expires            time.Time
}

type authInput struct {
	ClientId       string
	AuthFlow       string
	AuthParameters map[string]string
}

type challengeInput struct {
	ClientId           string
	ChallengeName      string
	Session            string
	ChallengeResponses map[string]string
}

// initiateAuth serves InitiateAuth and AdminInitiateAuth.
func (f *Front) initiateAuth(ctx context.Context, c *call) (*reply, error) {
	var in authInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	ci, err := f.client(ctx, in.ClientId)
	if err != nil {
		return nil, err
	}
	if in.AuthFlow == "REFRESH_TOKEN_AUTH" || in.AuthFlow == "REFRESH_TOKEN" {
		if f.refreshRevoked(in.AuthParameters["REFRESH_TOKEN"]) {
			return nil, errorf("NotAuthorizedException", msgRefreshRevoked)
		}
	}
	rep, err := f.forward(ctx, c)
	if err != nil {
		return nil, err
	}
	username := in.AuthParameters["USERNAME"]
	if e := rep.apiError(); e != nil {
		return f.authFailure(ci, username, e, rep)
	}
	return f.authSuccess(ctx, ci, username, rep)
}

// authFailure applies PreventUserExistenceErrors to moto's refusal: with ENABLED, an unknown user
// gets the same NotAuthorizedException as a wrong password
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html).
// moto's AdminInitiateAuth puts the user name where Cognito says "Incorrect username or password.".
func (f *Front) authFailure(ci *clientInfo, username string, e *apiError, rep *reply) (*reply, error) {
	switch {
	case e.Type == "UserNotFoundException" && ci.preventExistence:
		return nil, errorf("NotAuthorizedException", msgIncorrect)
	case e.Type == "NotAuthorizedException" && username != "" && e.Message == username:
		return nil, errorf("NotAuthorizedException", msgIncorrect)
	}
	return rep, nil
}

// respondToChallenge serves RespondToAuthChallenge and AdminRespondToAuthChallenge, refusing a
// session issued for another user or client, or past its validity, as Cognito does.
func (f *Front) respondToChallenge(ctx context.Context, c *call) (*reply, error) {
	var in challengeInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	ci, err := f.client(ctx, in.ClientId)
	if err != nil {
		return nil, err
	}
	key := sessionKey(in)
	f.mu.Lock()
	s, ok := f.sessions[key]
	if ok && f.now().After(s.expires) {
		delete(f.sessions, key)
		ok = false
	}
	f.mu.Unlock()
	if !ok || s.clientID != in.ClientId {
		return nil, errorf("NotAuthorizedException", msgSessionExpired)
	}
	u, err := f.lookupUser(ctx, ci.PoolID, in.ChallengeResponses["USERNAME"])
	if err != nil {
		return nil, err
	}
	if u == nil || u.Username != s.username {
		return nil, errorf("NotAuthorizedException", msgSessionWrong)
	}
	rep, err := f.forward(ctx, c)
	if err != nil || rep.apiError() != nil {
		return rep, err // a refused answer (a password against the policy) may be corrected
	}
	f.mu.Lock()
	delete(f.sessions, key) // a session answers once
	f.mu.Unlock()
	return f.authSuccess(ctx, ci, u.Username, rep)
}

// sessionKey is the session an answer names; moto's SRP answer carries it as the secret block,
// which moto makes equal to the session it issued.
func sessionKey(in challengeInput) string {
	if in.ChallengeName == "PASSWORD_VERIFIER" && in.Session == "" {
		return in.ChallengeResponses["PASSWORD_CLAIM_SECRET_BLOCK"]
	}
	return in.Session
}

// authSuccess re-issues the tokens of a successful answer and binds a new challenge session to
// its user and client.
func (f *Front) authSuccess(ctx context.Context, ci *clientInfo, username string, rep *reply) (*reply, error) {
	var out map[string]any
	if err := json.Unmarshal(rep.body, &out); err != nil {
		return nil, fmt.Errorf("decode moto's answer: %w", err)
	}
	if session, ok := out["Session"].(string); ok && session != "" {
		u, err := f.lookupUser(ctx, ci.PoolID, username)
		if err != nil {
			return nil, err
		}
		if u != nil {
			f.mu.Lock()
			f.sessions[session] = boundSession{clientID: ci.ID, username: u.Username, expires: f.now().Add(ci.authSession)}
			f.mu.Unlock()
		}
	}
	if result, ok := out["AuthenticationResult"].(map[string]any); ok {
		if err := f.reissue(ci, result); err != nil {
			return nil, err
		}
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode answer: %w", err)
	}
	rep.body = raw
	return rep, nil
}
