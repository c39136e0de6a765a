package login

import (
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// Errors are matched by Cognito's code, not by the SDK's types: each operation's model lists only some
// of the errors it can return (RevokeToken's has no NotAuthorizedException, ForgotPassword's no
// UserNotConfirmedException), and the rest arrive as generic API errors with the same code.
//
// The sources these mappings rely on, cited below by name:
//   - [errors page]: "Managing user existence error responses", what Cognito answers for a missing
//     account when the app client's PreventUserExistenceErrors is ENABLED, as the auth stack's is:
//     https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html
//   - [unconfirmed]: Cognito answers UserNotConfirmedException whatever the password, and its
//     maintainers call that intended: https://github.com/aws/aws-sdk-js/issues/4608,
//     https://github.com/aws-amplify/amplify-flutter/issues/3407
//
// PreventUserExistenceErrors hides only the missing account; the answers for existing accounts in
// other states still differ, so each route below folds them into one answer itself.

func loginErrors(err error) (result, bool) {
	switch {
	// NotAuthorizedException: a wrong password, a disabled account, and a missing one under ENABLED
	// ([errors page]); UserNotFoundException: a missing one if the client is ever set to LEGACY.
	case hasCode(err, "NotAuthorizedException"), hasCode(err, "UserNotFoundException"),
		// Whatever the password: telling it apart says the address has signed up ([unconfirmed]).
		hasCode(err, "UserNotConfirmedException"),
		// Whether Cognito checks the password before answering this is undocumented: AWS says it comes
		// whatever PreventUserExistenceErrors says (https://github.com/aws-amplify/aws-sdk-ios/issues/2298),
		// while the [errors page] says imported users get NotAuthorizedException instead. The safe side:
		// the caller has not proved the password, so the same 401.
		hasCode(err, "PasswordResetRequiredException"):
		return failed(http.StatusUnauthorized, msgBadCredentials, ""), true
	}
	return result{}, false
}

func newPasswordErrors(err error) (result, bool) {
	if r, ok := weakPassword(err); ok {
		return r, true
	}
	switch {
	// The session was issued after Cognito checked the password: the caller has proved it, and may be
	// told what to do.
	case hasCode(err, "PasswordResetRequiredException"):
		return failed(http.StatusForbidden, msgResetRequired, ""), true
	case hasCode(err, "NotAuthorizedException"), hasCode(err, "ExpiredCodeException"),
		hasCode(err, "CodeMismatchException"), hasCode(err, "UserNotFoundException"),
		hasCode(err, "UserNotConfirmedException"):
		return failed(http.StatusUnauthorized, msgBadSession, ""), true
	}
	return result{}, false
}

func refreshErrors(err error) (result, bool) {
	if hasCode(err, "NotAuthorizedException") || hasCode(err, "UserNotFoundException") ||
		hasCode(err, "UserNotConfirmedException") || hasCode(err, "PasswordResetRequiredException") ||
		hasCode(err, "RefreshTokenReuseException") {
		return failed(http.StatusUnauthorized, msgBadRefreshToken, ""), true
	}
	return result{}, false
}

// weakPassword is Cognito's refusal of a password by the pool's policy, answered with its reason:
// Cognito's message names the rule broken and never contains the password.
func weakPassword(err error) (result, bool) {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode() == "InvalidPasswordException" ||
		apiErr.ErrorCode() == "PasswordHistoryPolicyViolationException") {
		return failed(http.StatusBadRequest, orDefault(apiErr.ErrorMessage(), msgWeakPassword), ""), true
	}
	return result{}, false
}

