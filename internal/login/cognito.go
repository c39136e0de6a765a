package login

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
)

// Client is the subset of *cognitoidentityprovider.Client the handler calls, so tests and tools can
// substitute their own.
type Client interface {
	InitiateAuth(ctx context.Context, in *cognitoidentityprovider.InitiateAuthInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.InitiateAuthOutput, error)
	RespondToAuthChallenge(ctx context.Context, in *cognitoidentityprovider.RespondToAuthChallengeInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.RespondToAuthChallengeOutput, error)
	SignUp(ctx context.Context, in *cognitoidentityprovider.SignUpInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.SignUpOutput, error)
	ResendConfirmationCode(ctx context.Context, in *cognitoidentityprovider.ResendConfirmationCodeInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.ResendConfirmationCodeOutput, error)
	ForgotPassword(ctx context.Context, in *cognitoidentityprovider.ForgotPasswordInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.ForgotPasswordOutput, error)
	ConfirmForgotPassword(ctx context.Context, in *cognitoidentityprovider.ConfirmForgotPasswordInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.ConfirmForgotPasswordOutput, error)
	RevokeToken(ctx context.Context, in *cognitoidentityprovider.RevokeTokenInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.RevokeTokenOutput, error)
}

var _ Client = (*cognitoidentityprovider.Client)(nil)

const (
	// One retry absorbs a dropped connection or a brief throttle; more would only eat into the call's
	// deadline, which the caller is waiting on.
	maxAttempts = 2
	maxBackoff  = 200 * time.Millisecond
)

// notOnQuota keeps LimitExceededException from being retried. The standard retryer treats it as a
// throttle, but Cognito answers it when the pool's daily e-mail quota is spent, after SignUp has
// created the account (the SignUp API reference), so a retry would meet UsernameExistsException and
// hide the quota from the log line and the alarm that watch for it.
func notOnQuota(err error) aws.Ternary {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "LimitExceededException" {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// NewCognitoClient returns a client for region's Cognito user pools, or for endpoint (a Cognito
// elsewhere, such as one on this machine) when it is not empty. Every call the handler makes on a public app client is anonymous,
// so the client neither signs requests nor looks for credentials or shared config files: nothing to
// load at cold start and no IAM permission to grant.
func NewCognitoClient(region, endpoint string) *cognitoidentityprovider.Client {
	opts := cognitoidentityprovider.Options{
		Region:      region,
		Credentials: aws.AnonymousCredentials{},
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.MaxBackoff = maxBackoff
			o.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(notOnQuota)}, o.Retryables...)
		}),
	}
	if endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	return cognitoidentityprovider.New(opts)
}
