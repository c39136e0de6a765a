package cloudformation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// ParseOverrides reads `sam deploy --parameter-overrides` syntax: space-separated Key=Value pairs,
// or the long form ParameterKey=Key,ParameterValue=Value; a value may be quoted with ' or " to hold
// spaces. The empty string yields no overrides.
func ParseOverrides(s string) (map[string]string, error) {
	out := map[string]string{}
	words, err := splitWords(s)
	if err != nil {
		return nil, err
	}
	for _, w := range words {
		key, value, ok := strings.Cut(w, "=")
		if key == "ParameterKey" {
			k, rest, okLong := strings.Cut(value, ",ParameterValue=")
			if !okLong {
				return nil, fmt.Errorf("parameter override %q: want ParameterKey=<key>,ParameterValue=<value>", w)
			}
			key, value = k, rest
		}
		if !ok || key == "" {
			return nil, fmt.Errorf("parameter override %q: want Key=Value", w)
		}
		out[key] = value
	}
	return out, nil
}

// splitWords splits on unquoted whitespace, removing the quotes.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, c := range s {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(c)
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("parameter overrides: unterminated %c quote", quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// ParameterValues applies values over the template's defaults and checks every parameter as
// CloudFormation does on deploy: a value for each parameter without a default, no unknown keys,
// AllowedValues, AllowedPattern (matched against the whole value), lengths and, for Number, that the
// value is a number within MinValue/MaxValue. Values are strings, as CloudFormation passes them.
func (t *Template) ParameterValues(values map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for k := range values {
		if _, ok := t.Parameters[k]; !ok {
			return nil, fmt.Errorf("%s: parameter %s is not declared by the template", t.Path, k)
		}
	}
	names := make([]string, 0, len(t.Parameters))
	for name := range t.Parameters {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p := t.Parameters[name]
		v, ok := values[name]
		if !ok {
			if p.Default == nil {
				return nil, fmt.Errorf("%s: parameter %s has no default and no value", t.Path, name)
			}
			v = scalarString(p.Default)
		}
		if err := p.check(v); err != nil {
			return nil, fmt.Errorf("%s: parameter %s: %w", t.Path, name, err)
		}
		out[name] = v
	}
	return out, nil
}

func (p Parameter) check(v string) error {
	fail := func(what string) error {
		if p.ConstraintDescription != "" {
			return fmt.Errorf("%s (%s)", what, p.ConstraintDescription)
		}
		return fmt.Errorf("%s", what)
	}
	if len(p.AllowedValues) > 0 && !slices.ContainsFunc(p.AllowedValues, func(a any) bool { return scalarString(a) == v }) {
		return fail(fmt.Sprintf("value %q is not one of %v", v, p.AllowedValues))
	}
	if p.AllowedPattern != "" {
		ok, err := allowedPattern(p.AllowedPattern, v)
		if err != nil {
			return err
		}
		if !ok {
			return fail(fmt.Sprintf("value %q does not match AllowedPattern %s", v, p.AllowedPattern))
		}
	}
	n := utf8.RuneCountInString(v)
	if p.MinLength != nil && n < *p.MinLength || p.MaxLength != nil && n > *p.MaxLength {
		return fail(fmt.Sprintf("value length %d is outside the allowed length", n))
	}
	if p.Type == "Number" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fail(fmt.Sprintf("value %q is not a number", v))
		}
		if p.MinValue != nil && f < *p.MinValue || p.MaxValue != nil && f > *p.MaxValue {
			return fail(fmt.Sprintf("value %v is outside the allowed range", f))
		}
	}
	return nil
}

// allowedPattern matches v against an AllowedPattern, which CloudFormation reads as a Java regular
// expression matched against the whole value
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-regexes.html). The templates use
// Java's lookahead, which Go's regexp lacks: regexp2 has it, and its RE2 mode gives \w, \d and \s
// Java's ASCII meaning. The match time is bounded: a backtracking engine can take exponential time.
func allowedPattern(pattern, v string) (bool, error) {
	re, err := regexp2.Compile("^(?:"+pattern+")$", regexp2.RE2)
	if err != nil {
		return false, fmt.Errorf("AllowedPattern does not compile: %w", err)
	}
	re.MatchTimeout = time.Second
	ok, err := re.MatchString(v)
	if err != nil {
		return false, fmt.Errorf("AllowedPattern %s: %w", pattern, err)
	}
	return ok, nil
}
