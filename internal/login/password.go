package login

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// forgotPassword asks Cognito to email a reset code. Same answer whether the account exists or not.
func (h *handler) forgotPassword(r *http.Request) result {
	user, err := parseUsername(r)
	if err != nil {
		return invalidRequest(err)
	}
	ctx, cancel := h.callContext(r)
	defer cancel()
	_, err = h.client.ForgotPassword(ctx, &cognitoidentityprovider.ForgotPasswordInput{
		ClientId: aws.String(h.cfg.ClientID),
		Username: aws.String(user),
	})
	if err != nil {
		return cognitoFailure(ctx, err, concealAccountErrors(msgResetCodeSent))
	}
	return done(http.StatusAccepted, msgResetCodeSent)
}

// resetPassword sets a new password with the emailed code; afterwards only the new one signs in.
func (h *handler) resetPassword(r *http.Request) result {
	req, err := parseReset(r)
	if err != nil {
		return invalidRequest(err)
	}
	ctx, cancel := h.callContext(r)
	defer cancel()
	_, err = h.client.ConfirmForgotPassword(ctx, &cognitoidentityprovider.ConfirmForgotPasswordInput{
		ClientId:         aws.String(h.cfg.ClientID),
		Username:         aws.String(req.username),
		ConfirmationCode: aws.String(req.code),
		Password:         aws.String(req.newPassword),
	})
	if err != nil {
		return cognitoFailure(ctx, err, resetErrors)
	}
	return done(http.StatusOK, msgPasswordChanged)
}
