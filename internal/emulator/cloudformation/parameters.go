package cloudformation

import (
	"fmt"
	"maps"
	"slices"
	"strings"
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

// ParameterValues applies values over the template's defaults: a value for each parameter without a
// default, no undeclared keys. The constraints (AllowedValues, AllowedPattern, lengths, Number ranges)
// are checked once, by scripts/sam-translate.py before it translates, as CloudFormation checks them
// before any transform runs; AllowedPattern is a Java regular expression, which Python's re reads
// alike and Go's regexp does not (no lookahead). Values are strings, as CloudFormation passes them.
func (t *Template) ParameterValues(values map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for k := range values {
		if _, ok := t.Parameters[k]; !ok {
			return nil, fmt.Errorf("%s: parameter %s is not declared by the template", t.Path, k)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(t.Parameters)) {
		v, ok := values[name]
		if !ok {
			def := t.Parameters[name].Default
			if def == nil {
				return nil, fmt.Errorf("%s: parameter %s has no default and no value", t.Path, name)
			}
			v = scalarString(def)
		}
		out[name] = v
	}
	return out, nil
}
