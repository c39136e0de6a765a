package authorizer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer"
	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
	"github.com/golang-jwt/jwt/v5"
)

// FuzzAuthorize feeds arbitrary header values to an Authorizer. It must never
// panic, must answer exactly ErrUnauthorized or ErrExpired when it refuses,
// and may accept (or call expired) only a token that an independent check
// confirms was signed by the pool's key and is an ID token of the pool.
func FuzzAuthorize(f *testing.F) {
	ks := authtest.NewKeySet(f)
	key := ks.Key()
	a := newAuthorizer(f, ks, func(c *authorizer.Config) {
		c.UnknownKIDRefreshLimit = time.Hour // fuzzed kids must not make each input wait for the limiter
	})
	other := authtest.NewKey(f, key.ID)

	valid := authtest.Sign(f, key, claimsWith(map[string]any{"cognito:groups": []string{"a", "b"}}))
	expired := authtest.Sign(f, key, claimsWith(map[string]any{"exp": now.Add(-time.Minute).Unix()}))
	parts := strings.Split(valid, ".")
	for _, seed := range []string{
		valid,
		"Bearer " + valid,
		"bearer " + valid,
		"  BEARER " + valid + "\t",
		"Bearer  " + valid,
		expired,
		"Bearer " + expired,
		parts[0] + "." + parts[1] + "." + flip(parts[2]),
		parts[0] + "." + strings.Split(expired, ".")[1] + "." + parts[2],
		parts[0] + "." + parts[1] + ".",
		authtest.Sign(f, other, claimsWith(nil)),
		authtest.Sign(f, key, claimsWith(map[string]any{"token_use": "access"})),
		authtest.Sign(f, key, claimsWith(map[string]any{"iss": "https://example.com"})),
		authtest.Sign(f, authtest.NewKey(f, "unknown"), claimsWith(nil)),
		signWith(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, key.ID, nil, claimsWith(nil)),
		"", " ", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "a.b.c", "..", "eyJ", "null", "{}",
	} {
		f.Add(seed)
	}

	pub := &key.Private.PublicKey
	verify := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation(), jwt.WithJSONNumber())
	f.Fuzz(func(t *testing.T, header string) {
		claims, err := a.Authorize(header)
		switch err {
		case nil, authorizer.ErrExpired:
		case authorizer.ErrUnauthorized:
			if claims != nil {
				t.Fatalf("claims returned with ErrUnauthorized: %v", claims)
			}
			return
		default:
			t.Fatalf("error %v is neither ErrUnauthorized nor ErrExpired", err)
		}
		if err == authorizer.ErrExpired && claims != nil {
			t.Fatalf("claims returned with ErrExpired: %v", claims)
		}

		// Independent check: strip the scheme by hand and verify the token
		// against the one key we published.
		raw := strings.TrimSpace(header)
		if len(raw) >= 7 && strings.EqualFold(raw[:7], "bearer ") {
			raw = raw[7:]
		}
		tc := jwt.MapClaims{}
		if _, verr := verify.ParseWithClaims(raw, tc, func(*jwt.Token) (any, error) { return pub, nil }); verr != nil {
			t.Fatalf("Authorize said %v for a token that does not verify: %v", err, verr)
		}
		if tc["token_use"] != "id" || tc["iss"] != issuer {
			t.Fatalf("Authorize said %v for token_use %v, iss %v", err, tc["token_use"], tc["iss"])
		}
		exp, xerr := tc.GetExpirationTime()
		if xerr != nil || exp == nil {
			t.Fatalf("Authorize said %v for a token without a valid exp", err)
		}
		if stillValid := now.Before(exp.Time); stillValid != (err == nil) {
			t.Fatalf("Authorize said %v for exp %v at %v", err, exp.Time, now)
		}
		if err == nil && (claims["token_use"] != "id" || claims["iss"] != issuer) {
			t.Fatalf("accepted claims %v", claims)
		}
	})
}
