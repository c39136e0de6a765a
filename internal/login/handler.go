// Package login signs users in with Amazon Cognito user pools: username and password in, Cognito's
// tokens out, plus the NEW_PASSWORD_REQUIRED challenge and token refresh. It is an http.Handler so that
// the Lambda (through the API Gateway proxy adapter), the local stack and tests all run the same code.
package login

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/httpapi"
)

// Routes the API Gateway resources send to this function.
const (
	routeLogin       = "/login"
	routeNewPassword = "/login/new-password"
	routeRefresh     = "/refresh"
)

// defaultCallTimeout bounds each Cognito call when Config leaves it zero.
const defaultCallTimeout = 5 * time.Second

// Config is what the handler needs to know about its Cognito app client.
type Config struct {
	// ClientID is the public app client (no secret) that allows USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH.
	ClientID string
	// CallTimeout bounds each Cognito call, retries included, so that a slow Cognito gets a 504 before
	// the function's own timeout cuts the answer off. Zero means 5s.
	CallTimeout time.Duration
}

type handler struct {
	client Client
	cfg    Config
	log    *slog.Logger
}

// New returns the handler for POST /login, /login/new-password and /refresh. A nil logger discards.
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
	body       any    // the 200 body; error answers carry message instead
	message    string // the error message
	retryAfter string

	cause            string // why a request failed, in a word
	challenge        string // the challenge Cognito asked for and this API cannot answer
	cognitoError     string // Cognito's error code, never its message (which can echo input)
	cognitoRequestID string
}

func failed(status int, message, cause string) result {
	return result{status: status, message: message, cause: cause}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	route := "unknown" // the raw path is the caller's text: never logged
	switch r.URL.Path {
	case routeLogin, routeNewPassword, routeRefresh:
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
	switch {
	case r.Method != http.MethodPost || route == "unknown":
		// API Gateway's own answer for a path or method it has no route for.
		res = failed(http.StatusForbidden, msgMissingAuthToken, "no_route")
	case route == routeLogin:
		res = h.login(r)
	case route == routeNewPassword:
		res = h.newPassword(r)
	default:
		res = h.refresh(r)
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

func (h *handler) login(r *http.Request) result {
	req, err := parseLogin(r)
	if err != nil {
		return invalidRequest(err)
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.CallTimeout)
	defer cancel()
	out, err := h.client.InitiateAuth(ctx, &cognitoidentityprovider.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(h.cfg.ClientID),
		AuthParameters: map[string]string{"USERNAME": req.username, "PASSWORD": req.password},
	})
	if err != nil {
		return cognitoFailure(ctx, err, loginErrors)
	}
	return signedIn(out.ChallengeName, out.Session, out.AuthenticationResult)
}

func (h *handler) newPassword(r *http.Request) result {
	req, err := parseNewPassword(r)
	if err != nil {
		return invalidRequest(err)
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.CallTimeout)
	defer cancel()
	out, err := h.client.RespondToAuthChallenge(ctx, &cognitoidentityprovider.RespondToAuthChallengeInput{
		ChallengeName:      types.ChallengeNameTypeNewPasswordRequired,
		ClientId:           aws.String(h.cfg.ClientID),
		ChallengeResponses: map[string]string{"USERNAME": req.username, "NEW_PASSWORD": req.newPassword},
		Session:            aws.String(req.session),
	})
	if err != nil {
		return cognitoFailure(ctx, err, newPasswordErrors)
	}
	return signedIn(out.ChallengeName, out.Session, out.AuthenticationResult)
}

func (h *handler) refresh(r *http.Request) result {
	req, err := parseRefresh(r)
	if err != nil {
		return invalidRequest(err)
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.CallTimeout)
	defer cancel()
	out, err := h.client.InitiateAuth(ctx, &cognitoidentityprovider.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		ClientId:       aws.String(h.cfg.ClientID),
		AuthParameters: map[string]string{"REFRESH_TOKEN": req.refreshToken},
	})
	if err != nil {
		return cognitoFailure(ctx, err, refreshErrors)
	}
	if out.ChallengeName != "" {
		return unsupportedChallenge(out.ChallengeName)
	}
	auth := out.AuthenticationResult
	if auth == nil || aws.ToString(auth.IdToken) == "" || aws.ToString(auth.AccessToken) == "" {
		return failed(http.StatusBadGateway, msgUnexpected, "no_tokens")
	}
	return result{status: http.StatusOK, body: refreshedTokens{
		IDToken:     aws.ToString(auth.IdToken),
		AccessToken: aws.ToString(auth.AccessToken),
		ExpiresIn:   auth.ExpiresIn,
		TokenType:   "Bearer",
	}}
}

// Tokens carry the field names of Cognito's own OAuth2 token endpoint.
type tokens struct {
	IDToken      string `json:"id_token"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int32  `json:"expires_in"`
	TokenType    string `json:"token_type"`
}

// refreshedTokens has no refresh_token: REFRESH_TOKEN_AUTH keeps the one the caller already holds.
type refreshedTokens struct {
	IDToken     string `json:"id_token"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int32  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

type challenge struct {
	ChallengeName string `json:"challenge_name"`
	Session       string `json:"session"`
}

// signedIn answers a sign-in step that Cognito accepted: tokens, the new-password challenge, or 501
// for a challenge this API cannot complete (MFA and the like).
func signedIn(name types.ChallengeNameType, session *string, auth *types.AuthenticationResultType) result {
	switch {
	case name == types.ChallengeNameTypeNewPasswordRequired && aws.ToString(session) == "":
		return failed(http.StatusBadGateway, msgUnexpected, "no_session")
	case name == types.ChallengeNameTypeNewPasswordRequired:
		return result{status: http.StatusOK, body: challenge{ChallengeName: string(name), Session: *session}}
	case name != "":
		return unsupportedChallenge(name)
	case auth == nil || aws.ToString(auth.IdToken) == "" || aws.ToString(auth.AccessToken) == "" ||
		aws.ToString(auth.RefreshToken) == "":
		return failed(http.StatusBadGateway, msgUnexpected, "no_tokens")
	}
	return result{status: http.StatusOK, body: tokens{
		IDToken:      aws.ToString(auth.IdToken),
		AccessToken:  aws.ToString(auth.AccessToken),
		RefreshToken: aws.ToString(auth.RefreshToken),
		ExpiresIn:    auth.ExpiresIn,
		TokenType:    "Bearer",
	}}
}

func unsupportedChallenge(name types.ChallengeNameType) result {
	r := failed(http.StatusNotImplemented,
		"sign-in needs the "+string(name)+" challenge, which this API does not support", "unsupported_challenge")
	r.challenge = string(name) // Cognito's enum value, not input: safe to show and log
	return r
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
	case res.status == http.StatusTooManyRequests:
		level = slog.LevelWarn
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("route", route), slog.Int("status", res.status),
		slog.Int64("duration_ms", took.Milliseconds()))
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("aws_request_id", lc.AwsRequestID))
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
