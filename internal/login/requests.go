package login

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/example/cognito-sam-go/internal/httpapi"
)

// Limits checked before any Cognito call, so that a request Cognito would reject costs no round trip
// and every rejection names the field. Lengths are in characters, as Cognito counts them.
const (
	maxBodyBytes    = 16 << 10
	maxUsername     = 128 // Cognito's username limit
	maxPassword     = 256 // Cognito's password limit
	minSession      = 20  // Cognito's Session length bounds
	maxSession      = 2048
	maxRefreshToken = 4096 // Cognito's refresh tokens are ~1.8 KB; leave room, refuse abuse
	maxCode         = 2048 // ConfirmForgotPassword's ConfirmationCode limit; Cognito sends 6 digits
)

// The wire shapes use pointers so that a missing (or null) field and an empty one get different messages.
type loginBody struct {
	Username *string `json:"username"`
	Password *string `json:"password"`
}

type newPasswordBody struct {
	Username    *string `json:"username"`
	Session     *string `json:"session"`
	NewPassword *string `json:"new_password"`
}

type refreshBody struct {
	RefreshToken *string `json:"refresh_token"`
}

type usernameBody struct {
	Username *string `json:"username"`
}

type resetBody struct {
	Username    *string `json:"username"`
	Code        *string `json:"code"`
	NewPassword *string `json:"new_password"`
}

type loginRequest struct{ username, password string }

type newPasswordRequest struct{ username, session, newPassword string }

type refreshRequest struct{ refreshToken string }

type resetRequest struct{ username, code, newPassword string }

// parseCredentials reads the body of /login and /signup.
func parseCredentials(r *http.Request) (loginRequest, error) {
	var b loginBody
	if err := decode(r, &b); err != nil {
		return loginRequest{}, err
	}
	var req loginRequest
	var err error
	if req.username, err = username(b.Username); err != nil {
		return loginRequest{}, err
	}
	if req.password, err = text("password", b.Password, 1, maxPassword); err != nil {
		return loginRequest{}, err
	}
	return req, nil
}

func parseNewPassword(r *http.Request) (newPasswordRequest, error) {
	var b newPasswordBody
	if err := decode(r, &b); err != nil {
		return newPasswordRequest{}, err
	}
	var req newPasswordRequest
	var err error
	if req.username, err = username(b.Username); err != nil {
		return newPasswordRequest{}, err
	}
	if req.session, err = text("session", b.Session, minSession, maxSession); err != nil {
		return newPasswordRequest{}, err
	}
	if req.newPassword, err = text("new_password", b.NewPassword, 1, maxPassword); err != nil {
		return newPasswordRequest{}, err
	}
	return req, nil
}

func parseRefresh(r *http.Request) (refreshRequest, error) {
	var b refreshBody
	if err := decode(r, &b); err != nil {
		return refreshRequest{}, err
	}
	token, err := text("refresh_token", b.RefreshToken, 1, maxRefreshToken)
	if err != nil {
		return refreshRequest{}, err
	}
	return refreshRequest{refreshToken: token}, nil
}

// parseUsername reads the body of /signup/resend and /password/forgot.
func parseUsername(r *http.Request) (string, error) {
	var b usernameBody
	if err := decode(r, &b); err != nil {
		return "", err
	}
	return username(b.Username)
}

func parseReset(r *http.Request) (resetRequest, error) {
	var b resetBody
	if err := decode(r, &b); err != nil {
		return resetRequest{}, err
	}
	var req resetRequest
	var err error
	if req.username, err = username(b.Username); err != nil {
		return resetRequest{}, err
	}
	if req.code, err = text("code", b.Code, 1, maxCode); err != nil {
		return resetRequest{}, err
	}
	if req.newPassword, err = text("new_password", b.NewPassword, 1, maxPassword); err != nil {
		return resetRequest{}, err
	}
	return req, nil
}

func decode(r *http.Request, dst any) error {
	body, err := httpapi.ReadBody(r, maxBodyBytes)
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if err := httpapi.DecodeObject(body, dst); err != nil {
		return fmt.Errorf("decode body: %w", err)
	}
	return nil
}

// text checks one string field. Messages name the field and the rule, never the value.
func text(name string, v *string, minChars, maxChars int) (string, error) {
	if v == nil {
		return "", invalid("field %q is required", name)
	}
	if *v == "" {
		return "", invalid("field %q must not be empty", name)
	}
	n := utf8.RuneCountInString(*v)
	if n > maxChars {
		return "", invalid("field %q must be at most %d characters", name, maxChars)
	}
	if n < minChars {
		return "", invalid("field %q must be at least %d characters", name, minChars)
	}
	return *v, nil
}

func username(v *string) (string, error) {
	s, err := text("username", v, 1, maxUsername)
	if err != nil {
		return "", err
	}
	if !isEmailAddress(s) {
		return "", invalid("field %q must be an email address", "username")
	}
	return s, nil
}

// isEmailAddress reports whether s is one bare address, local@domain, in RFC 5322's dot-atom form:
// no display name, angle brackets, comments, quoting or spaces; and the domain has a dot, as every
// address Cognito can email a confirmation link to does. Written out rather than net/mail, which
// accepts all those forms anyway and costs 64 KiB of binary (the login function's size budget).
func isEmailAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || !isDotAtom(local, isAtext) || !isDotAtom(domain, isDomainChar) {
		return false
	}
	return strings.Contains(domain, ".")
}

// isDotAtom reports whether s is non-empty runs of allowed characters joined by single dots.
func isDotAtom(s string, allowed func(rune) bool) bool {
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for _, r := range part {
			if !allowed(r) {
				return false
			}
		}
	}
	return true
}

// isAtext is RFC 5322's atext, plus UTF-8 letters and digits (RFC 6531).
func isAtext(r rune) bool {
	return r < utf8.RuneSelf && (isASCIIAlnum(r) || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)) ||
		r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// isDomainChar allows host names (letters, digits, hyphens) and internationalized labels.
func isDomainChar(r rune) bool {
	return r < utf8.RuneSelf && (isASCIIAlnum(r) || r == '-') || r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

func isASCIIAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

func invalid(format string, args ...any) error {
	return &httpapi.DecodeError{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}
