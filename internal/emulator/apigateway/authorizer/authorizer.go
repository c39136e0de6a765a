// Package authorizer verifies Cognito ID tokens the way API Gateway's REST API
// Cognito user pool authorizer (without OAuth scopes) does, so that the local
// stack enforces exactly what the deployed API enforces, and hands the claims
// over in the shape API Gateway gives Lambda in requestContext.authorizer.claims.
//
// JWT parsing and signature checks are golang-jwt/jwt/v5; the JWKS is fetched,
// cached and refreshed by keyfunc/v3 and jwkset. Nothing here parses JWTs by hand.
package authorizer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// The two refusals API Gateway's Cognito authorizer answers with (HTTP 401).
// Authorize returns exactly these values, never wrapped, so that callers can
// use the message as the response body and the token never leaks into an error.
var (
	ErrUnauthorized = errors.New("Unauthorized")
	ErrExpired      = errors.New("The incoming token has expired") //lint:ignore ST1005 API Gateway's exact response message.
)

const (
	// MaxHeaderBytes bounds the Authorization header we are willing to parse:
	// API Gateway's REST quota for the request line and all header values
	// together (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html),
	// so a genuine 8.5 KB ID token of a user in many groups passes, as it does there.
	MaxHeaderBytes = 10240

	defaultRefreshInterval        = time.Hour
	defaultUnknownKIDRefreshLimit = time.Minute

	// fetchTimeout bounds the initial and the periodic JWKS fetches.
	fetchTimeout = 10 * time.Second
	// unknownKIDWait bounds how long a request carrying an unknown kid may
	// spend waiting for the refetch limiter plus the refetch itself. jwkset
	// uses one deadline for both, so it must leave room for the HTTP call;
	// a request that would have to wait longer is refused at once.
	unknownKIDWait = 5 * time.Second
)

// Config says which user pool to trust and where its keys are served.
type Config struct {
	// Issuer is the pool's issuer, https://cognito-idp.<region>.amazonaws.com/<pool id>
	// (moto uses the same form). The token's iss must equal it exactly. Required.
	Issuer string
	// JWKSURL is where the pool's keys are served. Default: Issuer + "/.well-known/jwks.json".
	// Locally: http://127.0.0.1:<port>/<pool id>/.well-known/jwks.json.
	JWKSURL string
	// HTTPClient fetches the JWKS. Default: http.DefaultClient (each fetch has its own deadline).
	HTTPClient *http.Client
	// RefreshInterval is how often the JWKS is refetched in the background. Default: 1h.
	RefreshInterval time.Duration
	// UnknownKIDRefreshLimit allows at most one refetch per interval when a token
	// names a kid that is not cached, so that forged kids cannot hammer Cognito.
	// Default: 1 minute.
	UnknownKIDRefreshLimit time.Duration
	// Now is the clock used for exp/nbf. Default: time.Now.
	Now func() time.Time
	// Logger receives JWKS refresh failures (the cached keys keep serving, so
	// nothing else reports them). Default: slog.Default().
	Logger *slog.Logger
}

// Authorizer verifies Authorization headers against one user pool. It is safe
// for concurrent use.
type Authorizer struct {
	keys   keyfunc.Keyfunc
	parser *jwt.Parser
	issuer string
	now    func() time.Time
	cache  verifiedCache
}

