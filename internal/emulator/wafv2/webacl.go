// Package wafv2 emulates the part of AWS WAF the templates use, for the local stack: a REGIONAL web
// ACL associated with the API stage, its rules evaluated in priority order before API Gateway sees the
// request, rate-based rules counting each source address over a sliding window, and Block actions
// answered with the web ACL's custom response. What it does not emulate, it refuses when the web ACL is
// read (New), naming the statement or setting: a rule is never silently ignored.
package wafv2

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// WebACL is one deployed web ACL; Intercept is its place in the gateway's request pipeline.
type WebACL struct {
	name  string
	rules []rule
	now   func() time.Time

	mu sync.Mutex // guards each rule's counters
}

// Options adjust New.
type Options struct {
	// Now is the clock of the rate-based rules' evaluation windows; default time.Now.
	Now func() time.Time
}

// props is AWS::WAFv2::WebACL's Properties as CloudFormation resolves them; fields the emulator
// cannot act on are refused by name (see unsupportedACLProps).
type props struct {
	Name                 string                  `json:"Name"`
	Scope                string                  `json:"Scope"`
	DefaultAction        map[string]any          `json:"DefaultAction"`
	Rules                []ruleProps             `json:"Rules"`
	CustomResponseBodies map[string]responseBody `json:"CustomResponseBodies"`
}

type ruleProps struct {
	Name           string         `json:"Name"`
	Priority       number         `json:"Priority"`
	Statement      map[string]any `json:"Statement"`
	Action         map[string]any `json:"Action"`
	OverrideAction map[string]any `json:"OverrideAction"`
}

type responseBody struct {
	ContentType string `json:"ContentType"`
	Content     string `json:"Content"`
}

// unsupportedACLProps are web ACL properties that change what is blocked or answered and that the
// emulator does not implement.
var unsupportedACLProps = []string{"AssociationConfig", "CaptchaConfig", "ChallengeConfig", "TokenDomains", "DataProtectionConfig"}

// New reads a web ACL from its resolved CloudFormation Properties. It fails on any statement, action or
// setting it does not emulate, with a message naming it.
func New(properties map[string]any, opts Options) (*WebACL, error) {
	raw, err := json.Marshal(properties)
	if err != nil {
		return nil, fmt.Errorf("wafv2: encode web ACL: %w", err)
	}
	var p props
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("wafv2: web ACL %s: %w", properties["Name"], err)
	}
	for _, k := range unsupportedACLProps {
		if _, ok := properties[k]; ok {
			return nil, fmt.Errorf("wafv2: web ACL %s: %s is not emulated locally", p.Name, k)
		}
	}
	if p.Scope != "REGIONAL" {
		return nil, fmt.Errorf("wafv2: web ACL %s: Scope %q: an API Gateway stage takes a REGIONAL web ACL", p.Name, p.Scope)
	}
	if _, allow := p.DefaultAction["Allow"]; !allow || len(p.DefaultAction) != 1 {
		return nil, fmt.Errorf("wafv2: web ACL %s: DefaultAction %v is not emulated locally (only Allow)", p.Name, keys(p.DefaultAction))
	}
	acl := &WebACL{name: p.Name, now: opts.Now}
	if acl.now == nil {
		acl.now = time.Now
	}
	for _, rp := range p.Rules {
		r, err := newRule(rp, p.CustomResponseBodies)
		if err != nil {
			return nil, fmt.Errorf("wafv2: web ACL %s: rule %s: %w", p.Name, rp.Name, err)
		}
		acl.rules = append(acl.rules, r)
	}
	// WAF evaluates rules "in order based on priority, lowest number first" (API_Rule, Priority).
	slices.SortStableFunc(acl.rules, func(a, b rule) int { return a.priority - b.priority })
	return acl, nil
}

// Name is the web ACL's Name.
func (a *WebACL) Name() string { return a.name }

// Verdict is what the web ACL decided for one request.
type Verdict struct {
	Rule     string // the terminating rule; empty when the default action (Allow) applies
	Response *Response
}

// Response is a Block action's answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Evaluate runs the rules over r in priority order, as WAF does, and counts r in every rate-based rule
// whose scope it is in. The first rule whose action terminates (Block) decides.
func (a *WebACL) Evaluate(r *http.Request) Verdict {
	ip := sourceIP(r)
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range a.rules {
		// A Count rule's match is counted and evaluation goes on; a Block rule's match ends it.
		if a.rules[i].stmt.match(r, ip, now) && a.rules[i].block != nil {
			return Verdict{Rule: a.rules[i].name, Response: a.rules[i].block}
		}
	}
	return Verdict{}
}

// Intercept answers r when the web ACL blocks it and reports whether it did; the gateway serves r
// otherwise. It is the hook apigateway.Config.Filter takes.
func (a *WebACL) Intercept(w http.ResponseWriter, r *http.Request) bool {
	v := a.Evaluate(r)
	if v.Response == nil {
		return false
	}
	for k, vs := range v.Response.Header {
		w.Header()[k] = slices.Clone(vs)
	}
	w.WriteHeader(v.Response.Status)
	_, _ = w.Write(v.Response.Body)
	return true
}

// sourceIP is the TCP peer's address, what a rate-based rule with AggregateKeyType IP counts: "the IP
// address from the web request origin" (API_RateBasedStatement), never a header the client sets.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
