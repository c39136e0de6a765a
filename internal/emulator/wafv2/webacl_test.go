package wafv2

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// aclJSON is a web ACL in the template's shape: one Block rule, rate-based by IP, scoped down to paths
// ending in /signup, answered with the API's 429 JSON and a CORS header. Placeholders: LIMIT, WINDOW.
const aclJSON = `{
  "Name": "test-public-routes", "Scope": "REGIONAL", "DefaultAction": {"Allow": {}},
  "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "m"},
  "CustomResponseBodies": {"TooManyRequests": {"ContentType": "APPLICATION_JSON", "Content": "{\"message\":\"Too Many Requests\"}"}},
  "Rules": [{
    "Name": "signup", "Priority": 0,
    "Statement": {"RateBasedStatement": {"AggregateKeyType": "IP", "Limit": LIMIT, "EvaluationWindowSec": WINDOW,
      "ScopeDownStatement": {"OrStatement": {"Statements": [
        {"ByteMatchStatement": {"FieldToMatch": {"UriPath": {}}, "PositionalConstraint": "ENDS_WITH", "SearchString": "/signup", "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}},
        {"ByteMatchStatement": {"FieldToMatch": {"UriPath": {}}, "PositionalConstraint": "ENDS_WITH", "SearchString": "/password/forgot", "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}
      ]}}}},
    "Action": {"Block": {"CustomResponse": {"ResponseCode": 429, "CustomResponseBodyKey": "TooManyRequests",
      "ResponseHeaders": [{"Name": "Access-Control-Allow-Origin", "Value": "https://app.example.com"}]}}},
    "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "signup"}
  }]
}`

