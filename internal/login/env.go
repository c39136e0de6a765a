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
//   - COGNITO_CALL_TIMEOUT (optional, Go duration, default 5s, at most 8s).
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
	timeout := defaultCallTimeout
	if v := get("COGNITO_CALL_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("COGNITO_CALL_TIMEOUT %q is not a Go duration such as 5s: %w", v, err)
		}
		if d <= 0 || d > maxCallTimeout {
			return nil, fmt.Errorf("COGNITO_CALL_TIMEOUT %q must be more than 0 and at most %s", v, maxCallTimeout)
		}
		timeout = d
	}

	h := New(NewCognitoClient(region, endpoint), Config{ClientID: clientID, CallTimeout: timeout}, logger)
	return httpapi.CORS(get("CORS_ALLOW_ORIGIN"), h), nil
}
