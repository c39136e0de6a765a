package cognito

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Passwords are kept as salted PBKDF2-HMAC-SHA256 hashes, "pbkdf2-sha256$<iterations>$<salt>$<key>",
// never in clear, in memory or on disk. PBKDF2 because it is in the standard library (crypto/pbkdf2,
// FIPS 140 approved), so no dependency is added for a development emulator; the iteration count is
// lower than OWASP's 600,000 for production stores because every test and the local stack's sign-ins
// pay it, and what it protects is test accounts in a developer's STATE_DIR. The count is stored in each
// hash, so raising it later keeps old hashes valid.
const hashIterations = 20_000

func hashPassword(password string, iterations int) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, 32)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$" + strconv.Itoa(iterations) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key), nil
}

// dummyHash is verified against when the user does not exist, so that an unknown user costs the same
// time as a wrong password.
var dummyHash = func() string {
	h, err := hashPassword(rand.Text(), hashIterations)
	if err != nil {
		panic(err)
	}
	return h
}()

// verifyPassword reports whether password matches hash, in time that does not depend on where they
// differ. An empty or malformed hash matches nothing (after the same work as a real one).
func verifyPassword(hash, password string) bool {
	ok := true
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		parts, ok = strings.Split(dummyHash, "$"), false
	}
	iter, err := strconv.Atoi(parts[1])
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err != nil || err1 != nil || err2 != nil || iter <= 0 || iter > 10_000_000 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1 && ok
}

// passwordPolicy is a pool's PasswordPolicyType.
type passwordPolicy struct {
	minLength                      int
	upper, lower, numbers, symbols bool
	tempDays                       int
}

// defaultPolicy is Cognito's when a pool names none: 8 characters and every class
// (PasswordPolicyType, https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_PasswordPolicyType.html).
var defaultPolicy = passwordPolicy{minLength: 8, upper: true, lower: true, numbers: true, symbols: true, tempDays: 7}

// symbols are the special characters Cognito counts
// (https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html).
const symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// check returns InvalidPasswordException with Cognito's reason for the first rule password breaks:
// "Password did not conform with policy: Password not long enough" and so on (the messages Cognito
// answers, as recorded in LocalStack's and moto's Cognito tests).
func (p passwordPolicy) check(password string) *apiError {
	var upper, lower, digit, symbol bool
	n := 0
	for _, r := range password {
		n++
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune(symbols, r):
			symbol = true
		}
	}
	reason := ""
	switch {
	case n < p.minLength:
		reason = "Password not long enough"
	case p.lower && !lower:
		reason = "Password must have lowercase characters"
	case p.upper && !upper:
		reason = "Password must have uppercase characters"
	case p.numbers && !digit:
		reason = "Password must have numeric characters"
	case p.symbols && !symbol:
		reason = "Password must have symbol characters"
	case n > 256:
		reason = "Password is too long"
	default:
		return nil
	}
	return errorf("InvalidPasswordException", "Password did not conform with policy: "+reason)
}

// temporaryPassword makes a password that meets the policy, as Cognito generates one for
// AdminCreateUser without TemporaryPassword.
func (p passwordPolicy) temporaryPassword() string {
	n := max(p.minLength, 12)
	s := ""
	for len(s) < n {
		s += rand.Text() // base32: upper-case letters and digits
	}
	return "a" + s[:n-3] + "7!"
}
