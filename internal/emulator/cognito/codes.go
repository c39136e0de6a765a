package cognito

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/url"
	"time"
)

const (
	purposeSignUp = "signup"
	purposeReset  = "reset"

	// Reset codes: "The recovery code is valid for one hour"
	// (https://docs.aws.amazon.com/cognito/latest/developerguide/how-to-recover-a-user-account.html).
	resetCodeTTL = time.Hour
	// Sign-up codes and links: the API reference (ConfirmSignUp, ResendConfirmationCode) states no
	// lifetime; 24 hours is the one commonly reported, and an expired code is answered
	// ExpiredCodeException, as ConfirmSignUp's error list allows. Not documented: chosen.
	signUpCodeTTL = 24 * time.Hour
	// maxCodeAttempts wrong answers spend a code. Cognito limits attempts but does not publish the
	// number ("we do not share externally the exact limits involved",
	// https://github.com/amazon-archives/amazon-cognito-identity-js/issues/548); 5 is the safe side,
	// the count Cognito applies to sign-in before locking out. A spent code is answered like a wrong
	// one, also when the right one comes, so that only a new code (ForgotPassword,
	// ResendConfirmationCode) helps and the answer tells nothing an unknown user would not get.
	maxCodeAttempts = 5
)

// codeHash keys a code's hash to its user and purpose, so the state holds no code in clear.
func codeHash(u *user, purpose, value string) string {
	m := hmac.New(sha256.New, []byte(u.Pool+"/"+u.Username+"/"+purpose))
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// newCode issues a six-digit code for u, replacing any earlier one. Callers hold e.mu and save u.
func (e *Emulator) newCode(u *user, purpose string, ttl time.Duration) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	value := fmt.Sprintf("%06d", n.Int64())
	if u.Codes == nil {
		u.Codes = map[string]*code{}
	}
	u.Codes[purpose] = &code{Hash: codeHash(u, purpose, value), Expires: e.now().Add(ttl).Unix()}
	return value
}

// checkCode checks value against u's code for purpose without spending it; a wrong value counts an
// attempt (saved). missing is the answer when no code was issued. Callers hold e.mu.
func (e *Emulator) checkCode(u *user, purpose, value string, missing *apiError) error {
	c := u.Codes[purpose]
	switch {
	case c == nil:
		return missing
	case c.Attempts >= maxCodeAttempts:
		return errorf("CodeMismatchException", msgCodeMismatch)
	case e.now().Unix() > c.Expires:
		return errorf("ExpiredCodeException", msgCodeExpired)
	case !hmac.Equal([]byte(c.Hash), []byte(codeHash(u, purpose, value))):
		c.Attempts++
		if err := e.saveUser(u); err != nil {
			return err
		}
		return errorf("CodeMismatchException", msgCodeMismatch)
	}
	return nil
}

// mailCode issues a code for u and mails it: as a confirmation link when the pool confirms by link
// (c names the client of the link), else as the code. Callers hold e.mu; u is saved first, so a code
// that was mailed is never lost.
func (e *Emulator) mailCode(p *pool, c *client, u *user, purpose, kind string, base ...string) error {
	ttl := resetCodeTTL
	if purpose == purposeSignUp {
		ttl = signUpCodeTTL
	}
	value := e.newCode(u, purpose, ttl)
	if err := e.saveUser(u); err != nil {
		return err
	}
	msg := Message{To: u.Attrs["email"], Kind: kind, UserPoolID: p.ID, Username: u.Username}
	if c != nil {
		msg.ClientID = c.ID
	}
	switch {
	case purpose == purposeSignUp && p.set.verifyByLink && c != nil:
		b := e.opts.PublicURL
		if b == "" && len(base) > 0 {
			b = base[0]
		}
		msg.Subject = "Your verification link"
		msg.Link = b + confirmPath + "?client_id=" + url.QueryEscape(c.ID) + "&user_name=" + url.QueryEscape(u.Username) +
			"&confirmation_code=" + url.QueryEscape(value)
	case purpose == purposeSignUp:
		msg.Subject, msg.Code = "Your verification code", value
	default:
		msg.Subject, msg.Code = "Your password reset code", value
	}
	return e.sendLocked(msg)
}

// sendLocked mails msg within the COGNITO_DEFAULT sender's daily quota: past it, Cognito answers
// LimitExceededException "Exceeded daily email limit for the operation or the account. If a higher
// limit is required, please configure your user pool to use your own Amazon SES configuration for
// sending email." (the message users report, e.g. https://github.com/rahulpsd18/cognito-backup-restore/issues/46)
// and sends nothing. The log line says that a message went, never what it carries. Callers hold e.mu.
func (e *Emulator) sendLocked(msg Message) error {
	now := e.now().UTC()
	day := now.Format(time.DateOnly)
	if e.st.quota.Day != day {
		e.st.quota = quotaRec{Day: day}
	}
	if e.st.quota.Count >= e.opts.MailQuota {
		e.log.Warn("cognito emulator: daily email quota reached, message not sent", "kind", msg.Kind, "quota", e.opts.MailQuota)
		return errorf("LimitExceededException", "Exceeded daily email limit for the operation or the account. If a higher limit is required, please configure your user pool to use your own Amazon SES configuration for sending email.")
	}
	e.st.quota.Count++
	if err := e.save("quota", e.st.quota); err != nil {
		return err
	}
	msg.Time = now
	e.log.Info("cognito emulator: message mailed", "kind", msg.Kind, "user_pool_id", msg.UserPoolID)
	if e.mail == nil {
		return nil
	}
	return e.mail.Send(msg)
}
