// Package passwordpolicy is a Cognito user pool's password policy: the rules Cognito checks a new
// password against, refused in Cognito's own words, and the hint shown to someone choosing a password.
// The login function checks it before calling Cognito, so that the answer to a weak password never
// depends on whether the address has an account; the test-user tool and the local stack's page use it
// too, so the rules are written once.
package passwordpolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Policy is the part of Cognito's PasswordPolicyType (the auth stack's Policies.PasswordPolicy) that a
// password's text is checked against. Its JSON is that type's, so the template's values read as they are.
type Policy struct {
	MinimumLength    int  `json:"MinimumLength"`
	RequireLowercase bool `json:"RequireLowercase"`
	RequireUppercase bool `json:"RequireUppercase"`
	RequireNumbers   bool `json:"RequireNumbers"`
	RequireSymbols   bool `json:"RequireSymbols"`
}

// The bounds CloudFormation and Cognito put on MinimumLength (AWS::Cognito::UserPool PasswordPolicy,
// "Minimum: 6, Maximum: 99").
const (
	minMinimumLength = 6
	maxMinimumLength = 99
)

// Symbols are the characters Cognito counts as special: "^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' :
// ; | _ ~ ` = + -", and "the space character is also treated as a special character"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html).
const Symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// Cognito's refusal of a password by the policy: InvalidPasswordException with this prefix and the rule
// broken (the messages users of the SDKs report, e.g. aws-amplify/amplify-js issues; one rule per
// answer). The order among the rules is not documented: length first, then lower case, upper case,
// digits, symbols, the order of the refusals recorded from Cognito (sources in policy_test.go).
const refusalPrefix = "Password did not conform with policy: "

// Violation is a password that breaks the policy. Its message is Cognito's and never holds the password.
type Violation struct{ Reason string }

func (v *Violation) Error() string { return refusalPrefix + v.Reason }

// Parse reads a policy in its JSON form (String's output, or the template's values as JSON): unknown
// fields and a MinimumLength Cognito would refuse are errors, so a typo fails at cold start.
func Parse(s string) (Policy, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return Policy{}, fmt.Errorf("password policy %q is not a JSON PasswordPolicyType: %w", s, err)
	}
	if dec.More() {
		return Policy{}, fmt.Errorf("password policy %q: more than one JSON value", s)
	}
	if p.MinimumLength < minMinimumLength || p.MinimumLength > maxMinimumLength {
		return Policy{}, fmt.Errorf("password policy %q: MinimumLength must be %d to %d, as Cognito requires", s, minMinimumLength, maxMinimumLength)
	}
	return p, nil
}

// FromPool reads the policy from an AWS::Cognito::UserPool's resolved Properties (the template's
// Policies.PasswordPolicy). TemporaryPasswordValidityDays is left out: it limits a temporary password's
// age, not a password's text. Any other field is an error, so that a rule added to the template is
// not silently left unchecked.
func FromPool(properties map[string]any) (Policy, error) {
	policies, _ := properties["Policies"].(map[string]any)
	pp, ok := policies["PasswordPolicy"].(map[string]any)
	if !ok {
		return Policy{}, errors.New("the user pool declares no Policies.PasswordPolicy")
	}
	text := make(map[string]any, len(pp))
	for k, v := range pp {
		if k != "TemporaryPasswordValidityDays" {
			text[k] = v
		}
	}
	raw, err := json.Marshal(text)
	if err != nil {
		return Policy{}, fmt.Errorf("the user pool's PasswordPolicy: %w", err)
	}
	return Parse(string(raw))
}

// String is the policy's JSON, which Parse reads back.
func (p Policy) String() string {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(p) // a struct of ints and bools always encodes
	return strings.TrimSpace(buf.String())
}

// rule is one requirement: whether the policy asks for it, whether a password has it, Cognito's
// reason when it is missing, and how the hint names it.
type rule struct {
	required bool
	has      func(rune) bool
	reason   string
	hint     string
}

func (p Policy) rules() []rule {
	return []rule{
		{p.RequireLowercase, isLower, "Password must have lowercase characters", "a lower-case letter"},
		{p.RequireUppercase, isUpper, "Password must have uppercase characters", "an upper-case letter"},
		{p.RequireNumbers, isDigit, "Password must have numeric characters", "a digit"},
		{p.RequireSymbols, isSymbol, "Password must have symbol characters", "a symbol"},
	}
}

// Check returns nil when password meets the policy, else a *Violation naming the first rule broken.
// Length is in characters, as Cognito counts it.
func (p Policy) Check(password string) error {
	if utf8.RuneCountInString(password) < p.MinimumLength {
		return &Violation{Reason: "Password not long enough"}
	}
	for _, r := range p.rules() {
		if r.required && !strings.ContainsFunc(password, r.has) {
			return &Violation{Reason: r.reason}
		}
	}
	return nil
}

// IsViolation reports whether err is a refusal by Check.
func IsViolation(err error) bool {
	var v *Violation
	return errors.As(err, &v)
}

// Hint says in one sentence what the policy asks, for the people choosing a password:
// "At least 12 characters, with a lower-case letter, an upper-case letter, a digit and a symbol."
func (p Policy) Hint() string {
	var want []string
	for _, r := range p.rules() {
		if r.required {
			want = append(want, r.hint)
		}
	}
	hint := fmt.Sprintf("At least %d characters", p.MinimumLength)
	switch len(want) {
	case 0:
	case 1:
		hint += ", with " + want[0]
	default:
		hint += ", with " + strings.Join(want[:len(want)-1], ", ") + " and " + want[len(want)-1]
	}
	return hint + "."
}

// Cognito's letter classes are Basic Latin only: "Uppercase Basic Latin letter", "Lowercase Basic
// Latin letter" (the page cited at Symbols).
func isUpper(r rune) bool  { return 'A' <= r && r <= 'Z' }
func isLower(r rune) bool  { return 'a' <= r && r <= 'z' }
func isDigit(r rune) bool  { return '0' <= r && r <= '9' }
func isSymbol(r rune) bool { return strings.ContainsRune(Symbols, r) }
