package wafv2

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// inspected is the part of a request a match statement looks at (FieldToMatch) after its text
// transformations, applied in priority order
// (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-fields.html).
type inspected struct {
	field      func(*http.Request) string
	transforms []func(string) string
}

type fieldProps struct {
	FieldToMatch        map[string]any   `json:"FieldToMatch"`
	TextTransformations []transformation `json:"TextTransformations"`
}

type transformation struct {
	Priority number `json:"Priority"`
	Type     string `json:"Type"`
}

func parseInspected(typ string, p fieldProps) (inspected, error) {
	var in inspected
	if len(p.FieldToMatch) != 1 {
		return in, fmt.Errorf("%s: FieldToMatch %v: want exactly one field", typ, keys(p.FieldToMatch))
	}
	for f := range p.FieldToMatch {
		switch f {
		case "UriPath":
			// The path as the client sent it, without the query string.
			in.field = func(r *http.Request) string { return r.URL.EscapedPath() }
		case "Method":
			in.field = func(r *http.Request) string { return r.Method }
		default:
			return in, fmt.Errorf("%s: FieldToMatch %s is not emulated locally (UriPath and Method are)", typ, f)
		}
	}
	if len(p.TextTransformations) == 0 {
		return in, fmt.Errorf("%s: TextTransformations is required (NONE for none)", typ)
	}
	tts := slices.Clone(p.TextTransformations)
	slices.SortStableFunc(tts, func(a, b transformation) int { return int(a.Priority - b.Priority) })
	for _, tt := range tts {
		switch tt.Type {
		case "NONE":
		case "LOWERCASE":
			in.transforms = append(in.transforms, strings.ToLower)
		case "URL_DECODE":
			in.transforms = append(in.transforms, urlDecode)
		default:
			return in, fmt.Errorf("%s: text transformation %s is not emulated locally (NONE, LOWERCASE and URL_DECODE are)", typ, tt.Type)
		}
	}
	return in, nil
}

func (in inspected) value(r *http.Request) string {
	v := in.field(r)
	for _, t := range in.transforms {
		v = t(v)
	}
	return v
}

// urlDecode is URL_DECODE: each %XX becomes its byte; a % not followed by two hex digits stays as it
// is (the safe side: nothing is dropped from what the rule inspects).
func urlDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// byteMatch is a ByteMatchStatement
// (https://docs.aws.amazon.com/waf/latest/APIReference/API_ByteMatchStatement.html).
type byteMatch struct {
	inspected
	search     string
	constraint string
}

func parseByteMatch(v any) (statement, error) {
	var b struct {
		fieldProps
		PositionalConstraint string  `json:"PositionalConstraint"`
		SearchString         *string `json:"SearchString"`
		SearchStringBase64   *string `json:"SearchStringBase64"`
	}
	if err := remarshal(v, &b); err != nil {
		return nil, fmt.Errorf("ByteMatchStatement: %w", err)
	}
	m := byteMatch{constraint: b.PositionalConstraint}
	switch {
	case b.SearchString != nil && b.SearchStringBase64 == nil:
		m.search = *b.SearchString
	case b.SearchStringBase64 != nil && b.SearchString == nil:
		raw, err := base64.StdEncoding.DecodeString(*b.SearchStringBase64)
		if err != nil {
			return nil, fmt.Errorf("ByteMatchStatement: SearchStringBase64: %w", err)
		}
		m.search = string(raw)
	default:
		return nil, errors.New("ByteMatchStatement: want exactly one of SearchString and SearchStringBase64")
	}
	switch m.constraint {
	case "EXACTLY", "STARTS_WITH", "ENDS_WITH", "CONTAINS":
	default:
		return nil, fmt.Errorf("ByteMatchStatement: PositionalConstraint %q is not emulated locally (EXACTLY, STARTS_WITH, ENDS_WITH, CONTAINS are)", m.constraint)
	}
	var err error
	if m.inspected, err = parseInspected("ByteMatchStatement", b.fieldProps); err != nil {
		return nil, err
	}
	return m, nil
}

func (m byteMatch) match(r *http.Request, _ string, _ time.Time) bool {
	v := m.value(r)
	switch m.constraint {
	case "EXACTLY":
		return v == m.search
	case "STARTS_WITH":
		return strings.HasPrefix(v, m.search)
	case "ENDS_WITH":
		return strings.HasSuffix(v, m.search)
	default: // CONTAINS
		return strings.Contains(v, m.search)
	}
}

