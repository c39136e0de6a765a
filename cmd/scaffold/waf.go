package main

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// wafAlternatives is the form of a rule's path match the scaffold can extend: alternatives of the
// URL-decoded path's end, trailing slashes allowed ("/(login|refresh)/*$", the template's WebAcl).
var wafAlternatives = regexp.MustCompile(`^/\((.+)\)/\*\$$`)

// generalWAFMatch is the RegexString of the web ACL's general rate-based rule: the last rule whose path
// match has the form above and whose name is not about e-mail. nil, nil when the template has no web ACL.
func generalWAFMatch(resources *yaml.Node) (*yaml.Node, error) {
	var acl *yaml.Node
	for i := 0; i+1 < len(resources.Content); i += 2 {
		if scalar(value(resources.Content[i+1], "Type")) == "AWS::WAFv2::WebACL" {
			acl = resources.Content[i+1]
		}
	}
	if acl == nil {
		return nil, nil
	}
	var match *yaml.Node
	if rules := value(value(acl, "Properties"), "Rules"); rules != nil {
		for _, rule := range rules.Content {
			re := value(value(value(value(value(rule, "Statement"), "RateBasedStatement"), "ScopeDownStatement"), "RegexMatchStatement"), "RegexString")
			if wafAlternatives.MatchString(scalar(re)) && !strings.Contains(strings.ToLower(scalar(value(rule, "Name"))), "email") {
				match = re
			}
		}
	}
	if match == nil {
		return nil, usagef(`the public route needs a per-address limit, but the web ACL has no rate-based rule matching "/(a|b)/*$" on the path`)
	}
	return match, nil
}

// wafAlternative is the route's path as one more alternative of a match: without its leading slash,
// its regular expression characters quoted.
func wafAlternative(r Route) string { return regexp.QuoteMeta(strings.TrimPrefix(r.Path, "/")) }

// addToWAFLine returns src's line of match with the route's path added as its last alternative, in
// the scalar's own quoting; the caller checks that the edited document parses to the value intended.
func addToWAFLine(src []byte, match *yaml.Node, r Route) (string, error) {
	alt := wafAlternative(r)
	if match.Style == yaml.DoubleQuotedStyle {
		alt = strings.ReplaceAll(alt, `\`, `\\`)
	}
	line := strings.Split(string(src), "\n")[match.Line-1]
	end := strings.LastIndex(line, ")/*$")
	if end < match.Column-1 {
		return "", usagef("line %d: the web ACL's path match %q is not on one line", match.Line, match.Value)
	}
	return line[:end] + "|" + alt + line[end:], nil
}
