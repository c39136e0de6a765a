package cognito_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestRevokeTokenRevokesTheRefreshTokenAndItsAccessTokens(t *testing.T) {
	e := newEnv(t)
	pool := e.createPool(t, false)
	client := e.createClient(t, pool, func(in *cip.CreateUserPoolClientInput) { in.EnableTokenRevocation = aws.Bool(true) })
	other := e.createClient(t, pool, nil)
	e.confirmedUser(t, pool, "jane@example.com")
	login, err := e.login(t, client, "jane@example.com", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	refreshToken := login.AuthenticationResult.RefreshToken
	refresh := func() error {
		_, err := e.api.InitiateAuth(ctx(t), &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(refreshToken)}})
		return err
	}
	getUser := func() error {
		_, err := e.api.GetUser(ctx(t), &cip.GetUserInput{AccessToken: login.AuthenticationResult.AccessToken})
		return err
	}
	revoke := func(clientID, token string) error {
		_, err := e.api.RevokeToken(ctx(t), &cip.RevokeTokenInput{ClientId: aws.String(clientID), Token: aws.String(token)})
		return err
	}

	steps := []struct {
		name, code, message string
		do                  func() error
	}{
		{name: "refresh works before revocation", do: refresh},
		{name: "the re-signed access token works at GetUser", do: getUser},
		{name: "another client cannot revoke the token", code: "UnauthorizedException",
			do: func() error { return revoke(other, aws.ToString(refreshToken)) }},
		{name: "refresh still works after a refused revocation", do: refresh},
		{name: "revocation succeeds", do: func() error { return revoke(client, aws.ToString(refreshToken)) }},
		{name: "refresh is refused after revocation", code: "NotAuthorizedException", message: "Refresh Token has been revoked", do: refresh},
		{name: "the access token issued with it is refused", code: "NotAuthorizedException", message: "Access Token has been revoked", do: getUser},
		{name: "revoking again succeeds", do: func() error { return revoke(client, aws.ToString(refreshToken)) }},
		{name: "revoking an unknown token succeeds", do: func() error { return revoke(client, "not-a-token-we-issued") }},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { wantAPIError(t, s.do(), s.code, s.message) })
	}
	// Another sign-in is a new session, unaffected.
	again, err := e.login(t, client, "jane@example.com", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.GetUser(ctx(t), &cip.GetUserInput{AccessToken: again.AuthenticationResult.AccessToken}); err != nil {
		t.Fatalf("a new session's access token: %v", err)
	}
}

func TestRevokeTokenRefusedWhereTheClientDisablesRevocation(t *testing.T) {
	e := newEnv(t)
	pool := e.createPool(t, false)
	client := e.createClient(t, pool, func(in *cip.CreateUserPoolClientInput) { in.EnableTokenRevocation = aws.Bool(false) })
	_, err := e.api.RevokeToken(ctx(t), &cip.RevokeTokenInput{ClientId: aws.String(client), Token: aws.String("any")})
	wantAPIError(t, err, "UnsupportedOperationException", "")
	_, err = e.api.RevokeToken(ctx(t), &cip.RevokeTokenInput{ClientId: aws.String("nosuchclient"), Token: aws.String("any")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}
