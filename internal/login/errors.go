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

// What callers read. Each route has one message per outcome that must not tell accounts apart: sign-in
// has one 401 for a wrong password and an unknown, disabled, unconfirmed or reset-required account.
const (
	msgBadCredentials   = "Incorrect username or password"
	msgBadSession       = "session is invalid or has expired: sign in again"
	msgBadRefreshToken  = "refresh token is invalid, expired or revoked: sign in again"
	msgWeakPassword     = "password does not meet the password policy"
	msgResetRequired    = "password must be reset before you can sign in: reset it with POST /password/forgot, then sign in with the new one"
	msgLinkSent         = "if this address can be confirmed, a confirmation link is on its way to it: open the link, then sign in"
	msgResetCodeSent    = "if an account uses this address, a reset code is on its way to it: send it to POST /password/reset with a new password"
	msgPasswordChanged  = "password changed: sign in with the new password"
	msgBadCode          = "code is wrong or has expired: ask for a new one with POST /password/forgot"
	msgSignedOut        = "signed out: the refresh token no longer works"
	msgSignUpClosed     = "sign-up is closed: only an administrator can create accounts"
	msgRefusedAccount   = "the account cannot be created with this username and password: check both"
	msgThrottled        = "too many requests: try again in a moment"
	msgUnavailable      = "the sign-in service is unavailable: try again later"
	msgTimeout          = "the sign-in service did not answer in time: try again"
	msgUnexpected       = "the sign-in service gave an unexpected answer"
	msgMissingAuthToken = "Missing Authentication Token"
	msgInternal         = "Internal server error"
)

// Cognito's quotas are per second, so a throttled caller may try again after one.
const retryAfterSeconds = "1"

// routeErrors maps the Cognito errors whose meaning depends on the route (routeerrors.go); ok is
// false for the rest, which classify maps alike on every route.
type routeErrors func(err error) (r result, ok bool)

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

// hasCode reports whether err is Cognito's error code, modelled for the operation or not.
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
