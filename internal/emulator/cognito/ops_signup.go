package cognito

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"
)

// The pool confirms accounts by link (VerificationMessageTemplate.DefaultEmailOption
// CONFIRM_WITH_LINK). Cognito's link is https://<prefix>.auth.<region>.amazoncognito.com/confirmUser
// ?client_id=..&user_name=..&confirmation_code=..; locally it is the same path on the emulator's
// port, http://127.0.0.1:<port>/confirmUser?..., because an IP literal opens in curl, browsers and Go's
// HTTP client alike with no DNS or hosts-file setup.
const confirmPath = "/confirmUser"

type userInput struct {
	ClientId         string
	Username         string
	Password         string
	ConfirmationCode string
	UserAttributes   []attribute
}

// publicUser decodes a call about one user of a client's pool; u is nil when the pool has none of that
// name. Callers get e.mu held and must unlock it.
func (e *Emulator) publicUser(r *request) (userInput, *client, *pool, *user, error) {
	var in userInput
	if err := decode(r, &in); err != nil {
		return in, nil, nil, nil, err
	}
	e.mu.Lock()
	c, p, err := e.clientLocked(in.ClientId)
	if err != nil {
		e.mu.Unlock()
		return in, nil, nil, nil, err
	}
	return in, c, p, p.lookup(in.Username), nil
}

// signUp creates an UNCONFIRMED account and mails its confirmation. The pool's password policy is
// checked before the name, so a weak password gets the same answer for a new and an existing
// address (Cognito documents no order; this is the side that tells nothing), and an existing name
// costs a password hash too, so the two answers take alike long. Where the pool lets only
// administrators create accounts, SignUp is refused
// (AdminCreateUserConfig.AllowAdminCreateUserOnly,
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUserConfigType.html).
// Past the daily mail quota the account is still created, UNCONFIRMED, and the answer is
// LimitExceededException (SignUp, https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html).
func (e *Emulator) signUp(r *request) (any, error) {
	in, c, p, _, err := e.publicUser(r)
	if err != nil {
		return nil, err
	}
	e.mu.Unlock()
	if p.set.adminCreateOnly {
		return nil, errorf("NotAuthorizedException", msgSignUpForbidden)
	}
	if perr := p.set.policy.check(in.Password); perr != nil {
		return nil, perr
	}
	hash, err := hashPassword(in.Password, e.opts.HashIterations)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p.lookup(in.Username) != nil || (p.set.emailUsername && p.emailTaken(in.Username, nil)) {
		if p.set.emailUsername {
			return nil, errorf("UsernameExistsException", "An account with the given email already exists.")
		}
		return nil, errorf("UsernameExistsException", "User already exists")
	}
	u, err := e.newUser(p, in.Username, in.UserAttributes)
	if err != nil {
		return nil, err
	}
	u.Status, u.Hash = "UNCONFIRMED", hash
	p.index(u)
	if err := e.mailCode(p, c, u, purposeSignUp, KindSignUp, "http://"+r.host); err != nil {
		return nil, err // the account exists, UNCONFIRMED, as Cognito leaves it
	}
	return map[string]any{"UserConfirmed": false, "UserSub": u.Attrs["sub"], "CodeDeliveryDetails": delivery(u.Attrs["email"])}, nil
}

// resendConfirmationCode mails a new link. With PreventUserExistenceErrors ENABLED an unknown or
// disabled user gets a simulated delivery
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html);
// a confirmed one gets InvalidParameterException, as Cognito answers.
func (e *Emulator) resendConfirmationCode(r *request) (any, error) {
	in, c, p, u, err := e.publicUser(r)
	if err != nil {
		return nil, err
	}
	defer e.mu.Unlock()
	if u == nil || !u.Enabled {
		if c.set.preventExistence {
			return map[string]any{"CodeDeliveryDetails": delivery(in.Username)}, nil
		}
		return nil, missingUser(u)
	}
	if u.Status != "UNCONFIRMED" {
		return nil, errorf("InvalidParameterException", msgAlreadyConfirm)
	}
	if err := e.mailCode(p, c, u, purposeSignUp, KindResend, "http://"+r.host); err != nil {
		return nil, err
	}
	return map[string]any{"CodeDeliveryDetails": delivery(u.Attrs["email"])}, nil
}

