package cognito

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"time"
)

// moto never sends a code: it confirms a sign-up whatever code it is given, and accepts any reset
// code that does not start with its own prefix. The layer issues the codes, mails them, and checks
// them.

const (
	// Reset codes: "The recovery code is valid for one hour"
	// (https://docs.aws.amazon.com/cognito/latest/developerguide/how-to-recover-a-user-account.html).
	resetCodeTTL = time.Hour
	// Sign-up confirmation codes and links: the API reference (ConfirmSignUp, ResendConfirmationCode)
	// states no lifetime; 24 hours is the lifetime commonly reported for them, and an expired one is
	// answered ExpiredCodeException, as the error list of ConfirmSignUp allows. Not documented: chosen.
	signUpCodeTTL = 24 * time.Hour
)

type codePurpose int

const (
	purposeSignUp codePurpose = iota
	purposeReset
)

type codeKey struct {
	purpose          codePurpose
	poolID, username string
}

type pendingCode struct {
	code    string
	expires time.Time
}

// codeCheck is why a code was not accepted.
type codeCheck int

const (
	codeOK codeCheck = iota
	codeNone
	codeWrong
	codeExpired
)

// newCode issues a six-digit code for the user, replacing any earlier one.
func (f *Front) newCode(k codeKey, ttl time.Duration) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("generate code: %w", err)
	}
	code := fmt.Sprintf("%06d", n.Int64())
	f.mu.Lock()
	f.codes[k] = pendingCode{code: code, expires: f.now().Add(ttl)}
	f.mu.Unlock()
	return code, nil
}

// takeCode checks code and, when it is right, consumes it (codes are single-use). restore puts it
// back, for when the operation it allowed fails for another reason (a password against the policy).
func (f *Front) takeCode(k codeKey, code string) (codeCheck, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.codes[k]
	switch {
	case !ok:
		return codeNone, nil
	case f.now().After(p.expires):
		delete(f.codes, k)
		return codeExpired, nil
	case subtle.ConstantTimeCompare([]byte(p.code), []byte(code)) != 1:
		return codeWrong, nil
	}
	delete(f.codes, k)
	return codeOK, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, newer := f.codes[k]; !newer {
			f.codes[k] = p
		}
	}
}
