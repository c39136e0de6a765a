// Package authtest mints Cognito-like ID tokens for tests: RSA keys generated
// on the fly and served as a JWKS from an httptest.Server, or moto's published
// test key, so that end-to-end tests can sign tokens with chosen claims that
// the local stack's emulated Cognito authorizer accepts.
package authtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// Key is an RSA signing key and the kid tokens signed with it carry.
type Key struct {
	ID      string
	Private *rsa.PrivateKey
}

// NewKey generates a fresh 2048-bit RSA key (Cognito's size) with the given kid.
func NewKey(t testing.TB, kid string) Key {
	t.Helper()
	pk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("authtest: generating an RSA key: %v", err)
	}
	return Key{ID: kid, Private: pk}
}

// Sign returns an RS256 JWT over claims with key.ID as kid, as Cognito signs.
func Sign(t testing.TB, key Key, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = key.ID
	s, err := tok.SignedString(key.Private)
	if err != nil {
		t.Fatalf("authtest: signing a token: %v", err)
	}
	return s
}

// IDClaims returns the claims of a Cognito ID token for issuer, issued at now
// and valid for an hour. Callers add or override claims as the test needs.
func IDClaims(issuer string, now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"sub":              "6f5c2a1e-4b7d-4c1a-9e3f-2d8b7a6c5e4f",
		"iss":              issuer,
		"aud":              "4k1ns9h0e3example7client",
		"token_use":        "id",
		"cognito:username": "6f5c2a1e-4b7d-4c1a-9e3f-2d8b7a6c5e4f",
		"email":            "user@example.com",
		"email_verified":   true,
		"auth_time":        now.Unix(),
		"iat":              now.Unix(),
		"exp":              now.Add(time.Hour).Unix(),
		"jti":              "8c1d2e3f-0000-4000-8000-000000000001",
		"origin_jti":       "8c1d2e3f-0000-4000-8000-000000000002",
	}
}

// JWKS renders the public halves of keys as a JWK Set, the document Cognito
// serves at <issuer>/.well-known/jwks.json.
func JWKS(keys ...Key) ([]byte, error) {
	store := jwkset.NewMemoryStorage()
	for _, k := range keys {
		jwk, err := jwkset.NewJWKFromKey(&k.Private.PublicKey, jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{KID: k.ID, ALG: jwkset.AlgRS256, USE: jwkset.UseSig},
		})
		if err != nil {
			return nil, fmt.Errorf("authtest: JWK for kid %q: %w", k.ID, err)
		}
		if err := store.KeyWrite(context.Background(), jwk); err != nil {
			return nil, err
		}
	}
	return store.JSONPublic(context.Background())
}

// KeySet serves a JWKS from an httptest.Server and counts the fetches, so tests
// can rotate keys and check how often an authorizer refetches.
type KeySet struct {
	srv  *httptest.Server
	hits atomic.Int64

	mu   sync.Mutex
	keys []Key
}

// NewKeySet starts a JWKS server publishing one fresh key with kid "key-1".
// The server is closed when the test ends.
func NewKeySet(t testing.TB) *KeySet {
	t.Helper()
	s := &KeySet{keys: []Key{NewKey(t, "key-1")}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *KeySet) serve(w http.ResponseWriter, _ *http.Request) {
	s.hits.Add(1)
	s.mu.Lock()
	body, err := JWKS(s.keys...)
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// URL is where the JWKS is served.
func (s *KeySet) URL() string { return s.srv.URL + "/.well-known/jwks.json" }

// Key returns the first published key.
func (s *KeySet) Key() Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[0]
}

// Publish adds k to the served JWKS, as Cognito does when it rotates keys.
func (s *KeySet) Publish(k Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, k)
}

// Hits is how many times the JWKS has been requested.
func (s *KeySet) Hits() int { return int(s.hits.Load()) }

// Close stops the server, as if Cognito's JWKS endpoint went down.
func (s *KeySet) Close() { s.srv.Close() }
