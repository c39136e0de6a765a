package login

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/example/cognito-sam-go/internal/httpapi"
	"github.com/example/cognito-sam-go/internal/passwordpolicy"
)

// maxCallTimeout keeps a Cognito call, and the 504 after it, well inside the function's 10 s timeout.
const maxCallTimeout = 8 * time.Second

// FromEnv builds the whole handler from environment variables; getenv is os.Getenv in Lambda, and the
// local stack passes its own. Errors name the variable at fault, so a bad deployment fails at cold start
// with a line that says what to fix rather than on every request.
//
//   - USER_POOL_CLIENT_ID (required): the public app client.
//   - AWS_REGION (required): set by Lambda itself.
//   - AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER (optional): the SDK's own variable name, for a local Cognito.
//   - PASSWORD_POLICY (required): the pool's password policy as JSON (the auth stack's output
//     PasswordPolicy), checked before Cognito is asked.
//   - COGNITO_CALL_TIMEOUT (optional, Go duration, default 5s, at most 8s).
//   - SIGNUP_MIN_DURATION (optional, Go duration, default 1s, 0 to 8s): the least time a /signup
//     answer takes (Config.SignUpMinDuration).
//   - CORS_ALLOW_ORIGIN (optional): the one origin named in Access-Control-Allow-Origin.
func FromEnv(getenv func(string) string, logger *slog.Logger) (http.Handler, error) {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }

	clientID := get("USER_POOL_CLIENT_ID")
	if clientID == "" {
		return nil, errors.New("USER_POOL_CLIENT_ID is required: the Cognito app client id")
	}
	region := get("AWS_REGION")
	if region == "" {
		return nil, errors.New("AWS_REGION is required")
	}
	endpoint := get("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER %q is not an http(s) URL", endpoint)
		}
	}
	rawPolicy := get("PASSWORD_POLICY")
	if rawPolicy == "" {
		return nil, errors.New("PASSWORD_POLICY is required: the user pool's password policy as JSON (auth stack output PasswordPolicy)")
	}
	policy, err := passwordpolicy.Parse(rawPolicy)
	if err != nil {
		return nil, fmt.Errorf("PASSWORD_POLICY: %w", err)
	}
	timeout, err := duration(get, "COGNITO_CALL_TIMEOUT", defaultCallTimeout, false)
	if err != nil {
		return nil, err
	}
	floor, err := duration(get, "SIGNUP_MIN_DURATION", defaultSignUpMinDuration, true)
	if err != nil {
		return nil, err
	}

	h := New(NewCognitoClient(region, endpoint), Config{
		ClientID: clientID, CallTimeout: timeout, PasswordPolicy: policy, SignUpMinDuration: floor,
	}, logger)
	return httpapi.CORS(get("CORS_ALLOW_ORIGIN"), h), nil
}

// defaultSignUpMinDuration is SIGNUP_MIN_DURATION's default: above what Cognito's SignUp takes for a
// new address, which the log's signup_min_duration_exceeded flags when it does not hold.
const defaultSignUpMinDuration = time.Second

// duration reads the Go duration in variable name: fallback when unset, at most maxCallTimeout (the
// answer must come within the function's timeout), and more than zero unless zeroOK.
func duration(get func(string) string, name string, fallback time.Duration, zeroOK bool) (time.Duration, error) {
	v := get(name)
	if v == "" {
		return fallback, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a Go duration such as 5s: %w", name, v, err)
	}
	if d < 0 || d == 0 && !zeroOK || d > maxCallTimeout {
		return 0, fmt.Errorf("%s %q must be more than 0 and at most %s", name, v, maxCallTimeout)
	}
	return d, nil
}
