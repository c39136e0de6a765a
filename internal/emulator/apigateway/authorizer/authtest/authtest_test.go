package authtest_test

import (
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
)

func TestJWKSPublishesOnlyPublicKeys(t *testing.T) {
	k := authtest.NewKey(t, "key-1")
	b, err := authtest.JWKS(k)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"kid":"key-1"`, `"alg":"RS256"`, `"use":"sig"`, `"kty":"RSA"`} {
		if !strings.Contains(s, want) {
			t.Errorf("JWKS %s lacks %s", s, want)
		}
	}
	if strings.Contains(s, `"d":`) {
		t.Errorf("JWKS leaks the private exponent: %s", s)
	}
}