// clock is an injectable time source the test moves by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }
func request(ip, path string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{}`))
	r.RemoteAddr = ip + ":40000"
	return r
}

func aclProps(t *testing.T, doc string, replace ...string) map[string]any {
	t.Helper()
	doc = strings.NewReplacer(replace...).Replace(doc)
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("test web ACL: %v", err)
	}
	return m
}

func newACL(t *testing.T, c *clock, limit, window string) *WebACL {
	t.Helper()
	acl, err := New(aclProps(t, aclJSON, "LIMIT", limit, "WINDOW", window), Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return acl
}

// Past the limit, one address gets the custom response (status, JSON body with its content type, the
// CORS header) while another address is served.
func TestRateBased_BlocksTheAddressPastItsLimitOnlyWithTheCustomResponse(t *testing.T) {
	c := newClock()
	acl := newACL(t, c, "10", "60")
	for i := range 10 {
		if v := acl.Evaluate(request("127.0.0.2", "/v1/signup")); v.Response != nil {
			t.Fatalf("request %d of 10 blocked by %s", i+1, v.Rule)
		}
	}
	w := httptest.NewRecorder()
	if !acl.Intercept(w, request("127.0.0.2", "/v1/signup")) {
		t.Fatal("the 11th request from 127.0.0.2 in the window was let through")
	}
	if w.Code != http.StatusTooManyRequests || w.Body.String() != `{"message":"Too Many Requests"}` {
		t.Errorf("blocked answer %d %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json (ContentType APPLICATION_JSON)", ct)
	}
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
		t.Errorf("Access-Control-Allow-Origin %q", got)
	}
	if acl.Intercept(httptest.NewRecorder(), request("127.0.0.3", "/v1/signup")) {
		t.Error("127.0.0.3 was blocked for 127.0.0.2's requests")
	}
}

// Requests outside the scope-down statement are neither counted nor blocked.
func TestRateBased_OutOfScopeRequestsAreNotCounted(t *testing.T) {
	c := newClock()
	acl := newACL(t, c, "10", "60")
	for i := range 50 {
		if v := acl.Evaluate(request("127.0.0.2", "/v1/login")); v.Response != nil {
			t.Fatalf("out-of-scope request %d blocked", i+1)
		}
	}
	for _, path := range []string{"/v1/signup", "/v1/password/forgot"} {
		if v := acl.Evaluate(request("127.0.0.2", path)); v.Response != nil {
			t.Fatalf("%s blocked after out-of-scope requests only", path)
		}
	}
	if v := acl.Evaluate(request("127.0.0.2", "/v1/signup/")); v.Response != nil {
		t.Fatal("/v1/signup/ does not end with /signup, yet it was blocked")
	}
}

// The window looks back EvaluationWindowSec from now: blocked requests count too, so an address that
// keeps sending stays blocked, and one that stops is served again once its requests age out.
func TestRateBased_EvaluationWindowSlides(t *testing.T) {
	c := newClock()
	acl := newACL(t, c, "10", "120")
	for range 10 {
		acl.Evaluate(request("127.0.0.2", "/signup"))
		c.advance(time.Second)
	}
	// 10 requests at t=0..9s. Keep sending every 10 s: each is the 11th in the last 120 s.
	for i := range 20 {
		if v := acl.Evaluate(request("127.0.0.2", "/signup")); v.Response == nil {
			t.Fatalf("request %d while still over the limit was served", i+1)
		}
		c.advance(10 * time.Second)
	}
	// Quiet for a whole window: served again.
	c.advance(120 * time.Second)
	if v := acl.Evaluate(request("127.0.0.2", "/signup")); v.Response != nil {
		t.Fatal("blocked after a quiet evaluation window")
	}
}

// At the window's edge: the 11th request is blocked while the first is inside the window, served once
// it is older than the window.
func TestRateBased_WindowEdge(t *testing.T) {
	c := newClock()
	acl := newACL(t, c, "10", "60")
	acl.Evaluate(request("127.0.0.2", "/signup")) // t=0
	c.advance(50 * time.Second)
	for range 9 {
		acl.Evaluate(request("127.0.0.2", "/signup")) // t=50s
	}
	c.advance(9 * time.Second) // t=59s: 11 in the last 60 s
	if v := acl.Evaluate(request("127.0.0.2", "/signup")); v.Response == nil {
		t.Fatal("11th request within 60 s served")
	}
	c.advance(2 * time.Second) // t=61s: the t=0 request is out, but t=59's blocked one counts: 10 + 1
	if v := acl.Evaluate(request("127.0.0.2", "/signup")); v.Response == nil {
		t.Fatal("served while 11 requests are in the last 60 s (the blocked one counts)")
	}
	c.advance(50 * time.Second) // t=111s: only the t=59 and t=61 requests remain
	if v := acl.Evaluate(request("127.0.0.2", "/signup")); v.Response != nil {
		t.Fatal("blocked with 3 requests in the window")
	}
}

func TestNew_RefusesWhatItDoesNotEmulateByName(t *testing.T) {
	base := []string{"LIMIT", "10", "WINDOW", "60"}
	tests := []struct {
		name    string
		replace []string
		want    string
	}{
		{"another statement type", []string{`{"ByteMatchStatement": {"FieldToMatch": {"UriPath": {}}, "PositionalConstraint": "ENDS_WITH", "SearchString": "/signup"`, `{"GeoMatchStatement": {"CountryCodes": ["FR"]}}, {"ByteMatchStatement": {"FieldToMatch": {"UriPath": {}}, "PositionalConstraint": "ENDS_WITH", "SearchString": "/signup"`}, "GeoMatchStatement"},
		{"aggregation by forwarded IP", []string{`"AggregateKeyType": "IP"`, `"AggregateKeyType": "FORWARDED_IP"`}, "FORWARDED_IP"},
		{"forwarded IP config", []string{`"AggregateKeyType": "IP"`, `"AggregateKeyType": "IP", "ForwardedIPConfig": {"HeaderName": "X-Forwarded-For", "FallbackBehavior": "MATCH"}`}, "ForwardedIPConfig"},
		{"limit under WAF's minimum", []string{"LIMIT", "9", "WINDOW", "60"}, "Limit 9"},
		{"window WAF does not take", []string{"LIMIT", "10", "WINDOW", "30"}, "EvaluationWindowSec 30"},
		{"CAPTCHA action", []string{`"Action": {"Block": {"CustomResponse"`, `"Action": {"Captcha": {}}, "X": {"Block": {"CustomResponse"`}, "Captcha"},
		{"Block without a custom response", []string{`"Action": {"Block": {"CustomResponse"`, `"Action": {"Block": {}}, "X": {"Y": {"CustomResponse"`}, "CustomResponse"},
		{"content-type response header", []string{`"Name": "Access-Control-Allow-Origin"`, `"Name": "Content-Type"`}, "content-type"},
		{"text transformation", []string{`"Type": "NONE"}]}}`, `"Type": "HTML_ENTITY_DECODE"}]}}`}, "HTML_ENTITY_DECODE"},
		{"field to match", []string{`"FieldToMatch": {"UriPath": {}}, "PositionalConstraint": "ENDS_WITH", "SearchString": "/password/forgot"`, `"FieldToMatch": {"QueryString": {}}, "PositionalConstraint": "ENDS_WITH", "SearchString": "/password/forgot"`}, "QueryString"},
		{"positional constraint", []string{`"PositionalConstraint": "ENDS_WITH", "SearchString": "/signup"`, `"PositionalConstraint": "CONTAINS_WORD", "SearchString": "/signup"`}, "CONTAINS_WORD"},
		{"default Block", []string{`"DefaultAction": {"Allow": {}}`, `"DefaultAction": {"Block": {}}`}, "DefaultAction"},
		{"CloudFront scope", []string{`"Scope": "REGIONAL"`, `"Scope": "CLOUDFRONT"`}, "CLOUDFRONT"},
		{"unknown body key", []string{`"CustomResponseBodyKey": "TooManyRequests"`, `"CustomResponseBodyKey": "Other"`}, "Other"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			replace := tc.replace
			if len(replace) == 2 {
				replace = append(base, replace...)
			}
			_, err := New(aclProps(t, aclJSON, replace...), Options{})
			if err == nil {
				t.Fatal("New accepted it")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not name %s", err, tc.want)
			}
		})
	}
}

// Rules run lowest priority first; a Count rule matches without ending evaluation.
func TestRules_PriorityOrderAndCountDoesNotTerminate(t *testing.T) {
	doc := `{"Name": "p", "Scope": "REGIONAL", "DefaultAction": {"Allow": {}},
	  "CustomResponseBodies": {"B": {"ContentType": "TEXT_PLAIN", "Content": "blocked"}},
	  "Rules": [
	    {"Name": "second", "Priority": 2, "Action": {"Block": {"CustomResponse": {"ResponseCode": 403, "CustomResponseBodyKey": "B"}}},
	     "Statement": {"ByteMatchStatement": {"FieldToMatch": {"Method": {}}, "PositionalConstraint": "EXACTLY", "SearchString": "POST", "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}},
	    {"Name": "counted", "Priority": 1, "Action": {"Count": {}},
	     "Statement": {"ByteMatchStatement": {"FieldToMatch": {"UriPath": {}}, "PositionalConstraint": "STARTS_WITH", "SearchString": "/", "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}},
	    {"Name": "first", "Priority": 0, "Action": {"Block": {"CustomResponse": {"ResponseCode": 418}}},
	     "Statement": {"NotStatement": {"Statement": {"ByteMatchStatement": {"FieldToMatch": {"UriPath": {}}, "PositionalConstraint": "CONTAINS", "SearchString": "ok", "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}]}}}}}
	  ]}`
	acl, err := New(aclProps(t, doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v := acl.Evaluate(request("127.0.0.2", "/nope")); v.Rule != "first" || v.Response.Status != 418 {
		t.Fatalf("/nope: rule %q, want first (priority 0)", v.Rule)
	}
	v := acl.Evaluate(request("127.0.0.2", "/OK"))
	if v.Rule != "second" || v.Response.Status != 403 || string(v.Response.Body) != "blocked" || v.Response.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("/OK: %+v, want second's 403 text/plain (the Count rule does not end evaluation)", v)
	}
}

// The template's scope-down shape: a RegexMatchStatement on the URL-decoded path, so that a trailing
// slash (API Gateway routes /signup/ to /signup) or a percent-encoded spelling is in scope too.
func TestRegexMatch_OnTheURLDecodedPath(t *testing.T) {
	doc := `{"Name": "re", "Scope": "REGIONAL", "DefaultAction": {"Allow": {}},
	  "Rules": [{"Name": "r", "Priority": 0, "Action": {"Block": {"CustomResponse": {"ResponseCode": 429}}},
	    "Statement": {"RegexMatchStatement": {"FieldToMatch": {"UriPath": {}}, "RegexString": "/(signup|signup/resend)/*$",
	      "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}}}]}`
	acl, err := New(aclProps(t, doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"/v1/signup": true, "/v1/signup/": true, "/v1/signup//": true, "/v1/sign%75p": true, "/v1/signup%2Fresend": true,
		"/signup/resend": true, "/v1/signupx": false, "/v1/echo": false, "/v1/signup/other": false, "/v1/sign%75pX": false,
	} {
		if got := acl.Evaluate(request("127.0.0.2", path)).Response != nil; got != want {
			t.Errorf("%s matched %v, want %v", path, got, want)
		}
	}
	bad := strings.Replace(doc, `/(signup|signup/resend)/*$`, `/(?=signup)`, 1)
	if _, err := New(aclProps(t, bad), Options{}); err == nil || !strings.Contains(err.Error(), "RegexString") {
		t.Fatalf("a lookahead (not RE2) was accepted or not named: %v", err)
	}
}

func TestURLDecode_KeepsWhatIsNotAnEscape(t *testing.T) {
	for in, want := range map[string]string{"/a%2Fb": "/a/b", "%41%4a%4A": "AJJ", "100%": "100%", "%zz%4": "%zz%4", "plain": "plain"} {
		if got := urlDecode(in); got != want {
			t.Errorf("urlDecode(%q) = %q, want %q", in, got, want)
		}
	}
}
