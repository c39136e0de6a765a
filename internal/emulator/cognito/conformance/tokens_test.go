package conformance_test

import (
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/golang-jwt/jwt/v5"
)

func claimNames(t *testing.T, token string) map[string]any {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		t.Fatalf("parse token: %v", err)
	}
	return claims
}

func wantClaims(t *testing.T, claims map[string]any, names []string) {
	t.Helper()
	var missing []string
	for _, n := range names {
		if _, ok := claims[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		var have []string
		for k := range claims {
			have = append(have, k)
		}
		sort.Strings(have)
		t.Fatalf("missing claims %v; token has %v", missing, have)
	}
}

// The ID token's default payload: sub, email_verified, iss, cognito:username, origin_jti, aud,
// event_id, token_use "id", auth_time, exp, iat, jti, email (Developer Guide, "Understanding the
// identity (ID) token", amazon-cognito-user-pools-using-the-id-token.html).
func TestIDTokenCarriesCognitosClaims(t *testing.T) {
	tg := newTarget(t)
	user := tg.confirmed(t)
	claims := claimNames(t, aws.ToString(tg.tokens(t, user).IdToken))
	wantClaims(t, claims, []string{"sub", "email_verified", "iss", "cognito:username", "origin_jti", "aud",
		"event_id", "token_use", "auth_time", "exp", "iat", "jti", "email"})
	if claims["token_use"] != "id" || claims["email_verified"] != true || claims["aud"] != tg.clientID ||
		claims["iss"] != "https://cognito-idp."+tg.region+".amazonaws.com/"+tg.poolID {
		t.Errorf("claims %v", claims)
	}
}

// The access token's payload: sub, iss, client_id, origin_jti, event_id, token_use "access", scope,
// auth_time, exp, iat, jti, username (Developer Guide, "Understanding the access token",
// amazon-cognito-user-pools-using-the-access-token.html).
func TestAccessTokenCarriesCognitosClaims(t *testing.T) {
	tg := newTarget(t)
	user := tg.confirmed(t)
	claims := claimNames(t, aws.ToString(tg.tokens(t, user).AccessToken))
	wantClaims(t, claims, []string{"sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope",
		"auth_time", "exp", "iat", "jti", "username"})
	if claims["token_use"] != "access" || claims["client_id"] != tg.clientID || claims["scope"] != "aws.cognito.signin.user.admin" {
		t.Errorf("claims %v", claims)
	}
}

// The client's token lifetimes (the API stack: 60 minutes) set exp and ExpiresIn
// (API Reference, UserPoolClientType: IdTokenValidity, AccessTokenValidity, TokenValidityUnits).
func TestTokenLifetimesAreTheClients(t *testing.T) {
	tg := newTarget(t)
	user := tg.confirmed(t)
	tok := tg.tokens(t, user)
	if tok.ExpiresIn != 3600 {
		t.Errorf("ExpiresIn = %d, want 3600", tok.ExpiresIn)
	}
	for _, raw := range []string{aws.ToString(tok.IdToken), aws.ToString(tok.AccessToken)} {
		c := claimNames(t, raw)
		if exp, iat := c["exp"].(float64), c["iat"].(float64); exp-iat != 3600 {
			t.Errorf("exp - iat = %v, want 3600", exp-iat)
		}
	}
}