// regexMatch is a RegexMatchStatement
// (https://docs.aws.amazon.com/waf/latest/APIReference/API_RegexMatchStatement.html). WAF's regular
// expressions are PCRE-like; Go's RE2 agrees with them on the patterns this emulator accepts (a pattern
// RE2 cannot compile, such as one with back-references or lookaround, fails the deploy by name).
type regexMatch struct {
	inspected
	re *regexp.Regexp
}

func parseRegexMatch(v any) (statement, error) {
	var p struct {
		fieldProps
		RegexString string `json:"RegexString"`
	}
	if err := remarshal(v, &p); err != nil {
		return nil, fmt.Errorf("RegexMatchStatement: %w", err)
	}
	re, err := regexp.Compile(p.RegexString)
	if err != nil {
		return nil, fmt.Errorf("RegexMatchStatement: RegexString %q is not emulated locally: %w", p.RegexString, err)
	}
	m := regexMatch{re: re}
	if m.inspected, err = parseInspected("RegexMatchStatement", p.fieldProps); err != nil {
		return nil, err
	}
	return m, nil
}

func (m regexMatch) match(r *http.Request, _ string, _ time.Time) bool {
	return m.re.MatchString(m.value(r))
}

// rateBased is a RateBasedStatement aggregated by source address
// (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html):
// the requests in its scope are counted per address over the last window; once an address's count
// is over the limit, the rule matches its further requests in scope, blocked ones counted too, until
// enough of them have aged out of the window.
type rateBased struct {
	limit  int
	window time.Duration
	scope  statement // nil: every request
	seen   map[string][]time.Time
	sweep  time.Time // when seen was last cleared of addresses with nothing in the window
}

// The settings WAF accepts: "The lowest limit setting allowed is 10" and evaluation windows of "60 (1
// minute), 120 (2 minutes), 300 (5 minutes), and 600 (10 minutes), and 300 (5 minutes) is the default".
const minLimit = 10

var windows = []int{60, 120, 300, 600}

func parseRateBased(v any) (statement, error) {
	var rb struct {
		Limit               number         `json:"Limit"`
		EvaluationWindowSec *number        `json:"EvaluationWindowSec"`
		AggregateKeyType    string         `json:"AggregateKeyType"`
		ScopeDownStatement  map[string]any `json:"ScopeDownStatement"`
	}
	if err := remarshal(v, &rb); err != nil {
		return nil, fmt.Errorf("RateBasedStatement: %w", err)
	}
	if rb.AggregateKeyType != "IP" {
		return nil, fmt.Errorf("RateBasedStatement: AggregateKeyType %q is not emulated locally (IP is)", rb.AggregateKeyType)
	}
	if rb.Limit < minLimit || rb.Limit != number(int(rb.Limit)) {
		return nil, fmt.Errorf("RateBasedStatement: Limit %v: WAF takes whole numbers from %d", rb.Limit, minLimit)
	}
	window := 300
	if rb.EvaluationWindowSec != nil {
		window = int(*rb.EvaluationWindowSec)
		if !slices.Contains(windows, window) || number(window) != *rb.EvaluationWindowSec {
			return nil, fmt.Errorf("RateBasedStatement: EvaluationWindowSec %v: WAF takes %v", *rb.EvaluationWindowSec, windows)
		}
	}
	s := &rateBased{limit: int(rb.Limit), window: time.Duration(window) * time.Second, seen: map[string][]time.Time{}}
	if rb.ScopeDownStatement != nil {
		scope, err := parseStatement(rb.ScopeDownStatement, false)
		if err != nil {
			return nil, fmt.Errorf("RateBasedStatement: ScopeDownStatement: %w", err)
		}
		s.scope = scope
	}
	return s, nil
}

// match counts r for ip when it is in scope and reports whether ip is now over the limit. Only the
// latest limit+1 arrivals of an address are kept: the address is over the limit exactly when the
// oldest of them is still inside the window. The caller holds the web ACL's lock.
func (s *rateBased) match(r *http.Request, ip string, now time.Time) bool {
	if s.scope != nil && !s.scope.match(r, ip, now) {
		return false
	}
	s.forgetIdle(now)
	times := append(s.seen[ip], now)
	if len(times) > s.limit+1 {
		times = times[len(times)-(s.limit+1):]
	}
	s.seen[ip] = times
	return len(times) > s.limit && now.Sub(times[0]) < s.window
}

// forgetIdle drops, once per window, the addresses with no request inside it, so that memory follows
// the addresses currently sending rather than every address ever seen.
func (s *rateBased) forgetIdle(now time.Time) {
	if now.Sub(s.sweep) < s.window {
		return
	}
	s.sweep = now
	for ip, times := range s.seen {
		if now.Sub(times[len(times)-1]) >= s.window {
			delete(s.seen, ip)
		}
	}
}
