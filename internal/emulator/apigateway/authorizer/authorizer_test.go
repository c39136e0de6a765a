package authorizer_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer"
	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
	"github.com/golang-jwt/jwt/v5"
)

const issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example"

// now is the fixed clock of these tests: 1680629979, Tue Apr 04 17:39:39 UTC 2023.
var now = time.Date(2023, 4, 4, 17, 39, 39, 0, time.UTC)

func clock() time.Time { return now }

// quiet drops the refresh-failure logs the outage tests provoke on purpose.
var quiet = slog.New(slog.DiscardHandler)

// newAuthorizer builds an Authorizer on ks with the test clock; its
// background refresh ends with the test.
func newAuthorizer(t testing.TB, ks *authtest.KeySet, edit func(*authorizer.Config)) *authorizer.Authorizer {
	t.Helper()
	cfg := authorizer.Config{Issuer: issuer, JWKSURL: ks.URL(), Now: clock, Logger: quiet}
	if edit != nil {
		edit(&cfg)
	}
	a, err := authorizer.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// claimsWith returns valid ID token claims changed by edit (a nil value deletes).
func claimsWith(edit map[string]any) jwt.MapClaims {
	c := authtest.IDClaims(issuer, now)
	for k, v := range edit {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// signWith signs claims with any method and key, setting (or omitting, for "") the kid.
func signWith(t testing.TB, m jwt.SigningMethod, key any, kid string, header map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	return s
}

func b64(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestAuthorize(t *testing.T) {
	ks := authtest.NewKeySet(t)
	a := newAuthorizer(t, ks, nil)
	key := ks.Key()
	valid := authtest.Sign(t, key, claimsWith(nil))
	parts := strings.Split(valid, ".")
	other := authtest.NewKey(t, key.ID) // same kid, different key
	pubDER, err := x509.MarshalPKIXPublicKey(&key.Private.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	big := authtest.Sign(t, key, claimsWith(map[string]any{"pad": strings.Repeat("x", 6300)}))
	huge := authtest.Sign(t, key, claimsWith(map[string]any{"pad": strings.Repeat("x", 8000)}))
	if len(big) > authorizer.MaxHeaderBytes || len(huge) <= authorizer.MaxHeaderBytes {
		t.Fatalf("size premise broken: %d and %d bytes around %d", len(big), len(huge), authorizer.MaxHeaderBytes)
	}
	expired := claimsWith(map[string]any{"iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-time.Second).Unix()})

	tests := []struct {
		name   string
		header string
		want   error
	}{
		{"valid raw token", valid, nil},
		{"valid Bearer token", "Bearer " + valid, nil},
		{"scheme is case-insensitive", "bEARER " + valid, nil},
		{"surrounding whitespace is trimmed", " \tBearer " + valid + " \r\n", nil},
		{"audience of another app client of the pool is accepted", authtest.Sign(t, key, claimsWith(map[string]any{"aud": "another-client"})), nil},
		{"iat in the future is accepted (not checked, golang-jwt default)", authtest.Sign(t, key, claimsWith(map[string]any{"iat": now.Add(time.Hour).Unix()})), nil},
		{"nbf reached is accepted", authtest.Sign(t, key, claimsWith(map[string]any{"nbf": now.Unix()})), nil},
		{"expiring in one second is accepted", authtest.Sign(t, key, claimsWith(map[string]any{"exp": now.Add(time.Second).Unix()})), nil},
		{"header of exactly the size limit is accepted", valid + strings.Repeat(" ", authorizer.MaxHeaderBytes-len(valid)), nil},
		{"large token under the size limit is accepted", big, nil},
		{"far-future exp is accepted, not expired", authtest.Sign(t, key, claimsWith(map[string]any{"exp": 1e30})), nil},
		{"exp beyond int64 seconds is accepted, not expired", authtest.Sign(t, key, claimsWith(map[string]any{"exp": json.Number("99999999999999999999")})), nil},
		{"fractional exp in the future is accepted", authtest.Sign(t, key, claimsWith(map[string]any{"exp": float64(now.Unix()) + 0.5})), nil},
		{"fractional exp in the past is expired", authtest.Sign(t, key, claimsWith(map[string]any{"exp": float64(now.Unix()) - 0.5})), authorizer.ErrExpired},
		{"exp beyond float64 is refused", signRaw(t, key, `{"iss":"`+issuer+`","token_use":"id","exp":1e400}`), authorizer.ErrUnauthorized},
		{"junk after the payload's JSON", signRaw(t, key, string(mustJSON(t, claimsWith(nil)))+"junk"), authorizer.ErrUnauthorized},
		{"second JSON value after the payload", signRaw(t, key, string(mustJSON(t, claimsWith(nil)))+"{}"), authorizer.ErrUnauthorized},
		{"payload that is a JSON array", signRaw(t, key, `[1]`), authorizer.ErrUnauthorized},
		{"padded base64 segment", parts[0] + "." + parts[1] + "==." + parts[2], authorizer.ErrUnauthorized},
		{"standard base64 alphabet", parts[0] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(parts[1]) + "+/." + parts[2], authorizer.ErrUnauthorized},
		{"nbf as a string", authtest.Sign(t, key, claimsWith(map[string]any{"nbf": "0"})), authorizer.ErrUnauthorized},
		{"iat as a string", authtest.Sign(t, key, claimsWith(map[string]any{"iat": "0"})), authorizer.ErrUnauthorized},
		{"token_use of another kind", authtest.Sign(t, key, claimsWith(map[string]any{"token_use": "refresh"})), authorizer.ErrUnauthorized},
		{"issuer of the same pool in another region form", authtest.Sign(t, key, claimsWith(map[string]any{"iss": "https://cognito-idp.us-west-2.amazonaws.com/us-east-1_Example"})), authorizer.ErrUnauthorized},

		{"missing header", "", authorizer.ErrUnauthorized},
		{"whitespace only", " \t ", authorizer.ErrUnauthorized},
		{"scheme without token", "Bearer ", authorizer.ErrUnauthorized},
		{"two spaces after the scheme", "Bearer  " + valid, authorizer.ErrUnauthorized},
		{"other scheme", "Basic " + valid, authorizer.ErrUnauthorized},
		{"garbage", "not-a-jwt", authorizer.ErrUnauthorized},
		{"three garbage segments", "a.b.c", authorizer.ErrUnauthorized},
		{"header one byte over the size limit", valid + strings.Repeat(" ", authorizer.MaxHeaderBytes-len(valid)+1), authorizer.ErrUnauthorized},
		{"oversized token with a valid signature", huge, authorizer.ErrUnauthorized},
		{"tampered payload", parts[0] + "." + b64(t, claimsWith(map[string]any{"email": "admin@example.com"})) + "." + parts[2], authorizer.ErrUnauthorized},
		{"tampered signature", parts[0] + "." + parts[1] + "." + flip(parts[2]), authorizer.ErrUnauthorized},
		{"signature stripped", parts[0] + "." + parts[1] + ".", authorizer.ErrUnauthorized},
		{"signed by another key with the same kid", authtest.Sign(t, other, claimsWith(nil)), authorizer.ErrUnauthorized},
		{"no kid, signed by the right key", signWith(t, jwt.SigningMethodRS256, key.Private, "", nil, claimsWith(nil)), authorizer.ErrUnauthorized},
		{"critical header extension", signWith(t, jwt.SigningMethodRS256, key.Private, key.ID, map[string]any{"crit": []string{"exp"}}, claimsWith(nil)), authorizer.ErrUnauthorized},
		{"alg none", signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, key.ID, nil, claimsWith(nil)), authorizer.ErrUnauthorized},
		{"HS256 keyed with the public key PEM", signWith(t, jwt.SigningMethodHS256, pubPEM, key.ID, nil, claimsWith(nil)), authorizer.ErrUnauthorized},
		{"HS256 keyed with the public key DER", signWith(t, jwt.SigningMethodHS256, pubDER, key.ID, nil, claimsWith(nil)), authorizer.ErrUnauthorized},
		{"RS512 by the right key", signWith(t, jwt.SigningMethodRS512, key.Private, key.ID, nil, claimsWith(nil)), authorizer.ErrUnauthorized},
		{"PS256 by the right key", signWith(t, jwt.SigningMethodPS256, key.Private, key.ID, nil, claimsWith(nil)), authorizer.ErrUnauthorized},
		{"other issuer", authtest.Sign(t, key, claimsWith(map[string]any{"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"})), authorizer.ErrUnauthorized},
		{"issuer with a trailing slash", authtest.Sign(t, key, claimsWith(map[string]any{"iss": issuer + "/"})), authorizer.ErrUnauthorized},
		{"no issuer", authtest.Sign(t, key, claimsWith(map[string]any{"iss": nil})), authorizer.ErrUnauthorized},
		{"access token", authtest.Sign(t, key, claimsWith(map[string]any{"token_use": "access"})), authorizer.ErrUnauthorized},
		{"no token_use", authtest.Sign(t, key, claimsWith(map[string]any{"token_use": nil})), authorizer.ErrUnauthorized},
		{"missing exp", authtest.Sign(t, key, claimsWith(map[string]any{"exp": nil})), authorizer.ErrUnauthorized},
		{"exp as a string", authtest.Sign(t, key, claimsWith(map[string]any{"exp": "2099-01-01"})), authorizer.ErrUnauthorized},
		{"nbf in the future", authtest.Sign(t, key, claimsWith(map[string]any{"nbf": now.Add(time.Second).Unix()})), authorizer.ErrUnauthorized},

		{"expired", authtest.Sign(t, key, expired), authorizer.ErrExpired},
		{"expired Bearer token", "Bearer " + authtest.Sign(t, key, expired), authorizer.ErrExpired},
		{"exp equal to now is expired", authtest.Sign(t, key, claimsWith(map[string]any{"exp": now.Unix()})), authorizer.ErrExpired},
		{"expired and forged", authtest.Sign(t, other, expired), authorizer.ErrUnauthorized},
		{"expired, tampered payload", parts[0] + "." + b64(t, expired) + "." + parts[2], authorizer.ErrUnauthorized},
		{"expired, other issuer", authtest.Sign(t, key, with(expired, "iss", "https://example.com/evil")), authorizer.ErrUnauthorized},
		{"expired access token", authtest.Sign(t, key, with(expired, "token_use", "access")), authorizer.ErrUnauthorized},
		{"expired, nbf in the future", authtest.Sign(t, key, with(expired, "nbf", now.Add(time.Hour).Unix())), authorizer.ErrUnauthorized},
		{"expired alg none", signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, key.ID, nil, expired), authorizer.ErrUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claims, err := a.Authorize(tc.header)
			if err != tc.want { // exactly the sentinel: handlers use its text as the body
				t.Fatalf("Authorize() error = %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				if claims != nil {
					t.Errorf("claims = %v, want nil on refusal", claims)
				}
				return
			}
			if claims["token_use"] != "id" || claims["iss"] != issuer || claims["sub"] == "" {
				t.Errorf("claims = %v, want the token's claims", claims)
			}
		})
	}
	if hits := ks.Hits(); hits != 1 {
		t.Errorf("JWKS fetched %d times, want 1 (only known kids were used)", hits)
	}
}

// signRaw signs a payload given as raw bytes, so that tests can build tokens
// no JSON encoder would produce (junk after the object, several values).
func signRaw(t testing.TB, key authtest.Key, payload string) string {
	t.Helper()
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"` + key.ID + `","typ":"JWT"}`))
	signing := head + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	sig, err := jwt.SigningMethodRS256.Sign(signing, key.Private)
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func with(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for kk, vv := range c {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// flip changes the first character of a base64url segment.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// Cognito's JWKS names alg RS256 and keyfunc enforces that, so the parser's
// RS256-only rule is checked here against a JWKS whose key has no alg.
func TestOnlyRS256EvenWhenJWKSOmitsAlg(t *testing.T) {
	key := authtest.NewKey(t, "key-1")
	body, err := authtest.JWKS(key)
	if err != nil {
		t.Fatal(err)
	}
	var set map[string][]map[string]any
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatal(err)
	}
	delete(set["keys"][0], "alg")
	body, _ = json.Marshal(set)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) }))
	t.Cleanup(srv.Close)
	a, err := authorizer.New(t.Context(), authorizer.Config{Issuer: issuer, JWKSURL: srv.URL, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		m    jwt.SigningMethod
		want error
	}{
		{jwt.SigningMethodRS256, nil},
		{jwt.SigningMethodRS384, authorizer.ErrUnauthorized},
		{jwt.SigningMethodRS512, authorizer.ErrUnauthorized},
		{jwt.SigningMethodPS256, authorizer.ErrUnauthorized},
	} {
		if _, err := a.Authorize(signWith(t, tc.m, key.Private, key.ID, nil, claimsWith(nil))); err != tc.want {
			t.Errorf("%s by the right key: %v, want %v", tc.m.Alg(), err, tc.want)
		}
	}
}

func TestErrorMessagesAreAPIGateways(t *testing.T) {
	for err, want := range map[error]string{
		authorizer.ErrUnauthorized: "Unauthorized",
		authorizer.ErrExpired:      "The incoming token has expired",
	} {
		if err.Error() != want {
			t.Errorf("error text %q, want %q", err.Error(), want)
		}
	}
}

// With the default limit (1 minute), as deployed.
func TestUnknownKIDRefetchesOnceWithinLimit(t *testing.T) {
	ks := authtest.NewKeySet(t)
	a := newAuthorizer(t, ks, nil)
	if got := ks.Hits(); got != 1 {
		t.Fatalf("New fetched the JWKS %d times, want 1", got)
	}

	first := authtest.Sign(t, authtest.NewKey(t, "unknown-1"), claimsWith(nil))
	if _, err := a.Authorize(first); err != authorizer.ErrUnauthorized {
		t.Fatalf("unknown kid: error = %v, want ErrUnauthorized", err)
	}
	if got := ks.Hits(); got != 2 {
		t.Fatalf("after an unknown kid the JWKS was fetched %d times, want 2 (one refetch)", got)
	}

	second := authtest.Sign(t, authtest.NewKey(t, "unknown-2"), claimsWith(nil))
	start := time.Now()
	if _, err := a.Authorize(second); err != authorizer.ErrUnauthorized {
		t.Fatalf("second unknown kid: error = %v, want ErrUnauthorized", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("second unknown kid took %v; within the limit it must be refused without waiting", d)
	}
	if got := ks.Hits(); got != 2 {
		t.Errorf("a second unknown kid within the limit refetched: %d fetches, want 2", got)
	}

	if _, err := a.Authorize(authtest.Sign(t, ks.Key(), claimsWith(nil))); err != nil {
		t.Errorf("known kid after unknown ones: %v", err)
	}
	if got := ks.Hits(); got != 2 {
		t.Errorf("a known kid caused a fetch: %d fetches, want 2", got)
	}
}

func TestKeyRotationPickedUpByUnknownKIDRefetch(t *testing.T) {
	ks := authtest.NewKeySet(t)
	a := newAuthorizer(t, ks, func(c *authorizer.Config) { c.UnknownKIDRefreshLimit = time.Hour })
	old := ks.Key()
	rotated := authtest.NewKey(t, "key-2")
	ks.Publish(rotated) // Cognito publishes a new key after this instance cached the JWKS

	claims, err := a.Authorize("Bearer " + authtest.Sign(t, rotated, claimsWith(nil)))
	if err != nil {
		t.Fatalf("token signed by the new key: %v", err)
	}
	if claims["token_use"] != "id" {
		t.Errorf("claims = %v", claims)
	}
	if _, err := a.Authorize(authtest.Sign(t, old, claimsWith(nil))); err != nil {
		t.Errorf("token signed by the old key, still published: %v", err)
	}
	if got := ks.Hits(); got != 2 {
		t.Errorf("JWKS fetched %d times, want 2 (New + the unknown-kid refetch)", got)
	}
}

func TestNewRequiresIssuer(t *testing.T) {
	ks := authtest.NewKeySet(t)
	if _, err := authorizer.New(t.Context(), authorizer.Config{JWKSURL: ks.URL()}); err == nil {
		t.Fatal("New without Issuer succeeded; an empty issuer would disable the iss check")
	}
}

func TestJWKSURLDefaultsToIssuerWellKnown(t *testing.T) {
	s := newFlakyJWKS(t)
	iss := s.srv.URL + "/us-east-1_Example"
	if _, err := authorizer.New(t.Context(), authorizer.Config{Issuer: iss}); err != nil {
		t.Fatal(err)
	}
	if got, want := s.lastPath.Load(), "/us-east-1_Example/.well-known/jwks.json"; got == nil || *got != want {
		t.Errorf("JWKS fetched from %v, want %s", got, want)
	}
}

func TestConcurrentAuthorize(t *testing.T) {
	ks := authtest.NewKeySet(t)
	a := newAuthorizer(t, ks, nil)
	good := authtest.Sign(t, ks.Key(), claimsWith(nil))
	bad := authtest.Sign(t, ks.Key(), claimsWith(map[string]any{"token_use": "access"}))
	done := make(chan error)
	for i := range 16 {
		go func() {
			var err error
			for range 50 {
				if i%2 == 0 {
					_, err = a.Authorize(good)
				} else if _, e := a.Authorize(bad); e != authorizer.ErrUnauthorized {
					err = errors.Join(errors.New("access token not refused"), e)
				}
				if err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 16 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkAuthorize(b *testing.B) {
	ks := authtest.NewKeySet(b)
	a := newAuthorizer(b, ks, nil)
	header := "Bearer " + authtest.Sign(b, ks.Key(), claimsWith(map[string]any{"cognito:groups": []string{"group-a", "group-b"}}))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authorize(header); err != nil {
			b.Fatal(err)
		}
	}
}
