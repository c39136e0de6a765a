package cognito

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// moto signs every token with one key published in its source and gives them a fixed lifetime of
// an hour, whatever the client says. The layer re-signs the ID and access tokens with the client's
// lifetimes and a key of its own, and publishes that key as every pool's JWKS.

const jwksSuffix = "/.well-known/jwks.json"

// signer is the layer's signing key; it lives as long as the Front, as moto's state does.
type signer struct {
	key  *rsa.PrivateKey
	kid  string
	jwks []byte
}

func newSigner(keyFile string) (*signer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("cognito: generate signing key: %w", err)
	}
	if keyFile != "" {
		der := x509.MarshalPKCS1PrivateKey(key)
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})
		if err := os.WriteFile(keyFile, pemBytes, 0o600); err != nil {
			return nil, fmt.Errorf("cognito: write signing key: %w", err)
		}
	}
	kid := "local-" + rand.Text()[:16]
	jwk, err := jwkset.NewJWKFromKey(&key.PublicKey, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{ALG: jwkset.AlgRS256, KID: kid, USE: jwkset.UseSig}})
	if err != nil {
		return nil, fmt.Errorf("cognito: JWK of signing key: %w", err)
	}
	raw, err := json.Marshal(jwkset.JWKSMarshal{Keys: []jwkset.JWKMarshal{jwk.Marshal()}})
	if err != nil {
		return nil, fmt.Errorf("cognito: encode JWKS: %w", err)
	}
	return &signer{key: key, kid: kid, jwks: raw}, nil
}

// resign returns token with exp set to iat + lifetime, signed with the layer's key; every other
// claim stays as moto made it.
func (s *signer) resign(token string, lifetime time.Duration) (string, jwt.MapClaims, time.Time, error) {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return "", nil, time.Time{}, fmt.Errorf("parse moto's token: %w", err)
	}
	iat, err := claims.GetIssuedAt()
	if err != nil || iat == nil {
		return "", nil, time.Time{}, fmt.Errorf("moto's token has no iat: %v", err)
	}
	exp := iat.Add(lifetime)
	claims["exp"] = exp.Unix()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = s.kid
	signed, err := t.SignedString(s.key)
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("sign token: %w", err)
	}
	return signed, claims, exp, nil
}

// issuedAccess is an access token the layer issued: moto's original, and what revocation needs.
type issuedAccess struct {
	moto      string
	originJTI string
	exp       time.Time
}

// reissue re-signs the tokens of an AuthenticationResult with the client's lifetimes, sets
// ExpiresIn to the access token's, and remembers what revocation and moto's lookups need.
func (f *Front) reissue(ci *clientInfo, result map[string]any) error {
	if id, ok := result["IdToken"].(string); ok {
		signed, _, _, err := f.keys.resign(id, ci.idValidity)
		if err != nil {
			return err
		}
		result["IdToken"] = signed
	}
	access, ok := result["AccessToken"].(string)
	if !ok {
		return nil
	}
	signed, claims, exp, err := f.keys.resign(access, ci.accessValidity)
	if err != nil {
		return err
	}
	result["AccessToken"] = signed
	result["ExpiresIn"] = int(ci.accessValidity / time.Second)
	origin, _ := claims["origin_jti"].(string)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pruneAccess()
	f.access[signed] = issuedAccess{moto: access, originJTI: origin, exp: exp}
	if rt, ok := result["RefreshToken"].(string); ok {
		f.refresh[rt] = issuedRefresh{clientID: ci.ID, originJTI: origin}
	}
	return nil
}

// pruneAccess forgets expired access tokens once there are many. Callers hold f.mu.
func (f *Front) pruneAccess() {
	if len(f.access) < 4096 {
		return
	}
	now := f.now()
	for k, v := range f.access {
		if now.After(v.exp) {
			delete(f.access, k)
		}
	}
}

// motoAccessToken exchanges a re-signed AccessToken in a request body for moto's, refusing one
// whose refresh token was revoked: RevokeToken revokes the access tokens issued with it
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html).
func (f *Front) motoAccessToken(body []byte) ([]byte, error) {
	if !strings.Contains(string(body), `"AccessToken"`) {
		return body, nil
	}
	var in map[string]any
	if json.Unmarshal(body, &in) != nil {
		return body, nil
	}
	token, _ := in["AccessToken"].(string)
	f.mu.Lock()
	issued, ok := f.access[token]
	revoked := ok && f.revoked[issued.originJTI]
	f.mu.Unlock()
	if !ok {
		return body, nil
	}
	if revoked {
		return nil, errorf("NotAuthorizedException", msgAccessRevoked)
	}
	in["AccessToken"] = issued.moto
	out, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	return out, nil
}

// serveJWKS publishes the layer's key as the JWKS of every pool that exists, where Cognito publishes
// it: https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json.
func (f *Front) serveJWKS(w http.ResponseWriter, r *http.Request) {
	poolID := strings.Trim(strings.TrimSuffix(r.URL.Path, jwksSuffix), "/")
	if poolID == "" || strings.Contains(poolID, "/") {
		http.NotFound(w, r)
		return
	}
	if _, err := f.pool(r.Context(), poolID); err != nil {
		if _, ok := err.(*apiError); ok {
			http.NotFound(w, r)
			return
		}
		f.log.ErrorContext(r.Context(), "cognito emulator: JWKS", "pool", poolID, "error", err)
		writeInternal(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(f.keys.jwks)
}
