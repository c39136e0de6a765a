package wafv2

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// byteMatch is a ByteMatchStatement on the URI path or the method
// (https://docs.aws.amazon.com/waf/latest/APIReference/API_ByteMatchStatement.html).
type byteMatch struct {
	field      func(*http.Request) string
	search     string
	constraint string
	lower      bool // a LOWERCASE text transformation
}

func parseByteMatch(v any) (statement, error) {
	var b struct {
		FieldToMatch         map[string]any `json:"FieldToMatch"`
		PositionalConstraint string         `json:"PositionalConstraint"`
		SearchString         *string        `json:"SearchString"`
		SearchStringBase64   *string        `json:"SearchStringBase64"`
		TextTransformations  []struct {
			Priority number `json:"Priority"`
			Type     string `json:"Type"`
		} `json:"TextTransformations"`
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
	if len(b.FieldToMatch) != 1 {
		return nil, fmt.Errorf("ByteMatchStatement: FieldToMatch %v: want exactly one field", keys(b.FieldToMatch))
	}
	for f := range b.FieldToMatch {
		switch f {
		case "UriPath":
			// The path as the client sent it, without the query string.
			m.field = func(r *http.Request) string { return r.URL.EscapedPath() }
		case "Method":
			m.field = func(r *http.Request) string { return r.Method }
		default:
			return nil, fmt.Errorf("ByteMatchStatement: FieldToMatch %s is not emulated locally (UriPath and Method are)", f)
		}
	}
	switch m.constraint {
	case "EXACTLY", "STARTS_WITH", "ENDS_WITH", "CONTAINS":
	default:
		return nil, fmt.Errorf("ByteMatchStatement: PositionalConstraint %q is not emulated locally (EXACTLY, STARTS_WITH, ENDS_WITH, CONTAINS are)", m.constraint)
	}
	if len(b.TextTransformations) == 0 {
		return nil, errors.New("ByteMatchStatement: TextTransformations is required (NONE for none)")
	}
	for _, tt := range b.TextTransformations {
		switch tt.Type {
		case "NONE":
		case "LOWERCASE":
			m.lower = true
		default:
			return nil, fmt.Errorf("ByteMatchStatement: text transformation %s is not emulated locally (NONE and LOWERCASE are)", tt.Type)
		}
	}
	return m, nil
}

func (m byteMatch) match(r *http.Request, _ string, _ time.Time) bool {
	v := m.field(r)
	if m.lower {
		v = strings.ToLower(v)
	}
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
