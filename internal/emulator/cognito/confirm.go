package cognito

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// The pool confirms accounts by link (VerificationMessageTemplate.DefaultEmailOption
// CONFIRM_WITH_LINK). Cognito's link is https://<prefix>.auth.<region>.amazoncognito.com/confirmUser
// ?client_id=..&user_name=..&confirmation_code=..; locally it is the same path on the Front,
// http://127.0.0.1:<port>/confirmUser?..., because an IP literal opens in curl, browsers and Go's
// HTTP client alike with no DNS or hosts-file setup, where a name such as
// <prefix>.auth.<region>.localhost resolves only in some of them.

const confirmPath = "/confirmUser"

type userInput struct {
	ClientId         string
	Username         string
	ConfirmationCode string
	Password         string
}

// signUp forwards SignUp, which moto implements, after refusing it where the pool lets only
// administrators create accounts, which moto ignores (AdminCreateUserConfig.AllowAdminCreateUserOnly:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUserConfigType.html);
// then mails the new account its confirmation link.
func (f *Front) signUp(ctx context.Context, c *call) (*reply, error) {
	var in userInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	ci, err := f.client(ctx, in.ClientId)
	if err != nil {
		return nil, err
	}
	pi, err := f.pool(ctx, ci.PoolID)
	if err != nil {
		return nil, err
	}
	if pi.adminCreateOnly {
		return nil, errorf("NotAuthorizedException", msgSignUpForbidden)
	}
	rep, err := f.forward(ctx, c)
	if err != nil || rep.apiError() != nil {
		return rep, err // UsernameExistsException included, as Cognito answers whatever the client's settings
	}
	var out struct {
		UserConfirmed bool
		UserSub       string
	}
	if err := json.Unmarshal(rep.body, &out); err != nil {
		return nil, fmt.Errorf("decode SignUp answer: %w", err)
	}
	if !out.UserConfirmed {
		u, err := f.lookupUser(ctx, ci.PoolID, out.UserSub)
		if err != nil || u == nil {
			return nil, fmt.Errorf("find the new user: %v", err)
		}
		if _, err := f.mailConfirmation(c, ci, u, KindSignUp); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// userCall decodes a call about one user of a client's pool and finds the client and the user; the
// user is nil when the pool has none of that name.
func (f *Front) userCall(ctx context.Context, c *call) (userInput, *clientInfo, *user, error) {
	var in userInput
	if err := decode(c, &in); err != nil {
		return in, nil, nil, err
	}
	ci, err := f.client(ctx, in.ClientId)
	if err != nil {
		return in, nil, nil, err
	}
	u, err := f.lookupUser(ctx, ci.PoolID, in.Username)
	return in, ci, u, err
}

// resendConfirmationCode serves ResendConfirmationCode, which moto lacks. With
// PreventUserExistenceErrors ENABLED an unknown or disabled user gets a simulated delivery
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html);
// a confirmed one gets InvalidParameterException, as Cognito answers.
func (f *Front) resendConfirmationCode(ctx context.Context, c *call) (*reply, error) {
	in, ci, u, err := f.userCall(ctx, c)
	if err != nil {
		return nil, err
	}
	if u == nil || !u.Enabled {
		if ci.preventExistence {
			return jsonReply(map[string]any{"CodeDeliveryDetails": delivery(in.Username)})
		}
		return nil, missingUser(u)
	}
	if u.Status != types.UserStatusTypeUnconfirmed {
		return nil, errorf("InvalidParameterException", msgAlreadyConfirm)
	}
	d, err := f.mailConfirmation(c, ci, u, KindResend)
	if err != nil {
		return nil, err
	}
	return jsonReply(map[string]any{"CodeDeliveryDetails": d})
}

// confirmSignUp serves ConfirmSignUp, checking the code (moto accepts any).
func (f *Front) confirmSignUp(ctx context.Context, c *call) (*reply, error) {
	in, ci, u, err := f.userCall(ctx, c)
	if err != nil {
		return nil, err
	}
	if u == nil || !u.Enabled {
		// The guide names no answer for a missing user here; the safe side is the wrong-code answer.
		if ci.preventExistence {
			return nil, errorf("CodeMismatchException", msgCodeMismatch)
		}
		return nil, missingUser(u)
	}
	if err := f.confirmAccount(ctx, ci, u, in.ConfirmationCode); err != nil {
		return nil, err
	}
	return jsonReply(struct{}{})
}

// missingUser is the LEGACY answer for a user that does not exist (nil) or is disabled.
func missingUser(u *user) error {
	if u == nil {
		return errorf("UserNotFoundException", msgUserNotFound)
	}
	return errorf("NotAuthorizedException", msgUserDisabled)
}

// confirmAccount confirms u when code is the one mailed to it, and verifies the email the code
// went to, as confirming by code does where the pool auto-verifies email (moto does neither check).
func (f *Front) confirmAccount(ctx context.Context, ci *clientInfo, u *user, code string) error {
	if u.Status != types.UserStatusTypeUnconfirmed {
		return errorf("NotAuthorizedException", "User cannot be confirmed. Current status is "+string(u.Status))
	}
	check, restore := f.takeCode(codeKey{purposeSignUp, ci.PoolID, u.Username}, code)
	switch check {
	case codeExpired:
		return errorf("ExpiredCodeException", msgCodeExpired)
	case codeNone, codeWrong:
		return errorf("CodeMismatchException", msgCodeMismatch)
	}
	if _, err := f.admin.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &ci.PoolID, Username: &u.Username}); err != nil {
		restore()
		return fmt.Errorf("confirm user: %w", sdkError(err))
	}
	pi, err := f.pool(ctx, ci.PoolID)
	if err != nil {
		return err
	}
	if pi.autoVerifyEmail && u.Email != "" {
		_, err := f.admin.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: &ci.PoolID, Username: &u.Username,
			UserAttributes: []types.AttributeType{{Name: aws.String("email_verified"), Value: aws.String("true")}},
		})
		if err != nil {
			return fmt.Errorf("verify email: %w", sdkError(err))
		}
	}
	return nil
}

