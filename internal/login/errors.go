package login

import (
	"context"
	"errors"
	"net"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// What callers read. Sign-in has one 401 message so that a wrong password, an unknown user and a
// disabled user cannot be told apart.
const (
	msgBadCredentials   = "Incorrect username or password"
	msgBadSession       = "session is invalid or has expired: sign in again"
	msgBadRefreshToken  = "refresh token is invalid, expired or revoked: sign in again"
	msgWeakPassword     = "new password does not meet the password policy"
	msgNotConfirmed     = "account is not confirmed yet: follow the link in the email we sent you, then sign in again"
	msgResetRequired    = "password must be reset before you can sign in: reset it, then sign in with the new one"
	msgThrottled        = "too many requests: try again in a moment"
	msgUnavailable      = "the sign-in service is unavailable: try again later"
	msgTimeout          = "the sign-in service did not answer in time: try again"
	msgUnexpected       = "the sign-in service gave an unexpected answer"
	msgMissingAuthToken = "Missing Authentication Token"
	msgInternal         = "Internal server error"
)

// Cognito's quotas are per second, so a throttled caller may try again after one.
const retryAfterSeconds = "1"

// routeErrors maps the Cognito errors whose meaning depends on the route; ok is false for the rest.
type routeErrors func(err error) (r result, ok bool)

func loginErrors(err error) (result, bool) {
	// NotAuthorizedException covers a wrong password and a disabled user, and an unknown user when the
	// client prevents user-existence errors; UserNotFoundException is the unknown user when it does not.
	if isA[*types.NotAuthorizedException](err) || isA[*types.UserNotFoundException](err) {
		return failed(http.StatusUnauthorized, msgBadCredentials, ""), true
	}
	return result{}, false
}

func newPasswordErrors(err error) (result, bool) {
	var weak *types.InvalidPasswordException
	var reused *types.PasswordHistoryPolicyViolationException
	switch {
	case errors.As(err, &weak):
		// Cognito's message is the policy rule the password breaks; it never contains the password.
		return failed(http.StatusBadRequest, orDefault(weak.ErrorMessage(), msgWeakPassword), ""), true
	case errors.As(err, &reused):
		return failed(http.StatusBadRequest, orDefault(reused.ErrorMessage(), msgWeakPassword), ""), true
	case isA[*types.NotAuthorizedException](err), isA[*types.ExpiredCodeException](err),
		isA[*types.CodeMismatchException](err), isA[*types.UserNotFoundException](err),
		// moto, the local emulator, answers an unknown session with ResourceNotFoundException.
		isA[*types.ResourceNotFoundException](err):
		return failed(http.StatusUnauthorized, msgBadSession, ""), true
	}
	return result{}, false
}

func refreshErrors(err error) (result, bool) {
	if isA[*types.NotAuthorizedException](err) || isA[*types.UserNotFoundException](err) ||
		hasCode(err, "RefreshTokenReuseException") {
		return failed(http.StatusUnauthorized, msgBadRefreshToken, ""), true
	}
	return result{}, false
}

// cognitoFailure is the answer to a Cognito call that failed with err; ctx is the call's context.
// Nothing the caller sent can lead here with a 5xx: bad input was refused before the call.
func cognitoFailure(ctx context.Context, err error, specific routeErrors) result {
	r := classify(ctx, err, specific)
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		r.cognitoError = apiErr.ErrorCode()
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		r.cognitoRequestID = respErr.ServiceRequestID()
	}
	return r
}

func classify(ctx context.Context, err error, specific routeErrors) result {
	if r, ok := specific(err); ok {
		return r
	}
	var apiErr smithy.APIError
	var respErr *smithyhttp.ResponseError
	switch {
	case isA[*types.UserNotConfirmedException](err):
		return failed(http.StatusForbidden, msgNotConfirmed, "")
	case isA[*types.PasswordResetRequiredException](err):
		return failed(http.StatusForbidden, msgResetRequired, "")
	// LimitExceededException is not modelled for these operations, so it arrives as a generic error.
	case isA[*types.TooManyRequestsException](err), hasCode(err, "LimitExceededException"):
		r := failed(http.StatusTooManyRequests, msgThrottled, "")
		r.retryAfter = retryAfterSeconds
		return r
	case errors.As(err, &apiErr) && apiErr.ErrorFault() == smithy.FaultServer,
		errors.As(err, &respErr) && respErr.HTTPStatusCode() >= 500:
		return failed(http.StatusServiceUnavailable, msgUnavailable, "cognito_5xx")
	// After the 5xx case: an answer that came in time counts, even if the deadline passed since. Before
	// the connection case: a deadline reached while sending is a RequestSendError too.
	case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return failed(http.StatusGatewayTimeout, msgTimeout, "deadline")
	case unreachable(err):
		return failed(http.StatusServiceUnavailable, msgUnavailable, "connection")
	default:
		// A misconfigured client id (ResourceNotFoundException), a flow the client does not allow
		// (InvalidParameterException), a broken pool: the deployer's problem, not the caller's.
		return failed(http.StatusBadGateway, msgUnexpected, "unexpected_error")
	}
}

// unreachable reports a failure to reach Cognito at all: DNS, a refused or reset connection, TLS. The
// SDK wraps every transport failure in a RequestSendError; a reset while reading the answer is a net.Error.
func unreachable(err error) bool {
	var sendErr *smithyhttp.RequestSendError
	var netErr net.Error
	return errors.As(err, &sendErr) || errors.As(err, &netErr)
}

func isA[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

func hasCode(err error, code string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
}

func orDefault(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