// New fetches the JWKS once, failing if it cannot (a Lambda that cannot get the
// keys at cold start should fail loudly rather than refuse every request), and
// keeps it cached and refreshed in the background until ctx is done. A failed
// refresh (Cognito down, bad response) keeps the cached keys serving; only a
// successful fetch replaces them. After ctx is done the cached keys still
// verify but are neither refreshed nor refetched for unknown kids.
func New(ctx context.Context, cfg Config) (*Authorizer, error) {
	if cfg.Issuer == "" {
		// An empty issuer would silently disable the iss check.
		return nil, errors.New("authorizer: Config.Issuer is required")
	}
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		jwksURL = cfg.Issuer + "/.well-known/jwks.json"
	}
	refresh := cfg.RefreshInterval
	if refresh <= 0 {
		refresh = defaultRefreshInterval
	}
	unknownKID := cfg.UnknownKIDRefreshLimit
	if unknownKID <= 0 {
		unknownKID = defaultUnknownKIDRefreshLimit
	}

	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}

	// jwkset starts its refresh goroutine before the first fetch and does not
	// stop it when that fetch fails, so give it a context we can cancel then.
	// On success the goroutine lives as long as the caller's ctx.
	kctx, cancel := context.WithCancel(ctx)
	failFirstFetch := false // keyfunc's default is to start with an empty key set
	kf, err := keyfunc.NewDefaultOverrideCtx(kctx, []string{jwksURL}, keyfunc.Override{
		Client:                    cfg.HTTPClient,
		HTTPTimeout:               fetchTimeout,
		NoErrorReturnFirstHTTPReq: &failFirstFetch,
		RefreshInterval:           refresh,
		// Burst 1: the first unknown kid refetches at once (key rotation is
		// picked up immediately), later ones within the interval are refused.
		RefreshUnknownKID: rate.NewLimiter(rate.Every(unknownKID), 1),
		RateLimitWaitMax:  unknownKIDWait,
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				logger.WarnContext(ctx, "authorizer: JWKS refresh failed; cached keys keep serving", "url", u, "error", err)
			}
		},
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("authorizer: fetching the JWKS from %s: %w", jwksURL, err)
	}
	_ = cancel // deliberately not called: kctx ends with ctx

	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Authorizer{
		keys: kf,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{"RS256"}), // refuses alg none, HS256 with the public key, ...
			jwt.WithJSONNumber(),                    // keep integer claims exact for FormatClaims
			jwt.WithStrictDecoding(),                // one encoding per token, as Cognito emits it
			// Claims are validated in Authorize, after the signature, so that
			// "expired" is only ever said about a genuine token of this pool.
			jwt.WithoutClaimsValidation(),
		),
		issuer: cfg.Issuer,
		now:    now,
	}, nil
}

// Authorize checks an Authorization header value (the ID token, raw or after
// "Bearer ") and returns its claims as API Gateway formats them. It returns
// exactly ErrUnauthorized or ErrExpired otherwise. A token whose kid is not
// cached may block for up to a few seconds while the JWKS is refetched (at most
// once per Config.UnknownKIDRefreshLimit); every other call is CPU-only.
func (a *Authorizer) Authorize(header string) (map[string]string, error) {
	claims, _, err := a.Verify(header)
	return claims, err
}

// Verify is Authorize plus, for a refusal, the reason in words for the
// gateway's log line. The reason never contains the token or a claim value.
func (a *Authorizer) Verify(header string) (map[string]string, string, error) {
	if len(header) > MaxHeaderBytes {
		return nil, "identity header over the size limit", ErrUnauthorized
	}
	raw := bearerToken(header)
	if raw == "" {
		return nil, "no token in the identity header", ErrUnauthorized
	}
	// Only a token that passed every check below is cached, keyed by its exact
	// bytes, so a hit needs none of them again (its exp is checked by get).
	now := a.now()
	if c, ok := a.cache.get(raw, now); ok {
		return c, "", nil
	}
	// golang-jwt decodes each segment with a json.Decoder, which stops after the
	// first value: a payload of {...} followed by junk would verify. Cognito's
	// tokens are exactly three strict base64url segments, two of them one JSON
	// object each (aws-jwt-verify's decomposeUnverifiedJwt refuses the rest too).
	if reason := checkStructure(raw); reason != "" {
		return nil, reason, ErrUnauthorized
	}
	claims := jwt.MapClaims{}
	// Structure, alg, kid and signature. Nothing below runs for a forged token.
	if _, err := a.parser.ParseWithClaims(raw, claims, a.keyFunc); err != nil {
		return nil, signatureReason(err), ErrUnauthorized
	}
	if reason, err := a.checkClaims(claims); err != nil {
		return nil, reason, err
	}
	// No aud check: the authorizer accepts ID tokens of any app client of the pool.
	formatted := FormatClaims(claims)
	if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
		a.cache.put(raw, formatted, exp.Time, now)
	}
	return formatted, "", nil
}

// keyFunc insists on a kid (Cognito always sets one) so that a token without it
// is refused instead of being tried against every cached key, and refuses
// critical header extensions, none of which are supported (RFC 7515 4.1.11).
// Known kids are served from the cache; unknown ones go through keyfunc's
// rate-limited refetch.
func (a *Authorizer) keyFunc(t *jwt.Token) (any, error) {
	if kid, _ := t.Header["kid"].(string); kid == "" {
		return nil, errors.New("token has no kid")
	}
	if _, ok := t.Header["crit"]; ok {
		return nil, errors.New("token has critical header extensions")
	}
	return a.keys.Keyfunc(t)
}

// bearerToken strips surrounding whitespace and an optional "Bearer " scheme
// (any case, exactly one space).
func bearerToken(header string) string {
	h := strings.TrimSpace(header)
	const scheme = "bearer "
	if len(h) >= len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) {
		h = h[len(scheme):]
	}
	return h
}
