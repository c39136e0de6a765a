package authorizer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// strictB64 is base64url without padding, refusing non-zero trailing bits:
// one encoding per token (RFC 7515 section 2, "Base64url Encoding").
var strictB64 = base64.RawURLEncoding.Strict()

// checkStructure refuses anything but three strict base64url segments whose
// first two are exactly one JSON object each. It returns the reason, or "".
func checkStructure(raw string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "token is not three dot-separated segments"
	}
	for i, name := range []string{"header", "payload"} {
		seg, err := strictB64.DecodeString(parts[i])
		if err != nil {
			return "token " + name + " is not strict base64url"
		}
		if !oneJSONObject(seg) {
			return "token " + name + " is not exactly one JSON object"
		}
	}
	if _, err := strictB64.DecodeString(parts[2]); err != nil || parts[2] == "" {
		return "token signature is not strict base64url"
	}
	return ""
}

// oneJSONObject reports whether b is one JSON object and nothing else but
// whitespace: a second value or junk after the first is refused.
func oneJSONObject(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return false
	}
	_, err := dec.Token()
	return errors.Is(err, io.EOF)
}

// checkClaims applies, after the signature, the checks of a Cognito user pool
// authorizer without scopes, as awslabs/aws-jwt-verify's Cognito verifier does
// them (src/jwt.ts assertJwtPayload and validateJwtFields; src/cognito-verifier.ts):
// iss equal to the pool's issuer, token_use "id" (API Gateway accepts only ID
// tokens when the method has no OAuth scopes:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html),
// exp required and a finite number, nbf and iat finite numbers when present,
// nbf not in the future. Times are compared as float64 seconds, never converted
// to int64 or time.Time, so a far-future exp cannot overflow into the past.
// Expired is said only when everything else holds: an expired token from
// another pool or of the wrong use is simply Unauthorized.
func (a *Authorizer) checkClaims(c jwt.MapClaims) (string, error) {
	if iss, _ := c["iss"].(string); iss != a.issuer {
		return "iss is not the pool's issuer", ErrUnauthorized
	}
	switch use, _ := c["token_use"].(string); use {
	case "id":
	case "":
		return "token_use missing, ID token required", ErrUnauthorized
	default:
		return "token_use is " + strconv.Quote(use) + ", ID token required", ErrUnauthorized
	}
	exp, ok := numericDate(c, "exp")
	if !ok {
		return "exp missing or not a finite number", ErrUnauthorized
	}
	for _, claim := range []string{"nbf", "iat"} {
		if _, present := c[claim]; present {
			if _, ok := numericDate(c, claim); !ok {
				return claim + " is not a finite number", ErrUnauthorized
			}
		}
	}
	now := float64(a.now().UnixNano()) / 1e9
	// No iat check beyond its type: a future iat proves nothing and, with no
	// leeway, would refuse fresh tokens whenever this clock is behind Cognito's
	// (aws-jwt-verify does not check it either).
	if nbf, ok := numericDate(c, "nbf"); ok && nbf > now {
		return "nbf is in the future", ErrUnauthorized
	}
	// RFC 7519 4.1.4: the current time must be before exp; exp == now is expired.
	if exp <= now {
		return "token expired", ErrExpired
	}
	return "", nil
}

// numericDate reads a NumericDate claim as float64 seconds; false when it is
// absent, not a JSON number, or not finite.
func numericDate(c jwt.MapClaims, claim string) (float64, bool) {
	n, ok := c[claim].(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// signatureReason names why golang-jwt refused a token, without its content.
func signatureReason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "signature does not verify"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "no usable key: " + keyReason(err)
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "token malformed"
	default:
		return "token refused: " + keyReason(err)
	}
}

// keyReason keeps the last part of golang-jwt's joined message (e.g. "token
// has no kid", "signing method RS512 is invalid"), which never holds the token.
func keyReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}
