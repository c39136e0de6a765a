package login

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// logout revokes a refresh token (and the access tokens issued with it, for Cognito's own APIs). ID and
// access tokens stay valid at the API Gateway authorizer until they expire: it checks signatures only.
func (h *handler) logout(r *http.Request) result {
	req, err := parseRefresh(r)
	if err != nil {
		return invalidRequest(err)
	}
	ctx, cancel := h.callContext(r)
	defer cancel()
	// The app client is public: no ClientSecret.
	_, err = h.client.RevokeToken(ctx, &cognitoidentityprovider.RevokeTokenInput{
		ClientId: aws.String(h.cfg.ClientID),
		Token:    aws.String(req.refreshToken),
	})
	if err != nil {
		return cognitoFailure(ctx, err, logoutErrors)
	}
	return done(http.StatusOK, msgSignedOut)
}
