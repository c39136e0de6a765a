package authorizer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
)

// TestVerifyNamesTheReasonWithoutTheToken checks the reason the gateway logs
// for each refusal: it says what failed and never carries the token.
func TestVerifyNamesTheReasonWithoutTheToken(t *testing.T) {
	ks := authtest.NewKeySet(t)
	a := newAuthorizer(t, ks, nil)
	key := ks.Key()
	tests := []struct{ name, header, reason string }{
		{"access token", authtest.Sign(t, key, claimsWith(map[string]any{"token_use": "access"})), `token_use is "access", ID token required`},
		{"expired", authtest.Sign(t, key, claimsWith(map[string]any{"exp": now.Add(-time.Minute).Unix()})), "token expired"},
		{"other issuer", authtest.Sign(t, key, claimsWith(map[string]any{"iss": "https://example.com"})), "iss is not the pool's issuer"},
		{"junk after payload", signRaw(t, key, string(mustJSON(t, claimsWith(nil)))+"x"), "token payload is not exactly one JSON object"},
		{"forged", authtest.Sign(t, authtest.NewKey(t, key.ID), claimsWith(nil)), "signature does not verify"},
		{"nbf ahead", authtest.Sign(t, key, claimsWith(map[string]any{"nbf": now.Add(time.Hour).Unix()})), "nbf is in the future"},
		{"empty", "", "no token in the identity header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claims, reason, err := a.Verify(tc.header)
			if err == nil || claims != nil {
				t.Fatalf("accepted: %v", claims)
			}
			if reason != tc.reason {
				t.Fatalf("reason %q, want %q", reason, tc.reason)
			}
			if tc.header != "" && strings.Contains(reason, strings.Split(tc.header, ".")[1]) {
				t.Fatalf("reason carries the token: %q", reason)
			}
		})
	}
}