// confirmSignUp confirms an account with its code.
func (e *Emulator) confirmSignUp(r *request) (any, error) {
	in, c, p, u, err := e.publicUser(r)
	if err != nil {
		return nil, err
	}
	defer e.mu.Unlock()
	if u == nil || !u.Enabled {
		// The guide names no answer for a missing user here; the safe side is the wrong-code answer.
		if c.set.preventExistence {
			return nil, errorf("CodeMismatchException", msgCodeMismatch)
		}
		return nil, missingUser(u)
	}
	if err := e.confirmAccount(p, u, in.ConfirmationCode); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// missingUser is the LEGACY answer for a user that does not exist (nil) or is disabled.
func missingUser(u *user) error {
	if u == nil {
		return errorf("UserNotFoundException", msgUserNotFound)
	}
	return errorf("NotAuthorizedException", msgUserDisabled)
}

// confirmAccount confirms u when code is the one mailed to it, and verifies the email the code went
// to where the pool auto-verifies email. Callers hold e.mu.
func (e *Emulator) confirmAccount(p *pool, u *user, value string) error {
	if u.Status != "UNCONFIRMED" {
		return errorf("NotAuthorizedException", "User cannot be confirmed. Current status is "+u.Status)
	}
	if err := e.checkCode(u, purposeSignUp, value, errorf("CodeMismatchException", msgCodeMismatch)); err != nil {
		return err
	}
	delete(u.Codes, purposeSignUp)
	u.Status = "CONFIRMED"
	if p.set.autoVerifyEmail && u.Attrs["email"] != "" {
		u.Attrs["email_verified"] = "true"
	}
	return e.saveUser(u)
}

// serveConfirmLink confirms the account a mailed link names, answering a small page as the pool
// domain's confirmUser endpoint does. A wrong, spent or expired code confirms nothing, and wrong
// codes count against the code as ConfirmSignUp's do.
func (e *Emulator) serveConfirmLink(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	err := e.confirmLink(q.Get("client_id"), q.Get("user_name"), q.Get("confirmation_code"))
	var ae *apiError
	switch {
	case err == nil:
		confirmPage(w, http.StatusOK, "Your registration has been confirmed!")
	case errors.As(err, &ae) && ae.Type == "ExpiredCodeException":
		confirmPage(w, http.StatusBadRequest, "This link has expired. Please request a new one.")
	case errors.As(err, &ae):
		confirmPage(w, http.StatusBadRequest, "Invalid link provided, please request a new link.")
	default:
		e.log.ErrorContext(r.Context(), "cognito emulator: confirmation link", "error", err)
		confirmPage(w, http.StatusInternalServerError, "An error was encountered with the requested page.")
	}
}

func (e *Emulator) confirmLink(clientID, username, value string) error {
	if clientID == "" || username == "" || value == "" {
		return errorf("InvalidParameterException", "incomplete link")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, p, err := e.clientLocked(clientID)
	if err != nil {
		return err
	}
	u := p.lookup(username)
	if u == nil || !u.Enabled {
		return errorf("CodeMismatchException", msgCodeMismatch)
	}
	return e.confirmAccount(p, u, value)
}

func confirmPage(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Confirm your account</title></head>\n<body><p>%s</p></body></html>\n", html.EscapeString(message))
}

// forgotPassword mails a reset code. With PreventUserExistenceErrors ENABLED, "When a user isn't
// found, is deactivated, or doesn't have a verified delivery mechanism to recover their password,
// Amazon Cognito returns CodeDeliveryDetails with a simulated delivery medium"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html).
// An account an administrator created must first sign in with its temporary password.
func (e *Emulator) forgotPassword(r *request) (any, error) {
	in, c, p, u, err := e.publicUser(r)
	if err != nil {
		return nil, err
	}
	defer e.mu.Unlock()
	if u == nil || !u.Enabled || u.Attrs["email_verified"] != "true" {
		if c.set.preventExistence {
			return map[string]any{"CodeDeliveryDetails": delivery(in.Username)}, nil
		}
		if u == nil || !u.Enabled {
			return nil, missingUser(u)
		}
		return nil, errorf("InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	if u.Status == "FORCE_CHANGE_PASSWORD" {
		return nil, errorf("NotAuthorizedException", "User password cannot be reset in the current state.")
	}
	if err := e.mailCode(p, c, u, purposeReset, KindForgot); err != nil {
		return nil, err
	}
	return map[string]any{"CodeDeliveryDetails": delivery(u.Attrs["email"])}, nil
}

// confirmForgotPassword sets a new password with the mailed code: "CodeMismatchException error for
// users that don't exist or are disabled. If a code isn't requested when using ForgotPassword, Amazon
// Cognito returns the ExpiredCodeException error" (same page); a code past its hour is expired too.
// The code stays good for a retry when only the new password breaks the policy.
func (e *Emulator) confirmForgotPassword(r *request) (any, error) {
	in, c, p, u, err := e.publicUser(r)
	if err != nil {
		return nil, err
	}
	if u == nil || !u.Enabled {
		e.mu.Unlock()
		if c.set.preventExistence {
			return nil, errorf("CodeMismatchException", msgCodeMismatch)
		}
		return nil, missingUser(u)
	}
	err = e.checkCode(u, purposeReset, in.ConfirmationCode, errorf("ExpiredCodeException", msgCodeExpired))
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if perr := p.set.policy.check(in.Password); perr != nil {
		return nil, perr
	}
	hash, err := hashPassword(in.Password, e.opts.HashIterations)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p.users[u.Username] != u || !u.Enabled {
		return nil, errorf("CodeMismatchException", msgCodeMismatch) // deleted or disabled meanwhile
	}
	// Checked again: another call may have spent the code meanwhile.
	if err := e.checkCode(u, purposeReset, in.ConfirmationCode, errorf("ExpiredCodeException", msgCodeExpired)); err != nil {
		return nil, err
	}
	delete(u.Codes, purposeReset)
	u.Hash, u.Status, u.Failed, u.LockedUntil, u.LastFailure = hash, "CONFIRMED", 0, 0, 0
	return struct{}{}, e.saveUser(u)
}

// delivery is the CodeDeliveryDetails of a message emailed to address. Real and simulated deliveries
// are built alike, so that their shape tells nothing about the account.
func delivery(address string) map[string]string {
	return map[string]string{"Destination": maskEmail(address), "DeliveryMedium": "EMAIL", "AttributeName": "email"}
}

// maskEmail masks an address as Cognito's CodeDeliveryDetails do: jane@example.com is j***@e***.com.
func maskEmail(address string) string {
	local, domain, ok := strings.Cut(address, "@")
	if !ok || local == "" || domain == "" {
		return "***"
	}
	tld := ""
	if i := strings.LastIndex(domain, "."); i > 0 {
		tld = domain[i:]
	}
	return local[:1] + "***@" + domain[:1] + "***" + tld
}
