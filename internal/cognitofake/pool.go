package cognitofake

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// State is the state of an account in a Pool.
type State int

// The account states a Pool models. A missing account is simply not added.
const (
	Unconfirmed         State = iota + 1 // signed up, link not opened yet
	Confirmed                            // can sign in
	Disabled                             // confirmed, then disabled by an administrator
	ResetRequired                        // an administrator reset the password (AdminResetUserPassword)
	ForceChangePassword                  // created by an administrator with a temporary password
)

func (s State) String() string {
	switch s {
	case Unconfirmed:
		return "unconfirmed"
	case Confirmed:
		return "confirmed"
	case Disabled:
		return "disabled"
	case ResetRequired:
		return "reset required"
	case ForceChangePassword:
		return "force change password"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Message is one email the Pool sent: Kind is "signup", "resend" or "forgot", as in the local mailbox.
type Message struct {
	To, Kind, Code string
}

// Pool is a user pool with one public app client whose PreventUserExistenceErrors is ENABLED,
// answering as Cognito documents for that setting
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html).
// Where Cognito's answer is undocumented or reported to vary, the Pool gives the answer that would
// leak the most about an account, so that a handler tested against it must not rely on Cognito to hide
// accounts. Install it on a Server with Serve.
type Pool struct {
	ClientID string
	// AdminCreateUserOnly refuses SignUp, as AdminCreateUserConfig.AllowAdminCreateUserOnly does.
	AdminCreateUserOnly bool
	// SendLimit is how many codes one account may ask for (ResendConfirmationCode plus ForgotPassword)
	// before LimitExceededException; 0 means 5.
	SendLimit int

	mu       sync.Mutex
	seq      int
	accounts map[string]*account
	refresh  map[string]*refreshToken
	issued   map[string]bool   // ID and access tokens handed out
	sessions map[string]string // NEW_PASSWORD_REQUIRED session -> username
	outbox   []Message
}

type account struct {
	password    string
	state       State
	confirmCode string
	resetCode   string
	sends       int
}

type refreshToken struct {
	username string
	revoked  bool
}

// NewPool returns an empty pool for the app client clientID.
func NewPool(clientID string) *Pool {
	return &Pool{
		ClientID: clientID,
		accounts: map[string]*account{},
		refresh:  map[string]*refreshToken{},
		issued:   map[string]bool{},
		sessions: map[string]string{},
	}
}

// AddUser creates (or replaces) an account in the given state.
func (p *Pool) AddUser(username, password string, state State) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.accounts[username] = &account{password: password, state: state}
}

// UserState reports an account's state; ok is false when it does not exist.
func (p *Pool) UserState(username string) (s State, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	a, ok := p.accounts[username]
	if !ok {
		return 0, false
	}
	return a.state, true
}

// Outbox returns the messages sent so far, oldest first.
func (p *Pool) Outbox() []Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Message(nil), p.outbox...)
}

