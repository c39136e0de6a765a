package login

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func (h *handler) login(r *http.Request) result {
	req, err := parseCredentials(r)
	if err != nil {
		return invalidRequest(err)
	}
	ctx, cancel := h.callContext(r)
	defer cancel()
	out, err := h.client.InitiateAuth(ctx, &cognitoidentityprovider.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(h.cfg.ClientID),
		AuthParameters: map[string]string{"USERNAME": req.username, "PASSWORD": req.password},
	})
	if err != nil {
		return cognitoFailure(ctx, err, loginErrors)
	}
	return signedIn(out.ChallengeName, out.Session, out.AuthenticationResult)
}

func (h *handler) newPassword(r *http.Request) result {
	req, err := parseNewPassword(r)
	if err != nil {
		return invalidRequest(err)
	}
	if res, weak := h.breaksPolicy(req.newPassword); weak {
		return res
	}
	ctx, cancel := h.callContext(r)
	defer cancel()
	out, err := h.client.RespondToAuthChallenge(ctx, &cognitoidentityprovider.RespondToAuthChallengeInput{
		ChallengeName:      types.ChallengeNameTypeNewPasswordRequired,
		ClientId:           aws.String(h.cfg.ClientID),
		ChallengeResponses: map[string]string{"USERNAME": req.username, "NEW_PASSWORD": req.newPassword},
		Session:            aws.String(req.session),
	})
	if err != nil {
		return cognitoFailure(ctx, err, newPasswordErrors)
	}
	return signedIn(out.ChallengeName, out.Session, out.AuthenticationResult)
}

func (h *handler) refresh(r *http.Request) result {
	req, err := parseRefresh(r)
	if err != nil {
		return invalidRequest(err)
	}
	ctx, cancel := h.callContext(r)
	defer cancel()
	out, err := h.client.InitiateAuth(ctx, &cognitoidentityprovider.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		ClientId:       aws.String(h.cfg.ClientID),
		AuthParameters: map[string]string{"REFRESH_TOKEN": req.refreshToken},
	})
	if err != nil {
		return cognitoFailure(ctx, err, refreshErrors)
	}
	if out.ChallengeName != "" {
		return unsupportedChallenge(out.ChallengeName)
	}
	auth := out.AuthenticationResult
	if auth == nil || aws.ToString(auth.IdToken) == "" || aws.ToString(auth.AccessToken) == "" {
		return failed(http.StatusBadGateway, msgUnexpected, "no_tokens")
	}
	return result{status: http.StatusOK, body: refreshedTokens{
		IDToken:     aws.ToString(auth.IdToken),
		AccessToken: aws.ToString(auth.AccessToken),
		ExpiresIn:   auth.ExpiresIn,
		TokenType:   "Bearer",
	}}
}

// Tokens carry the field names of Cognito's own OAuth2 token endpoint.
type tokens struct {
	IDToken      string `json:"id_token"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int32  `json:"expires_in"`
	TokenType    string `json:"token_type"`
}

// refreshedTokens has no refresh_token: REFRESH_TOKEN_AUTH keeps the one the caller already holds.
type refreshedTokens struct {
	IDToken     string `json:"id_token"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int32  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

type challenge struct {
	ChallengeName string `json:"challenge_name"`
	Session       string `json:"session"`
}

// signedIn answers a sign-in step that Cognito accepted: tokens, the new-password challenge, or 501
// for a challenge this API cannot complete (MFA and the like).
func signedIn(name types.ChallengeNameType, session *string, auth *types.AuthenticationResultType) result {
	switch {
	case name == types.ChallengeNameTypeNewPasswordRequired && aws.ToString(session) == "":
		return failed(http.StatusBadGateway, msgUnexpected, "no_session")
	case name == types.ChallengeNameTypeNewPasswordRequired:
		return result{status: http.StatusOK, body: challenge{ChallengeName: string(name), Session: *session}}
	case name != "":
		return unsupportedChallenge(name)
	case auth == nil || aws.ToString(auth.IdToken) == "" || aws.ToString(auth.AccessToken) == "" ||
		aws.ToString(auth.RefreshToken) == "":
		return failed(http.StatusBadGateway, msgUnexpected, "no_tokens")
	}
	return result{status: http.StatusOK, body: tokens{
		IDToken:      aws.ToString(auth.IdToken),
		AccessToken:  aws.ToString(auth.AccessToken),
		RefreshToken: aws.ToString(auth.RefreshToken),
		ExpiresIn:    auth.ExpiresIn,
		TokenType:    "Bearer",
	}}
}

func unsupportedChallenge(name types.ChallengeNameType) result {
	r := failed(http.StatusNotImplemented,
		"sign-in needs the "+string(name)+" challenge, which this API does not support", "unsupported_challenge")
	r.challenge = string(name) // Cognito's enum value, not input: safe to show and log
	return r
}
