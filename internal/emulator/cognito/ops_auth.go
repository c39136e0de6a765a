package cognito

import (
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Sign-in lockout, as "Lockout behavior for failed sign-in attempts" describes it: after five failed
// attempts the user is locked out for 2^(n-5) seconds (n the failed attempts so far), up to about 15
// minutes; attempts during a lockout answer NotAuthorizedException "Password attempts exceeded" and do
// not count; 15 minutes without an attempt reset the count
// (https://docs.aws.amazon.com/cognito/latest/developerguide/authentication.html#authentication-flow-lockout-behavior).
const (
	lockoutFree  = 5
	lockoutMax   = 15 * time.Minute
	lockoutReset = 15 * time.Minute
)

type authInput struct {
	ClientId       string
	UserPoolId     string
	AuthFlow       string
	AuthParameters map[string]string
}

func (e *Emulator) initiateAuth(r *request) (any, error)      { return e.auth(r, false) }
func (e *Emulator) adminInitiateAuth(r *request) (any, error) { return e.auth(r, true) }

func (e *Emulator) auth(r *request, admin bool) (any, error) {
	var in authInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	c, p, err := e.clientLocked(in.ClientId)
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if admin && in.UserPoolId != p.ID {
		return nil, errorf("ResourceNotFoundException", "User pool client "+in.ClientId+" does not exist.")
	}
	switch {
	case in.AuthFlow == "REFRESH_TOKEN_AUTH" || in.AuthFlow == "REFRESH_TOKEN":
		if !c.set.allows(types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth, "") {
			return nil, errorf("InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client")
		}
		return e.refresh(p, c, in.AuthParameters["REFRESH_TOKEN"])
	case !admin && in.AuthFlow == "USER_PASSWORD_AUTH":
		if !c.set.allows(types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeUserPasswordAuth) {
			return nil, errorf("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
		}
	case admin && (in.AuthFlow == "ADMIN_USER_PASSWORD_AUTH" || in.AuthFlow == "ADMIN_NO_SRP_AUTH"):
		if !c.set.allows(types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAdminNoSrpAuth) {
			return nil, errorf("InvalidParameterException", "Auth flow not enabled for this client")
		}
	case in.AuthFlow == "":
		return nil, errorf("InvalidParameterException", "1 validation error detected: Value at 'authFlow' failed to satisfy constraint: Member must not be null")
	default:
		return nil, errorf("InvalidParameterException", in.AuthFlow+" is not supported by the local Cognito emulator: it implements USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH.")
	}
	username, password := in.AuthParameters["USERNAME"], in.AuthParameters["PASSWORD"]
	if username == "" {
		return nil, errorf("InvalidParameterException", "Missing required parameter USERNAME")
	}
	if password == "" {
		return nil, errorf("InvalidParameterException", "Missing required parameter PASSWORD")
	}
	return e.passwordAuth(p, c, username, password)
}

// passwordAuth checks a password. The hash is computed outside the lock (and against a dummy hash for
// a user that does not exist or is locked out), so every refusal costs the same time.
func (e *Emulator) passwordAuth(p *pool, c *client, username, password string) (any, error) {
	e.mu.Lock()
	u := p.lookup(username)
	hash, lockedUntil := dummyHash, int64(0)
	if u != nil {
		hash, lockedUntil = u.Hash, u.LockedUntil
	}
	e.mu.Unlock()
	now := e.now()
	locked := now.UnixNano() < lockedUntil
	if locked {
		hash = dummyHash
	}
	right := verifyPassword(hash, password)

	e.mu.Lock()
	defer e.mu.Unlock()
	if u == nil || p.users[u.Username] != u {
		if c.set.preventExistence {
			return nil, errorf("NotAuthorizedException", msgIncorrect)
		}
		return nil, errorf("UserNotFoundException", "User does not exist.")
	}
	if locked {
		return nil, errorf("NotAuthorizedException", "Password attempts exceeded")
	}
	if u.Status == "UNCONFIRMED" {
		// Cognito answers this whatever the password.
		return nil, errorf("UserNotConfirmedException", "User is not confirmed.")
	}
	if !right {
		if u.LastFailure != 0 && now.Sub(time.Unix(0, u.LastFailure)) >= lockoutReset {
			u.Failed = 0
		}
		u.Failed++
		u.LastFailure = now.UnixNano()
		if u.Failed >= lockoutFree {
			d := min(time.Second<<(u.Failed-lockoutFree), lockoutMax)
			if u.Failed-lockoutFree > 20 {
				d = lockoutMax
			}
			u.LockedUntil = now.Add(d).UnixNano()
		}
		if err := e.saveUser(u); err != nil {
			return nil, err
		}
		return nil, errorf("NotAuthorizedException", msgIncorrect)
	}
	if u.Failed != 0 {
		u.Failed, u.LastFailure, u.LockedUntil = 0, 0, 0
		if err := e.saveUser(u); err != nil {
			return nil, err
		}
	}
	switch {
	case !u.Enabled:
		return nil, errorf("NotAuthorizedException", msgUserDisabled)
	case u.Status == "RESET_REQUIRED":
		return nil, errorf("PasswordResetRequiredException", "Password reset required for the user")
	case u.Status == "FORCE_CHANGE_PASSWORD" && u.TempExpires != 0 && now.Unix() > u.TempExpires:
		return nil, errorf("NotAuthorizedException", "Temporary password has expired and must be reset by an administrator.")
	case u.Status == "FORCE_CHANGE_PASSWORD":
		return e.newPasswordChallenge(p, c, u)
	}
	result, err := e.issueTokens(p, c, u, nil)
	if err != nil {
		return nil, err
	}
	return map[string]any{"AuthenticationResult": result, "ChallengeParameters": map[string]string{}}, nil
}

// newPasswordChallenge answers NEW_PASSWORD_REQUIRED with a session bound to the user and client,
// valid AuthSessionValidity minutes ("Your user pool native user must respond to each authentication
// challenge before the session expires":
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html).
func (e *Emulator) newPasswordChallenge(p *pool, c *client, u *user) (any, error) {
	now := e.now()
	session, err := e.keys.sealToken(sealed{Use: "session", PoolID: p.ID, ClientID: c.ID, Username: u.Username,
		Issued: now.UnixNano(), Expires: now.Add(c.set.authSession).Unix(), ID: newUUID()})
	if err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for k, v := range u.Attrs {
		if k != "sub" && k != "email_verified" {
			attrs[k] = v
		}
	}
	rawAttrs, _ := json.Marshal(attrs)
	return map[string]any{"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
		"ChallengeParameters": map[string]string{"USER_ID_FOR_SRP": u.Username, "requiredAttributes": "[]", "userAttributes": string(rawAttrs)}}, nil
}

type challengeInput struct {
	ClientId           string
	UserPoolId         string
	ChallengeName      string
	Session            string
	ChallengeResponses map[string]string
}

// respondToAuthChallenge answers NEW_PASSWORD_REQUIRED: the session must have been issued to this
// client for this user and be within its validity, and answers once; a new password against the
// policy is refused and may be corrected with the same session.
func (e *Emulator) respondToAuthChallenge(r *request) (any, error) {
	var in challengeInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	c, p, err := e.clientLocked(in.ClientId)
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if in.ChallengeName != "NEW_PASSWORD_REQUIRED" {
		return nil, errorf("InvalidParameterException", "The local Cognito emulator answers only the NEW_PASSWORD_REQUIRED challenge.")
	}
	now := e.now()
	s, ok := e.keys.openToken("session", in.Session)
	if !ok || s.ClientID != c.ID || now.Unix() > s.Expires {
		return nil, errorf("NotAuthorizedException", msgSessionExpired)
	}
	newPassword := in.ChallengeResponses["NEW_PASSWORD"]
	if newPassword == "" {
		return nil, errorf("InvalidParameterException", "Missing required parameter NEW_PASSWORD")
	}
	e.mu.Lock()
	u := p.lookup(in.ChallengeResponses["USERNAME"])
	used := e.usedSessions[s.ID] != 0
	e.mu.Unlock()
	if used {
		return nil, errorf("NotAuthorizedException", msgSessionExpired)
	}
	if u == nil || u.Username != s.Username {
		return nil, errorf("NotAuthorizedException", msgSessionWrong)
	}
	if perr := p.set.policy.check(newPassword); perr != nil {
		return nil, perr
	}
	hash, err := hashPassword(newPassword, e.opts.HashIterations)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.usedSessions[s.ID] != 0 || p.users[u.Username] != u || u.Status != "FORCE_CHANGE_PASSWORD" {
		return nil, errorf("NotAuthorizedException", msgSessionExpired)
	}
	for id, exp := range e.usedSessions {
		if exp < now.Unix() {
			delete(e.usedSessions, id)
		}
	}
	e.usedSessions[s.ID] = s.Expires
	u.Hash, u.Status, u.TempExpires = hash, "CONFIRMED", 0
	if err := e.saveUser(u); err != nil {
		return nil, err
	}
	result, err := e.issueTokens(p, c, u, nil)
	if err != nil {
		return nil, err
	}
	return map[string]any{"AuthenticationResult": result, "ChallengeParameters": map[string]string{}}, nil
}

// refresh answers REFRESH_TOKEN_AUTH. The token must have been issued to this client, be unexpired
// and unrevoked, and its user must still exist, be enabled and not have been signed out or disabled
// since: Cognito refuses all of these with NotAuthorizedException.
func (e *Emulator) refresh(p *pool, c *client, token string) (any, error) {
	if token == "" {
		return nil, errorf("InvalidParameterException", "Missing required parameter REFRESH_TOKEN")
	}
	s, ok := e.keys.openToken("refresh", token)
	if !ok || s.ClientID != c.ID || s.PoolID != p.ID {
		return nil, errorf("NotAuthorizedException", "Invalid Refresh Token")
	}
	now := e.now()
	if now.Unix() > s.Expires {
		return nil, errorf("NotAuthorizedException", "Refresh Token has expired")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, revoked := e.st.revoked[s.Origin]; revoked {
		return nil, errorf("NotAuthorizedException", msgRefreshRevoked)
	}
	u := p.users[s.Username]
	switch {
	case u == nil:
		return nil, errorf("NotAuthorizedException", "User does not exist.")
	case !u.Enabled:
		return nil, errorf("NotAuthorizedException", msgUserDisabled)
	case s.Issued < u.TokensValidAfter:
		return nil, errorf("NotAuthorizedException", msgRefreshRevoked)
	case u.Status == "RESET_REQUIRED":
		return nil, errorf("PasswordResetRequiredException", "Password reset required for the user")
	}
	result, err := e.issueTokens(p, c, u, &s)
	if err != nil {
		return nil, err
	}
	return map[string]any{"AuthenticationResult": result, "ChallengeParameters": map[string]string{}}, nil
}

// revokeToken revokes a refresh token and the access tokens issued with it ("Revokes all of the
// access tokens generated by, and at the same time as, the specified refresh token":
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html).
// Revoking twice, or a token Cognito never issued, succeeds (RFC 7009 section 2.2; Cognito answers a
// repeated revocation 200, https://repost.aws/questions/QUdFF3wyKwQJihVuuKdBbviQ); a token issued to
// another client is refused (RFC 7009 section 2.1). The revocation is kept until the token expires.
func (e *Emulator) revokeToken(r *request) (any, error) {
	var in struct{ ClientId, Token string }
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.Token == "" {
		return nil, errorf("InvalidParameterException", "1 validation error detected: Value at 'token' failed to satisfy constraint: Member must not be null")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c, _, err := e.clientLocked(in.ClientId)
	if err != nil {
		return nil, err
	}
	if !c.set.revocation {
		return nil, errorf("UnsupportedOperationException", "Token revocation is not enabled for this app client.")
	}
	s, ok := e.keys.openToken("refresh", in.Token)
	if !ok {
		return struct{}{}, nil
	}
	if s.ClientID != c.ID {
		return nil, errorf("UnauthorizedException", "The token was not issued to this client.")
	}
	if _, done := e.st.revoked[s.Origin]; done {
		return struct{}{}, nil
	}
	e.pruneRevoked()
	e.st.revoked[s.Origin] = s.Expires
	return struct{}{}, e.save("revoked/"+s.Origin, s.Expires)
}

// accessUser resolves an access token to its user, refusing one that is not the emulator's, expired,
// revoked (with its refresh token, or by sign-out or disabling) or whose user is gone. Callers hold e.mu.
func (e *Emulator) accessUser(token string) (*pool, *user, error) {
	claims, ok := e.keys.parseJWT(token)
	if !ok || claims["token_use"] != "access" {
		return nil, nil, errorf("NotAuthorizedException", "Invalid Access Token")
	}
	exp, _ := claims.GetExpirationTime()
	iat, _ := claims.GetIssuedAt()
	if exp == nil || iat == nil || e.now().After(exp.Time) {
		return nil, nil, errorf("NotAuthorizedException", "Access Token has expired")
	}
	origin, _ := claims["origin_jti"].(string)
	if _, revoked := e.st.revoked[origin]; revoked {
		return nil, nil, errorf("NotAuthorizedException", msgAccessRevoked)
	}
	iss, _ := claims["iss"].(string)
	name, _ := claims["username"].(string)
	for _, p := range e.st.pools {
		if iss != "https://cognito-idp."+e.opts.Region+".amazonaws.com/"+p.ID {
			continue
		}
		u := p.users[name]
		switch {
		case u == nil:
			return nil, nil, errorf("UserNotFoundException", "User does not exist.")
		case !u.Enabled:
			return nil, nil, errorf("NotAuthorizedException", msgUserDisabled)
		case iat.Unix() < u.TokensValidAfter/int64(time.Second):
			return nil, nil, errorf("NotAuthorizedException", msgAccessRevoked)
		}
		return p, u, nil
	}
	return nil, nil, errorf("NotAuthorizedException", "Invalid Access Token")
}

func (e *Emulator) getUser(r *request) (any, error) {
	var in struct{ AccessToken string }
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, u, err := e.accessUser(in.AccessToken)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Username": u.Username, "UserAttributes": attributes(u)}, nil
}

// globalSignOut invalidates every token of the access token's user.
func (e *Emulator) globalSignOut(r *request) (any, error) {
	var in struct{ AccessToken string }
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, u, err := e.accessUser(in.AccessToken)
	if err != nil {
		return nil, err
	}
	u.TokensValidAfter = e.now().UnixNano()
	return struct{}{}, e.saveUser(u)
}