// Serve makes s answer every operation the login function calls from p's state.
func (s *Server) Serve(p *Pool) {
	ops := map[string]func(Input) Reply{
		InitiateAuth:           p.initiateAuth,
		RespondToAuthChallenge: p.respondToAuthChallenge,
		SignUp:                 p.signUp,
		ResendConfirmationCode: p.resendConfirmationCode,
		ForgotPassword:         p.forgotPassword,
		ConfirmForgotPassword:  p.confirmForgotPassword,
		RevokeToken:            p.revokeToken,
	}
	for op, fn := range ops {
		s.Respond(op, func(c Call) Reply {
			in, err := c.Input()
			if err != nil {
				return Error("SerializationException", err.Error())
			}
			if in.ClientId != p.ClientID {
				return Error("ResourceNotFoundException", "User pool client does not exist.")
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			return fn(in)
		})
	}
}

// Cognito's messages, as its answers carry them.
const (
	msgIncorrect     = "Incorrect username or password."
	msgCodeMismatch  = "Invalid verification code provided, please try again."
	msgAttemptsLimit = "Attempt limit exceeded, please try after some time."
)

func (p *Pool) initiateAuth(in Input) Reply {
	switch in.AuthFlow {
	case "USER_PASSWORD_AUTH":
		return p.passwordAuth(in.AuthParameters["USERNAME"], in.AuthParameters["PASSWORD"])
	case "REFRESH_TOKEN_AUTH":
		rt, ok := p.refresh[in.AuthParameters["REFRESH_TOKEN"]]
		switch {
		case !ok:
			return Error("NotAuthorizedException", "Invalid Refresh Token")
		case rt.revoked:
			return Error("NotAuthorizedException", "Refresh Token has been revoked")
		case p.accounts[rt.username] == nil || p.accounts[rt.username].state != Confirmed:
			return Error("NotAuthorizedException", "User is disabled.")
		}
		return p.tokens(rt.username, false)
	}
	return Error("InvalidParameterException", "Initiate Auth method not supported.")
}

func (p *Pool) passwordAuth(username, password string) Reply {
	a := p.accounts[username]
	switch {
	case a == nil:
		return Error("NotAuthorizedException", msgIncorrect)
	// Cognito reports an unconfirmed account whatever the password (maintainers call it intended:
	// https://github.com/aws/aws-sdk-js/issues/4608, https://github.com/aws-amplify/amplify-flutter/issues/3407).
	case a.state == Unconfirmed:
		return Error("UserNotConfirmedException", "User is not confirmed.")
	case a.state == Disabled:
		return Error("NotAuthorizedException", "User is disabled.")
	// Whether Cognito checks the password first is undocumented, and AWS says the exception comes
	// whatever PreventUserExistenceErrors says (https://github.com/aws-amplify/aws-sdk-ios/issues/2298):
	// the fake answers it whatever the password, the case that leaks.
	case a.state == ResetRequired:
		return Error("PasswordResetRequiredException", "Password reset required for the user")
	case a.password != password:
		return Error("NotAuthorizedException", msgIncorrect)
	case a.state == ForceChangePassword:
		session := p.next("AYABeSESSION") + strings.Repeat("x", 20)
		p.sessions[session] = username
		return Challenge("NEW_PASSWORD_REQUIRED", session)
	}
	return p.tokens(username, true)
}

func (p *Pool) respondToAuthChallenge(in Input) Reply {
	username := in.ChallengeResponses["USERNAME"]
	// A session belongs to the user it was issued to (moto's does not: issue 11).
	if owner, ok := p.sessions[in.Session]; !ok || owner != username || in.ChallengeName != "NEW_PASSWORD_REQUIRED" {
		return Error("NotAuthorizedException", "Invalid session for the user, session is expired.")
	}
	newPassword := in.ChallengeResponses["NEW_PASSWORD"]
	if reason := policyViolation(newPassword); reason != "" {
		return Error("InvalidPasswordException", reason)
	}
	delete(p.sessions, in.Session)
	a := p.accounts[username]
	a.password, a.state = newPassword, Confirmed
	return p.tokens(username, true)
}

func (p *Pool) signUp(in Input) Reply {
	if p.AdminCreateUserOnly {
		return Error("NotAuthorizedException", "SignUp is not permitted for this user pool")
	}
	// Checked before the username, so that it answers alike for new and taken addresses; Cognito's
	// order is undocumented.
	if reason := policyViolation(in.Password); reason != "" {
		return Error("InvalidPasswordException", reason)
	}
	// Always, whatever PreventUserExistenceErrors says (managing-errors page, "SignUp").
	if p.accounts[in.Username] != nil {
		return Error("UsernameExistsException", "An account with the given email already exists.")
	}
	a := &account{password: in.Password, state: Unconfirmed}
	p.accounts[in.Username] = a
	a.confirmCode = p.send(in.Username, "signup")
	return Reply{Body: map[string]any{
		"UserConfirmed":       false,
		"UserSub":             p.next("sub"),
		"CodeDeliveryDetails": delivery(in.Username),
	}}
}

func (p *Pool) resendConfirmationCode(in Input) Reply {
	a := p.accounts[in.Username]
	switch {
	// "Amazon Cognito returns CodeDeliveryDetails for a disabled user or a user that doesn't exist."
	case a == nil || a.state == Disabled:
		return Reply{Body: map[string]any{"CodeDeliveryDetails": delivery(in.Username)}}
	case p.overLimit(a):
		return Error("LimitExceededException", msgAttemptsLimit)
	// Undocumented for ENABLED; reported at https://github.com/aws-amplify/amplify-js/issues/14762.
	case a.state != Unconfirmed:
		return Error("InvalidParameterException", "User is already confirmed.")
	}
	a.confirmCode = p.send(in.Username, "resend")
	return Reply{Body: map[string]any{"CodeDeliveryDetails": delivery(in.Username)}}
}

func (p *Pool) forgotPassword(in Input) Reply {
	a := p.accounts[in.Username]
	switch {
	// "When a user isn't found, is deactivated, or doesn't have a verified delivery mechanism ...
	// Amazon Cognito returns CodeDeliveryDetails with a simulated delivery medium." An unconfirmed
	// account has no verified email yet.
	case a == nil || a.state == Disabled || a.state == Unconfirmed:
		return Reply{Body: map[string]any{"CodeDeliveryDetails": delivery(in.Username)}}
	case p.overLimit(a):
		return Error("LimitExceededException", msgAttemptsLimit)
	case a.state == ForceChangePassword:
		return Error("NotAuthorizedException", "User password cannot be reset in the current state.")
	}
	a.resetCode = p.send(in.Username, "forgot")
	return Reply{Body: map[string]any{"CodeDeliveryDetails": delivery(in.Username)}}
}

func (p *Pool) confirmForgotPassword(in Input) Reply {
	if reason := policyViolation(in.Password); reason != "" {
		return Error("InvalidPasswordException", reason)
	}
	a := p.accounts[in.Username]
	switch {
	// "Amazon Cognito returns the CodeMismatchException error for users that don't exist or are
	// disabled. If a code isn't requested when using ForgotPassword, Amazon Cognito returns the
	// ExpiredCodeException error."
	case a == nil || a.state == Disabled:
		return Error("CodeMismatchException", msgCodeMismatch)
	case a.resetCode == "":
		return Error("ExpiredCodeException", "Invalid code provided, please request a code again.")
	case a.resetCode != in.ConfirmationCode:
		return Error("CodeMismatchException", msgCodeMismatch)
	}
	a.password, a.state, a.resetCode = in.Password, Confirmed, ""
	return Reply{}
}

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9\-_=.]+$`) // RevokeToken's Token pattern

// revokeToken answers for a token it never issued with an error: Cognito's answer there is
// undocumented, and the caller must cope with one.
func (p *Pool) revokeToken(in Input) Reply {
	rt, ok := p.refresh[in.Token]
	switch {
	case !tokenPattern.MatchString(in.Token):
		return Error("InvalidParameterException", "1 validation error detected: Value at 'token' failed to satisfy constraint")
	case p.issued[in.Token]:
		return Error("UnsupportedTokenTypeException", "Unsupported token type.")
	case !ok:
		return Error("UnauthorizedException", "Invalid token")
	}
	rt.revoked = true
	return Reply{}
}

func (p *Pool) tokens(username string, withRefresh bool) Reply {
	id, access := p.next("fake-id."), p.next("fake-access.")
	p.issued[id], p.issued[access] = true, true
	refresh := ""
	if withRefresh {
		refresh = p.next("fake-refresh.")
		p.refresh[refresh] = &refreshToken{username: username}
	}
	return Tokens(id, access, refresh, 3600)
}

func (p *Pool) overLimit(a *account) bool {
	limit := p.SendLimit
	if limit <= 0 {
		limit = 5
	}
	a.sends++
	return a.sends > limit
}

// send records an email with a fresh six-digit code and returns the code.
func (p *Pool) send(to, kind string) string {
	p.seq++
	code := fmt.Sprintf("%06d", 100000+p.seq)
	p.outbox = append(p.outbox, Message{To: to, Kind: kind, Code: code})
	return code
}

func (p *Pool) next(prefix string) string {
	p.seq++
	return fmt.Sprintf("%s%d", prefix, p.seq)
}

// delivery is CodeDeliveryDetails for an email username, masked as Cognito masks it; a simulated
// destination looks the same.
func delivery(username string) map[string]string {
	local, domain, _ := strings.Cut(username, "@")
	return map[string]string{
		"AttributeName":  "email",
		"DeliveryMedium": "EMAIL",
		"Destination":    first(local) + "***@" + first(domain) + "***",
	}
}

func first(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

// policyViolation checks the auth stack's policy (12 characters, upper, lower, digit, symbol) and
// returns Cognito's message for the first rule broken, or "".
func policyViolation(password string) string {
	const prefix = "Password did not conform with policy: "
	var upper, lower, digit, symbol bool
	for _, r := range password {
		upper = upper || unicode.IsUpper(r)
		lower = lower || unicode.IsLower(r)
		digit = digit || unicode.IsDigit(r)
		symbol = symbol || strings.ContainsRune("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ", r)
	}
	switch {
	case len([]rune(password)) < 12:
		return prefix + "Password not long enough"
	case !upper:
		return prefix + "Password must have uppercase characters"
	case !lower:
		return prefix + "Password must have lowercase characters"
	case !digit:
		return prefix + "Password must have numeric characters"
	case !symbol:
		return prefix + "Password must have symbol characters"
	}
	return ""
}