func signUpErrors(err error) (result, bool) {
	if r, ok := weakPassword(err); ok {
		return r, true
	}
	switch {
	// SignUp "always returns UsernameExistsException when a username is already taken", whatever
	// PreventUserExistenceErrors says ([errors page]); a taken address is answered like a new one.
	case hasCode(err, "UsernameExistsException"):
		return done(http.StatusAccepted, msgLinkSent), true
	// Failures to send the link, and the daily email quota (LimitExceededException), are only met by a
	// new address: a taken one is refused before any email. Answering them differently would tell
	// the two apart, so they are answered alike and logged as a warning for the deployer.
	case hasCode(err, "CodeDeliveryFailureException"), hasCode(err, "LimitExceededException"),
		hasCode(err, "InvalidEmailRoleAccessPolicyException"):
		r := done(http.StatusAccepted, msgLinkSent)
		r.concealed = true
		return r, true
	// "SignUp is not permitted for this user pool": AllowAdminCreateUserOnly (the auth stack's
	// SelfSignUp=false), as in https://github.com/pmill/aws-cognito/issues/37. A public client has no
	// secret, the other cause of NotAuthorizedException here.
	case hasCode(err, "NotAuthorizedException"):
		return failed(http.StatusForbidden, msgSignUpClosed, ""), true
	// A value Cognito refuses that the checks before the call let through (its email or password
	// pattern). Its message can quote the value, so ours is fixed.
	case hasCode(err, "InvalidParameterException"):
		return failed(http.StatusBadRequest, msgRefusedAccount, ""), true
	}
	return result{}, false
}

// concealAccountErrors is for ResendConfirmationCode and ForgotPassword, whose answer must be the same
// whatever the account's state. Under ENABLED Cognito simulates a delivery for a missing or disabled
// account, and for one without a verified address ([errors page]); but it still refuses some existing
// accounts (InvalidParameterException for an already confirmed one, NotAuthorizedException for one
// that must first change its temporary password, and the page itself says these APIs "alternate"
// with InvalidParameterException), and only real deliveries can fail or hit the per-account attempt
// limit (CodeDeliveryFailureException, LimitExceededException). So every refusal Cognito makes of
// this one request (a 4xx) is answered as success, with the message of success. Only what is the same
// for every account keeps its own answer: the service's own throttling (TooManyRequestsException), a
// wrong client id (ResourceNotFoundException), 5xx, timeouts.
func concealAccountErrors(message string) routeErrors {
	return func(err error) (result, bool) {
		var respErr *awshttp.ResponseError
		if !errors.As(err, &respErr) || respErr.HTTPStatusCode() < 400 || respErr.HTTPStatusCode() >= 500 ||
			hasCode(err, "TooManyRequestsException") || hasCode(err, "ResourceNotFoundException") {
			return result{}, false
		}
		r := done(http.StatusAccepted, message)
		// The refusals that only say what state the account is in are routine; anything else (a
		// delivery failure, a quota, a misconfiguration) is a warning for the deployer.
		r.concealed = !hasCode(err, "UserNotFoundException") && !hasCode(err, "InvalidParameterException") &&
			!hasCode(err, "NotAuthorizedException") && !hasCode(err, "UserNotConfirmedException")
		return r, true
	}
}

func resetErrors(err error) (result, bool) {
	if r, ok := weakPassword(err); ok {
		return r, true
	}
	switch {
	// Under ENABLED a missing or disabled account gets CodeMismatchException, and one that asked for
	// no code ExpiredCodeException ([errors page]); the other refusals are about one existing
	// account (too many wrong codes, its attempt limit, its state) or LEGACY's missing account. One
	// message for all of them.
	case hasCode(err, "CodeMismatchException"), hasCode(err, "ExpiredCodeException"),
		hasCode(err, "UserNotFoundException"), hasCode(err, "NotAuthorizedException"),
		hasCode(err, "UserNotConfirmedException"), hasCode(err, "TooManyFailedAttemptsException"),
		hasCode(err, "LimitExceededException"), hasCode(err, "InvalidParameterException"):
		return failed(http.StatusBadRequest, msgBadCode, ""), true
	}
	return result{}, false
}

// logoutErrors answers signing out with a token Cognito will not revoke as a success: signing out
// twice is not an error. What RevokeToken answers for an unknown, malformed, already revoked or
// foreign token is undocumented (its API reference lists UnauthorizedException, "the request isn't
// authorized", and UnsupportedTokenTypeException, "an unsupported token is passed"); RFC 7009 §2.2,
// which Cognito's own /oauth2/revoke endpoint follows, answers 200 for an invalid token. A client
// without token revocation (UnsupportedOperationException) stays a 502: that sign-out would not work.
func logoutErrors(err error) (result, bool) {
	if hasCode(err, "UnauthorizedException") || hasCode(err, "UnsupportedTokenTypeException") ||
		hasCode(err, "NotAuthorizedException") || hasCode(err, "InvalidParameterException") {
		return done(http.StatusOK, msgSignedOut), true
	}
	return result{}, false
}
