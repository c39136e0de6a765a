package login

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// breaksPolicy answers a password the pool's policy refuses: 400 with Cognito's own reason, the
// answer Cognito gives (InvalidPasswordException), here for every account alike.
func (h *handler) breaksPolicy(password string) (result, bool) {
	if err := h.cfg.PasswordPolicy.Check(password); err != nil {
		return failed(http.StatusBadRequest, err.Error(), "password_policy"), true
	}
	return result{}, false
}

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
	// Before the code is checked: whether Cognito checks the code or the policy first for an existing
	// account, and what it answers a missing one, would otherwise decide the answer.
	if res, weak := h.breaksPolicy(req.newPassword); weak {
		return res
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
