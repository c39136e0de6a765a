package passwordpolicy_test

import (
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/passwordpolicy"
	"github.com/example/cognito-sam-go/internal/templates"
)

// Checked against the pool's policy as auth-stack/template.yaml states it (12 characters, upper,
// lower, digit, symbol), with Cognito's refusals as its SDK users report them, e.g. "Password did not
// conform with policy: Password must have symbol characters". Which rule is named first when several
// are broken is not documented: lower case before upper case is the order of the refusals recorded in
// LocalStack's and moto's Cognito tests, which the project's Cognito emulation follows too.
func TestCheckRefusesInCognitosWordsByThePoolsPolicy(t *testing.T) {
	pool := templates.PoolPasswordPolicy(t)
	tests := []struct{ name, password, want string }{
		{"11 characters", "Aa1-aaaaaaa", "Password did not conform with policy: Password not long enough"},
		{"12 characters of several bytes each count as 12", "Aa1-ééééééé€", ""},
		{"no upper-case letter", "alllowercase-1", "Password did not conform with policy: Password must have uppercase characters"},
		{"a non-Latin capital is no upper-case letter", "Éléphant-é-12", "Password did not conform with policy: Password must have uppercase characters"},
		{"no lower-case letter", "ALLUPPERCASE-1", "Password did not conform with policy: Password must have lowercase characters"},
		{"no letter at all: lower case is named first", "1234567890-=", "Password did not conform with policy: Password must have lowercase characters"},
		{"no digit", "NoDigitsHere-x", "Password did not conform with policy: Password must have numeric characters"},
		{"no symbol", "NoSymbolsHere1", "Password did not conform with policy: Password must have symbol characters"},
		{"a space is a symbol", "No Symbols Here1", ""},
		{"every class", "Fine-Password-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := pool.Check(tt.password)
			got := ""
			if err != nil {
				got = err.Error()
				if !passwordpolicy.IsViolation(err) {
					t.Errorf("Check(%q) = %v, not a Violation", tt.password, err)
				}
				if strings.Contains(got, tt.password) {
					t.Errorf("the refusal holds the password")
				}
			}
			if got != tt.want {
				t.Errorf("Check(%q) = %q, want %q", tt.password, got, tt.want)
			}
		})
	}
}

func TestEverySymbolCognitoListsCountsAsOne(t *testing.T) {
	p := passwordpolicy.Policy{MinimumLength: 6, RequireSymbols: true}
	// The list on Cognito's "Adding user pool password requirements" page, as printed there.
	for _, s := range strings.Fields(`^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` + "`" + ` = + -`) {
		if err := p.Check("abcdef" + s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	if err := p.Check("abcdefg€"); err == nil {
		t.Error("€ counted as a symbol: Cognito lists it nowhere")
	}
}

func TestHintSaysWhatThePoolsPolicyAsks(t *testing.T) {
	got := templates.PoolPasswordPolicy(t).Hint()
	if want := "At least 12 characters, with a lower-case letter, an upper-case letter, a digit and a symbol."; got != want {
		t.Errorf("Hint() = %q, want %q", got, want)
	}
	tests := []struct {
		p    passwordpolicy.Policy
		want string
	}{
		{passwordpolicy.Policy{MinimumLength: 8}, "At least 8 characters."},
		{passwordpolicy.Policy{MinimumLength: 6, RequireNumbers: true}, "At least 6 characters, with a digit."},
		{passwordpolicy.Policy{MinimumLength: 9, RequireLowercase: true, RequireSymbols: true}, "At least 9 characters, with a lower-case letter and a symbol."},
	}
	for _, tt := range tests {
		if got := tt.p.Hint(); got != tt.want {
			t.Errorf("%+v: Hint() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestParseReadsStringsOwnOutputAndRefusesWhatCognitoWould(t *testing.T) {
	pool := templates.PoolPasswordPolicy(t)
	back, err := passwordpolicy.Parse(pool.String())
	if err != nil || back != pool {
		t.Errorf("Parse(String()) = %+v, %v; want %+v", back, err, pool)
	}
	for _, bad := range []string{
		``, `12`, `{"MinimumLength":5}`, `{"MinimumLength":100}`, `{"MinimumLength":12,"RequireDigits":true}`,
		`{"MinimumLength":12} {}`, `{"MinimumLength":"12"}`,
	} {
		if _, err := passwordpolicy.Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func TestFromPoolReadsTheTemplatesPropertiesAndRefusesAnUnknownRule(t *testing.T) {
	props := map[string]any{"Policies": map[string]any{"PasswordPolicy": map[string]any{
		"MinimumLength": 14, "RequireNumbers": true, "TemporaryPasswordValidityDays": 7,
	}}}
	p, err := passwordpolicy.FromPool(props)
	if want := (passwordpolicy.Policy{MinimumLength: 14, RequireNumbers: true}); err != nil || p != want {
		t.Errorf("FromPool = %+v, %v; want %+v", p, err, want)
	}
	for name, bad := range map[string]map[string]any{
		"no policy":     {},
		"history rule":  {"Policies": map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 12, "PasswordHistorySize": 3}}},
		"length absent": {"Policies": map[string]any{"PasswordPolicy": map[string]any{"RequireNumbers": true}}},
	} {
		if _, err := passwordpolicy.FromPool(bad); err == nil {
			t.Errorf("%s: FromPool succeeded", name)
		}
	}
}
