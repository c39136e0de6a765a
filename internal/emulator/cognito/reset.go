package cognito

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Password reset. moto answers ForgotPassword for anyone (with a made-up destination for a missing
// user) and hands its code out in a response header; its ConfirmForgotPassword accepts any code not
// in its own format and sets the password without the pool's policy. The layer issues and mails
// the code, checks it, and sets the password through AdminSetUserPassword, which enforces the policy.

// forgotPassword serves ForgotPassword. moto checks the client and the pool's recovery setting
// (admin_only is refused); the layer decides who gets a code. With PreventUserExistenceErrors
// ENABLED, "When a user isn't found, is deactivated, or doesn't have a verified delivery mechanism
// to recover their password, Amazon Cognito returns CodeDeliveryDetails with a simulated delivery
// medium" (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html).
func (f *Front) forgotPassword(ctx context.Context, c *call) (*reply, error) {
	var in userInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	ci, err := f.client(ctx, in.ClientId)
	if err != nil {
		return nil, err
	}
	rep, err := f.forward(ctx, c)
	if err != nil || rep.apiError() != nil {
		return rep, err
	}
	u, err := f.lookupUser(ctx, ci.PoolID, in.Username)
	if err != nil {
		return nil, err
	}
	if u == nil || !u.Enabled || !u.EmailVerified {
		if ci.preventExistence {
			return jsonReply(map[string]any{"CodeDeliveryDetails": delivery(in.Username)})
		}
		if u == nil || !u.Enabled {
			return nil, missingUser(u)
		}
		return nil, errorf("InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	if u.Status == types.UserStatusTypeForceChangePassword {
		// An account created by an administrator must first sign in with its temporary password.
		return nil, errorf("NotAuthorizedException", "User password cannot be reset in the current state.")
	}
	code, err := f.newCode(codeKey{purposeReset, ci.PoolID, u.Username}, resetCodeTTL)
	if err != nil {
		return nil, err
	}
	msg := Message{To: u.Email, Kind: KindForgot, Subject: "Your password reset code", Code: code, UserPoolID: ci.PoolID, ClientID: ci.ID, Username: u.Username}
	if err := f.send(msg); err != nil {
		return nil, err
	}
	return jsonReply(map[string]any{"CodeDeliveryDetails": delivery(u.Email)})
}

// confirmForgotPassword serves ConfirmForgotPassword: "CodeMismatchException error for users that
// don't exist or are disabled. If a code isn't requested when using ForgotPassword, Amazon Cognito
// returns the ExpiredCodeException error" (same page); a code past its hour is expired too.
func (f *Front) confirmForgotPassword(ctx context.Context, c *call) (*reply, error) {
	in, ci, u, err := f.userCall(ctx, c)
	if err != nil {
		return nil, err
	}
	if u == nil || !u.Enabled {
		if ci.preventExistence {
			return nil, errorf("CodeMismatchException", msgCodeMismatch)
		}
		return nil, missingUser(u)
	}
	check, restore := f.takeCode(codeKey{purposeReset, ci.PoolID, u.Username}, in.ConfirmationCode)
	switch check {
	case codeNone, codeExpired:
		return nil, errorf("ExpiredCodeException", msgCodeExpired)
	case codeWrong:
		return nil, errorf("CodeMismatchException", msgCodeMismatch)
	}
	_, err = f.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: &ci.PoolID, Username: &u.Username, Password: aws.String(in.Password), Permanent: true,
	})
	if err != nil {
		restore() // the code stays good for a password that meets the policy
		return nil, fmt.Errorf("set password: %w", sdkError(err))
	}
	return jsonReply(struct{}{})
}
