package authorizer

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// javaDateLayout is java.util.Date.toString() in UTC, which is how API Gateway
// (a Java service) renders the exp and iat claims: "Tue Apr 04 18:39:39 UTC 2023".
const javaDateLayout = "Mon Jan 02 15:04:05 UTC 2006"

// FormatClaims renders JWT claims as API Gateway's REST API Cognito authorizer
// passes them to Lambda: every claim becomes a string. Strings stay as they
// are; booleans are "true"/"false"; exp and iat are Java dates in UTC; other
// numbers are plain integers when integral ("1680629979", never an exponent),
// otherwise the shortest decimal; arrays (cognito:groups) are joined with ",";
// objects are compact JSON; null is "".
//
// Numbers may be float64 (encoding/json's default) or json.Number (what
// Authorize uses, so that large integers stay exact).
func FormatClaims(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		if k == "exp" || k == "iat" {
			if s, ok := formatDate(v); ok {
				out[k] = s
				continue
			}
		}
		out[k] = formatValue(v)
	}
	return out
}

func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return formatNumber(v)
	case float64:
		return formatFloat(v)
	case float32:
		return formatFloat(float64(v))
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = formatValue(e)
		}
		return strings.Join(parts, ",")
	case []string:
		return strings.Join(v, ",")
	default:
		return compactJSON(v)
	}
}

// formatNumber keeps an integer literal exactly as written (even beyond
// int64) and normalises anything else through formatFloat.
func formatNumber(n json.Number) string {
	s := string(n)
	if isIntLiteral(s) {
		return s
	}
	f, err := n.Float64()
	if err != nil { // beyond float64's range: leave the literal alone
		return s
	}
	return formatFloat(f)
}

func isIntLiteral(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// formatFloat writes the shortest decimal that round-trips, never with an
// exponent, so integral values come out as plain integers.
func formatFloat(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) { // not possible from JSON; be total anyway
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	if f == 0 {
		return "0" // not "-0"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// formatDate renders a NumericDate (seconds since the epoch) like Java's
// Date.toString() in UTC. Fractions of a second are dropped, as Java's seconds
// field does. Values that are not numbers, or dates Java would not print in
// this shape, are left to formatValue.
func formatDate(v any) (string, bool) {
	var secs float64
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return "", false
		}
		secs = f
	case float64:
		secs = v
	case int64:
		secs = float64(v)
	case int:
		secs = float64(v)
	default:
		return "", false
	}
	// Years 1..9999 only: outside them the layout no longer matches Java's.
	const minSecs, maxSecs = -62135596800, 253402300799
	if math.IsNaN(secs) || secs < minSecs || secs > maxSecs {
		return "", false
	}
	return time.Unix(int64(math.Floor(secs)), 0).UTC().Format(javaDateLayout), true
}

// compactJSON renders a nested value as compact JSON without HTML escaping,
// which would otherwise turn "<" into "\u003c".
func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}
