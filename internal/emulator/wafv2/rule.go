package wafv2

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// rule is one rule of the web ACL: its statement and, for Block, the answer (nil for Count, which
// does not terminate evaluation).
type rule struct {
	name     string
	priority int
	stmt     statement
	block    *Response
}

// statement is a WAF rule statement: whether r, from the source address ip at now, matches it.
type statement interface {
	match(r *http.Request, ip string, now time.Time) bool
}

func newRule(p ruleProps, bodies map[string]responseBody) (rule, error) {
	if p.OverrideAction != nil {
		return rule{}, errors.New("OverrideAction (rule groups) is not emulated locally")
	}
	stmt, err := parseStatement(p.Statement, true)
	if err != nil {
		return rule{}, err
	}
	r := rule{name: p.Name, priority: int(p.Priority), stmt: stmt}
	switch {
	case len(p.Action) != 1:
		return rule{}, fmt.Errorf("rule action %v: want exactly one action", keys(p.Action))
	case p.Action["Block"] != nil:
		r.block, err = blockResponse(p.Action["Block"], bodies)
		if err != nil {
			return rule{}, fmt.Errorf("action Block: %w", err)
		}
	case p.Action["Count"] != nil:
		// Count only counts: evaluation goes on with the next rule (API_CountAction).
	default:
		return rule{}, fmt.Errorf("rule action %v is not emulated locally (Block and Count are)", keys(p.Action))
	}
	return r, nil
}

// blockResponse is a Block action's CustomResponse: status, headers and the body its key names in
// the web ACL's CustomResponseBodies (API_CustomResponse, API_CustomResponseBody).
func blockResponse(v any, bodies map[string]responseBody) (*Response, error) {
	var block struct {
		CustomResponse *struct {
			ResponseCode          number `json:"ResponseCode"`
			CustomResponseBodyKey string `json:"CustomResponseBodyKey"`
			ResponseHeaders       []struct {
				Name  string `json:"Name"`
				Value string `json:"Value"`
			} `json:"ResponseHeaders"`
		} `json:"CustomResponse"`
	}
	if err := remarshal(v, &block); err != nil {
		return nil, err
	}
	cr := block.CustomResponse
	if cr == nil {
		// Without it the protected resource answers (API Gateway's WAF_FILTERED gateway response).
		return nil, errors.New("a Block without CustomResponse (API Gateway's WAF_FILTERED answer) is not emulated locally")
	}
	if cr.ResponseCode < 200 || cr.ResponseCode > 599 {
		return nil, fmt.Errorf("ResponseCode %v: WAF takes 200 to 599", cr.ResponseCode)
	}
	resp := &Response{Status: int(cr.ResponseCode), Header: http.Header{}}
	for _, h := range cr.ResponseHeaders {
		// "You can specify any header name except for content-type" (customizing-the-response-for-blocked-requests).
		if strings.EqualFold(h.Name, "Content-Type") {
			return nil, errors.New("ResponseHeaders: WAF refuses a content-type header (the body's ContentType sets it)")
		}
		resp.Header.Add(h.Name, h.Value)
	}
	if cr.CustomResponseBodyKey != "" {
		body, ok := bodies[cr.CustomResponseBodyKey]
		if !ok {
			return nil, fmt.Errorf("CustomResponseBodyKey %q is not in the web ACL's CustomResponseBodies", cr.CustomResponseBodyKey)
		}
		ct, ok := contentTypes[body.ContentType]
		if !ok {
			return nil, fmt.Errorf("CustomResponseBodies %s: ContentType %q (WAF takes TEXT_PLAIN, TEXT_HTML, APPLICATION_JSON)", cr.CustomResponseBodyKey, body.ContentType)
		}
		if body.ContentType == "APPLICATION_JSON" && !json.Valid([]byte(body.Content)) {
			return nil, fmt.Errorf("CustomResponseBodies %s: APPLICATION_JSON content is not JSON", cr.CustomResponseBodyKey)
		}
		resp.Header.Set("Content-Type", ct)
		resp.Body = []byte(body.Content)
	}
	return resp, nil
}

// contentTypes are the media types WAF sends for a custom body's ContentType.
var contentTypes = map[string]string{
	"TEXT_PLAIN":       "text/plain",
	"TEXT_HTML":        "text/html",
	"APPLICATION_JSON": "application/json",
}

// parseStatement reads one Statement: an object with exactly one statement type. top says whether it
// is a rule's own statement (a rate-based statement may only be one).
func parseStatement(s map[string]any, top bool) (statement, error) {
	if len(s) != 1 {
		return nil, fmt.Errorf("statement %v: want exactly one statement type", keys(s))
	}
	for typ, v := range s {
		switch typ {
		case "RateBasedStatement":
			if !top {
				return nil, errors.New("RateBasedStatement nested in another statement (WAF refuses it)")
			}
			return parseRateBased(v)
		case "ByteMatchStatement":
			return parseByteMatch(v)
		case "RegexMatchStatement":
			return parseRegexMatch(v)
		case "OrStatement", "AndStatement":
			return parseLogical(typ, v)
		case "NotStatement":
			var n struct {
				Statement map[string]any `json:"Statement"`
			}
			if err := remarshal(v, &n); err != nil {
				return nil, fmt.Errorf("NotStatement: %w", err)
			}
			inner, err := parseStatement(n.Statement, false)
			if err != nil {
				return nil, err
			}
			return notStatement{inner}, nil
		default:
			return nil, fmt.Errorf("statement %s is not emulated locally (RateBasedStatement, ByteMatchStatement, RegexMatchStatement, AndStatement, OrStatement and NotStatement are)", typ)
		}
	}
	return nil, nil // unreachable: len(s) == 1
}

func parseLogical(typ string, v any) (statement, error) {
	var l struct {
		Statements []map[string]any `json:"Statements"`
	}
	if err := remarshal(v, &l); err != nil {
		return nil, fmt.Errorf("%s: %w", typ, err)
	}
	// "at least two" nested statements (API_OrStatement, API_AndStatement).
	if len(l.Statements) < 2 {
		return nil, fmt.Errorf("%s has %d statements; WAF takes at least 2", typ, len(l.Statements))
	}
	out := logical{and: typ == "AndStatement"}
	for _, s := range l.Statements {
		st, err := parseStatement(s, false)
		if err != nil {
			return nil, err
		}
		out.stmts = append(out.stmts, st)
	}
	return out, nil
}

type logical struct {
	and   bool
	stmts []statement
}

func (l logical) match(r *http.Request, ip string, now time.Time) bool {
	for _, s := range l.stmts {
		if s.match(r, ip, now) != l.and {
			return !l.and
		}
	}
	return l.and
}

type notStatement struct{ inner statement }

func (n notStatement) match(r *http.Request, ip string, now time.Time) bool {
	return !n.inner.match(r, ip, now)
}

// number accepts a JSON number or a numeric string: a template parameter of type Number resolves to
// either, depending on who resolved it.
type number float64

func (n *number) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(strings.Trim(string(b), `"`), 64)
	if err != nil {
		return fmt.Errorf("not a number: %s", b)
	}
	*n = number(f)
	return nil
}

// remarshal decodes v (decoded JSON) into out, refusing fields out does not declare: a setting the
// emulator would otherwise drop silently.
func remarshal(v, out any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%w (not emulated locally)", err)
	}
	return nil
}