// mailConfirmation issues a new sign-up code for u and mails its link.
func (f *Front) mailConfirmation(c *call, ci *clientInfo, u *user, kind string) (map[string]string, error) {
	code, err := f.newCode(codeKey{purposeSignUp, ci.PoolID, u.Username}, signUpCodeTTL)
	if err != nil {
		return nil, err
	}
	base := f.cfg.PublicURL
	if base == "" {
		base = "http://" + c.host
	}
	link := base + confirmPath + "?client_id=" + url.QueryEscape(ci.ID) + "&user_name=" + url.QueryEscape(u.Username) +
		"&confirmation_code=" + url.QueryEscape(code)
	err = f.send(Message{To: u.Email, Kind: kind, Subject: "Confirm your email address", Link: link, UserPoolID: ci.PoolID, ClientID: ci.ID, Username: u.Username})
	return delivery(u.Email), err
}

// send mails msg; the log line says that it was sent, never what it carries.
func (f *Front) send(msg Message) error {
	msg.Time = f.now().UTC()
	f.log.Info("cognito emulator: message mailed", "kind", msg.Kind, "user_pool_id", msg.UserPoolID)
	if f.cfg.Mail == nil {
		return nil
	}
	return f.cfg.Mail.Send(msg)
}

// serveConfirmLink confirms the account a mailed link names, answering a small page as the pool
// domain's confirmUser endpoint does. A wrong, reused or expired code confirms nothing.
func (f *Front) serveConfirmLink(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	err := f.confirmLink(r.Context(), q.Get("client_id"), q.Get("user_name"), q.Get("confirmation_code"))
	var ae *apiError
	switch {
	case err == nil:
		confirmPage(w, http.StatusOK, "Your registration has been confirmed!")
	case errors.As(err, &ae) && ae.Type == "ExpiredCodeException":
		confirmPage(w, http.StatusBadRequest, "This link has expired. Please request a new one.")
	case errors.As(err, &ae):
		confirmPage(w, http.StatusBadRequest, "Invalid link provided, please request a new link.")
	default:
		f.log.ErrorContext(r.Context(), "cognito emulator: confirmation link", "error", err)
		confirmPage(w, http.StatusInternalServerError, "An error was encountered with the requested page.")
	}
}

func (f *Front) confirmLink(ctx context.Context, clientID, username, code string) error {
	if clientID == "" || username == "" || code == "" {
		return errorf("InvalidParameterException", "incomplete link")
	}
	ci, err := f.client(ctx, clientID)
	if err != nil {
		return err
	}
	u, err := f.lookupUser(ctx, ci.PoolID, username)
	if err != nil {
		return err
	}
	if u == nil || !u.Enabled {
		return errorf("CodeMismatchException", msgCodeMismatch)
	}
	return f.confirmAccount(ctx, ci, u, code)
}

func confirmPage(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Confirm your account</title></head>\n<body><p>%s</p></body></html>\n", html.EscapeString(message))
}
