// Package login is the account lifecycle of an API on Amazon Cognito user pools: sign-up, sign-in
// (with the NEW_PASSWORD_REQUIRED challenge), token refresh, password reset and sign-out. It is an
// http.Handler so that the Lambda (through the API Gateway proxy adapter), the local stack and tests
// all run the same code. No answer tells an existing account from a missing one unless the caller has
// proved the account's password; enumeration_test.go checks that for every route.
package login

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/example/cognito-sam-go/internal/httpapi"
	"github.com/example/cognito-sam-go/internal/passwordpolicy"
)

// Routes the API Gateway resources send to this function.
const (
	routeLogin          = "/login"
	routeNewPassword    = "/login/new-password"
	routeRefresh        = "/refresh"
	routeSignUp         = "/signup"
	routeResend         = "/signup/resend"
	routeForgotPassword = "/password/forgot"
	routeResetPassword  = "/password/reset"
	routeLogout         = "/logout"
)

// routes maps each path to its method; every route is POST only.
var routes = map[string]func(*handler, *http.Request) result{
	routeLogin:          (*handler).login,
	routeNewPassword:    (*handler).newPassword,
	routeRefresh:        (*handler).refresh,
	routeSignUp:         (*handler).signUp,
	routeResend:         (*handler).resend,
	routeForgotPassword: (*handler).forgotPassword,
	routeResetPassword:  (*handler).resetPassword,
	routeLogout:         (*handler).logout,
}

// defaultCallTimeout bounds each Cognito call when Config leaves it zero.
const defaultCallTimeout = 5 * time.Second

// Config is what the handler needs to know about its Cognito app client.
type Config struct {
	// ClientID is the public app client (no secret) that allows USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH.
	ClientID string
	// CallTimeout bounds each Cognito call, retries included, so that a slow Cognito gets a 504 before
	// the function's own timeout cuts the answer off. Zero means 5s.
	CallTimeout time.Duration
	// PasswordPolicy is the pool's: a new password that breaks it is refused before Cognito is asked,
	// with Cognito's reason, so the answer never depends on the account (Cognito does not document
	// whether SignUp checks the name or the policy first). The zero Policy refuses nothing.
	PasswordPolicy passwordpolicy.Policy
	// SignUpMinDuration is the least time a /signup answer that asked Cognito takes, counted from the
	// request's arrival: Cognito creating an account (and sending mail) takes longer than refusing a
	// taken address, and the wait hides the difference. Zero means no wait.
	SignUpMinDuration time.Duration
}

type handler struct {
	client Client
	cfg    Config
	log    *slog.Logger
}

// New returns the handler for every route above. A nil logger discards.
func New(client Client, cfg Config, logger *slog.Logger) http.Handler {
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = defaultCallTimeout
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &handler{client: client, cfg: cfg, log: logger}
}

// result is how one request ended: the answer, and what the log line may say about it.
type result struct {
	status     int
	body       any    // the success body; error answers carry message instead
	message    string // the error message
	retryAfter string

	cause            string // why a request failed, in a word
	challenge        string // the challenge Cognito asked for and this API cannot answer
	cognitoError     string // Cognito's error code, never its message (which can echo input)
	cognitoRequestID string
	// concealed marks a Cognito failure answered as a success so as not to tell accounts apart
	// (a code that could not be delivered, a quota): logged as a warning for the deployer.
	concealed bool
	// overran marks a /signup answer that came later than SignUpMinDuration, which then no longer
	// hides Cognito's timing: a warning for the deployer to raise it.
	overran bool
}

func failed(status int, message, cause string) result {
	return result{status: status, message: message, cause: cause}
}

// done is a success whose body is only a message.
func done(status int, message string) result {
	return result{status: status, body: httpapi.Error{Message: message}}
}

// callContext bounds one Cognito call.
func (h *handler) callContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), h.cfg.CallTimeout)
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	serve, known := routes[r.URL.Path]
	route := "unknown" // the raw path is the caller's text: never logged
	if known {
		route = r.URL.Path
	}
	defer func() {
		// aws-lambda-go would turn a panic into API Gateway's bare 502 and a fresh cold start; answer in
		// the contract's shape instead, and keep the stack (addresses, not values) for whoever fixes it.
		if p := recover(); p != nil {
			h.log.LogAttrs(r.Context(), slog.LevelError, "panic", slog.String("route", route),
				slog.String("stack", string(debug.Stack())))
			httpapi.WriteError(w, http.StatusInternalServerError, msgInternal)
		}
	}()

	var res result
	if r.Method != http.MethodPost || !known {
		// API Gateway's own answer for a path or method it has no route for.
		res = failed(http.StatusForbidden, msgMissingAuthToken, "no_route")
	} else {
		res = serve(h, r)
	}

	if res.retryAfter != "" {
		w.Header().Set("Retry-After", res.retryAfter)
	}
	if res.body != nil {
		httpapi.WriteJSON(w, res.status, res.body)
	} else {
		httpapi.WriteError(w, res.status, res.message)
	}
	h.logResult(r.Context(), route, res, time.Since(start))
}

func invalidRequest(err error) result {
	var de *httpapi.DecodeError
	if errors.As(err, &de) {
		return failed(de.Status, de.Message, "invalid_request")
	}
	return failed(http.StatusBadRequest, "request body could not be read", "invalid_request")
}

// logResult writes the one line per request. Only fixed words and Cognito's codes go in: no username
// (an email address), password, token, session or error message (which can echo them).
func (h *handler) logResult(ctx context.Context, route string, res result, took time.Duration) {
	level := slog.LevelInfo
	switch {
	case res.status >= 500:
		level = slog.LevelError
	case res.status == http.StatusTooManyRequests, res.concealed, res.overran:
		level = slog.LevelWarn
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs, slog.String("route", route), slog.Int("status", res.status),
		slog.Int64("duration_ms", took.Milliseconds()))
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("aws_request_id", lc.AwsRequestID))
	}
	if res.concealed {
		attrs = append(attrs, slog.Bool("concealed", true))
	}
	if res.overran {
		attrs = append(attrs, slog.Bool("signup_min_duration_exceeded", true))
	}
	if res.cause != "" {
		attrs = append(attrs, slog.String("cause", res.cause))
	}
	if res.challenge != "" {
		attrs = append(attrs, slog.String("challenge", res.challenge))
	}
	if res.cognitoError != "" {
		attrs = append(attrs, slog.String("cognito_error", res.cognitoError))
	}
	if res.cognitoRequestID != "" {
		attrs = append(attrs, slog.String("cognito_request_id", res.cognitoRequestID))
	}
	h.log.LogAttrs(ctx, level, "request", attrs...)
}
