package cognito

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

const jwksSuffix = "/.well-known/jwks.json"

// keyring holds the emulator's keys: an RSA key signing ID and access tokens (RS256, as Cognito's),
// and an AES-256 key sealing refresh tokens and sessions. With a state dir both are kept in
// <dir>/keys.pem (mode 0600), so tokens issued before a restart still verify after it.
type keyring struct {
	sign *rsa.PrivateKey
	kid  string
	seal cipher.AEAD
	jwks []byte
}

func loadKeyring(dir string) (*keyring, error) {
	var signKey *rsa.PrivateKey
	var sealKey []byte
	path := ""
	if dir != "" {
		path = filepath.Join(dir, "keys.pem")
		raw, err := os.ReadFile(path)
		switch {
		case err == nil:
			for rest := raw; ; {
				var b *pem.Block
				b, rest = pem.Decode(rest)
				if b == nil {
					break
				}
				switch b.Type {
				case "RSA PRIVATE KEY":
					signKey, err = x509.ParsePKCS1PrivateKey(b.Bytes)
					if err != nil {
						return nil, fmt.Errorf("cognito: %s: %w", path, err)
					}
				case "AES KEY":
					sealKey = b.Bytes
				}
			}
			if signKey == nil || len(sealKey) != 32 {
				return nil, fmt.Errorf("cognito: %s lacks a key: delete the state dir (make local-reset) to start clean", path)
			}
		case errors.Is(err, os.ErrNotExist):
		default:
			return nil, fmt.Errorf("cognito: read keys: %w", err)
		}
	}
	if signKey == nil {
		var err error
		if signKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("cognito: generate signing key: %w", err)
		}
		sealKey = make([]byte, 32)
		if _, err := rand.Read(sealKey); err != nil {
			return nil, fmt.Errorf("cognito: generate sealing key: %w", err)
		}
		if path != "" {
			out := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(signKey)})
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: "AES KEY", Bytes: sealKey})...)
			if err := os.WriteFile(path, out, 0o600); err != nil {
				return nil, fmt.Errorf("cognito: write keys: %w", err)
			}
		}
	}
	return newKeyring(signKey, sealKey)
}

func newKeyring(signKey *rsa.PrivateKey, sealKey []byte) (*keyring, error) {
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, fmt.Errorf("cognito: sealing key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("cognito: sealing key: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(&signKey.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("cognito: public key: %w", err)
	}
	sum := sha256.Sum256(der)
	kid := base64.StdEncoding.EncodeToString(sum[:]) // Cognito's kids are base64 too
	jwk, err := jwkset.NewJWKFromKey(&signKey.PublicKey, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{ALG: jwkset.AlgRS256, KID: kid, USE: jwkset.UseSig}})
	if err != nil {
		return nil, fmt.Errorf("cognito: JWK of signing key: %w", err)
	}
	raw, err := json.Marshal(jwkset.JWKSMarshal{Keys: []jwkset.JWKMarshal{jwk.Marshal()}})
	if err != nil {
		return nil, fmt.Errorf("cognito: encode JWKS: %w", err)
	}
	return &keyring{sign: signKey, kid: kid, seal: aead, jwks: raw}, nil
}

// signJWT signs claims with the pool key.
func (k *keyring) signJWT(claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = k.kid
	s, err := t.SignedString(k.sign)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// parseJWT verifies a token the emulator signed and returns its claims; expiry is the caller's check.
func (k *keyring) parseJWT(token string) (jwt.MapClaims, bool) {
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation()).
		ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return &k.sign.PublicKey, nil })
	return claims, err == nil
}

// sealed is what a refresh token or a challenge session carries, encrypted and authenticated with the
// sealing key: Cognito's refresh tokens are opaque encrypted JWTs too, so nothing of them needs to be
// stored, and nothing a client sends can be forged or read.
type sealed struct {
	Use      string `json:"u"` // "refresh" or "session"
	PoolID   string `json:"p"`
	ClientID string `json:"c"`
	Username string `json:"n"`
	Origin   string `json:"o,omitempty"` // origin_jti of the sign-in
	AuthTime int64  `json:"a,omitempty"`
	Issued   int64  `json:"i"` // unix nanoseconds
	Expires  int64  `json:"e"` // unix seconds
	ID       string `json:"j,omitempty"`
}

func (k *keyring) sealToken(s sealed) (string, error) {
	plain, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	nonce := make([]byte, k.seal.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	out := k.seal.Seal(nonce, nonce, plain, []byte(s.Use))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

func (k *keyring) openToken(use, token string) (sealed, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < k.seal.NonceSize() {
		return sealed{}, false
	}
	n := k.seal.NonceSize()
	plain, err := k.seal.Open(nil, raw[:n], raw[n:], []byte(use))
	if err != nil {
		return sealed{}, false
	}
	var s sealed
	if json.Unmarshal(plain, &s) != nil || s.Use != use {
		return sealed{}, false
	}
	return s, true
}

// issueTokens makes the AuthenticationResult of a sign-in (refresh "" makes a new refresh token,
// with a new origin_jti) or of a refresh (the refresh token's origin_jti and auth_time are kept and
// no refresh token is returned, as Cognito answers REFRESH_TOKEN_AUTH). The claims are those of
// "Understanding the identity (ID) token" and "Understanding the access token"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html,
// https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html).
func (e *Emulator) issueTokens(p *pool, c *client, u *user, from *sealed) (map[string]any, error) {
	now := e.now()
	iss := "https://cognito-idp." + e.opts.Region + ".amazonaws.com/" + p.ID
	origin, authTime := newUUID(), now.Unix()
	if from != nil {
		origin, authTime = from.Origin, from.AuthTime
	}
	event := newUUID()
	sub := u.Attrs["sub"]
	id := jwt.MapClaims{
		"sub": sub, "iss": iss, "aud": c.ID, "cognito:username": u.Username, "origin_jti": origin,
		"event_id": event, "token_use": "id", "auth_time": authTime, "iat": now.Unix(),
		"exp": now.Add(c.set.idValidity).Unix(), "jti": newUUID(),
	}
	for name, v := range u.Attrs {
		switch name {
		case "sub":
		case "email_verified", "phone_number_verified":
			id[name] = v == "true"
		default:
			id[name] = v
		}
	}
	access := jwt.MapClaims{
		"sub": sub, "iss": iss, "client_id": c.ID, "origin_jti": origin, "event_id": event,
		"token_use": "access", "scope": "aws.cognito.signin.user.admin", "auth_time": authTime,
		"iat": now.Unix(), "exp": now.Add(c.set.accessValidity).Unix(), "jti": newUUID(), "username": u.Username,
	}
	if len(u.Groups) > 0 {
		id["cognito:groups"] = u.Groups
		access["cognito:groups"] = u.Groups
	}
	idToken, err := e.keys.signJWT(id)
	if err != nil {
		return nil, err
	}
	accessToken, err := e.keys.signJWT(access)
	if err != nil {
		return nil, err
	}
	result := map[string]any{"IdToken": idToken, "AccessToken": accessToken, "TokenType": "Bearer",
		"ExpiresIn": int(c.set.accessValidity / time.Second)}
	if from == nil {
		rt, err := e.keys.sealToken(sealed{Use: "refresh", PoolID: p.ID, ClientID: c.ID, Username: u.Username,
			Origin: origin, AuthTime: authTime, Issued: now.UnixNano(), Expires: now.Add(c.set.refreshValidity).Unix()})
		if err != nil {
			return nil, err
		}
		result["RefreshToken"] = rt
	}
	return result, nil
}

// serveJWKS publishes the signing key as the JWKS of every pool that exists, where Cognito publishes
// it: https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json.
func (e *Emulator) serveJWKS(w http.ResponseWriter, r *http.Request) {
	poolID := strings.Trim(strings.TrimSuffix(r.URL.Path, jwksSuffix), "/")
	e.mu.Lock()
	_, ok := e.st.pools[poolID]
	e.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(e.keys.jwks)
}

// newUUID is a random (version 4) UUID, the form of Cognito's sub, jti and event ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
