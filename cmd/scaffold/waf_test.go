package main

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// wafRules maps each rate-based rule of the template's web ACL to its scope-down path match, as
// internal/templates' TestWAF_EveryPublicRouteIsRateLimitedPerAddressAndNoGuardedRouteIs evaluates them.
func wafRules(t *testing.T, tmpl []byte) map[string]*regexp.Regexp {
	t.Helper()
	var doc struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Rules []struct {
					Name      string `yaml:"Name"`
					Statement struct {
						RateBasedStatement struct {
							ScopeDownStatement struct {
								RegexMatchStatement struct {
									RegexString         string           `yaml:"RegexString"`
									TextTransformations []map[string]any `yaml:"TextTransformations"`
								} `yaml:"RegexMatchStatement"`
							} `yaml:"ScopeDownStatement"`
						} `yaml:"RateBasedStatement"`
					} `yaml:"Statement"`
				} `yaml:"Rules"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(tmpl, &doc); err != nil {
		t.Fatal(err)
	}
	rules := map[string]*regexp.Regexp{}
	for _, res := range doc.Resources {
		if res.Type != "AWS::WAFv2::WebACL" {
			continue
		}
		for _, rule := range res.Properties.Rules {
			m := rule.Statement.RateBasedStatement.ScopeDownStatement.RegexMatchStatement
			if len(m.TextTransformations) != 1 || m.TextTransformations[0]["Type"] != "URL_DECODE" {
				t.Fatalf("rule %s: want the path URL-decoded once before matching, got %v", rule.Name, m.TextTransformations)
			}
			rules[rule.Name] = regexp.MustCompile(m.RegexString)
		}
	}
	if len(rules) == 0 {
		t.Fatal("the template has no web ACL with rate-based rules")
	}
	return rules
}

// limitedBy names the rules whose scope takes the request path p (URL-decoded first, as WAF does).
func limitedBy(t *testing.T, rules map[string]*regexp.Regexp, p string) []string {
	t.Helper()
	decoded, err := url.PathUnescape(p)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name, re := range rules {
		if re.MatchString(decoded) {
			names = append(names, name)
		}
	}
	return names
}

func TestScaffoldPutsAPublicRouteUnderTheGeneralPerAddressLimitAndAGuardedOneUnderNone(t *testing.T) {
	cases := []struct {
		route Route
		want  string // the rule that limits the route, "" for none
	}{
		{Route{Name: "status", Method: "get", Auth: "none", Path: "/status/now"}, "sign-in-routes"},
		{Route{Name: "ping", Method: "post", Auth: "none", Path: "/v2.ping"}, "sign-in-routes"},
		{Route{Name: "hello", Method: "get", Auth: "cognito"}, ""},
	}
	for _, c := range cases {
		t.Run(c.route.Name, func(t *testing.T) {
			root := tempRepo(t)
			before := wafRules(t, read(t, root, templateFile))
			if _, err := Scaffold(root, c.route); err != nil {
				t.Fatal(err)
			}
			rules := wafRules(t, read(t, root, templateFile))
			path := c.route.Path
			if path == "" {
				path = "/" + c.route.Name
			}
			last := strings.LastIndexAny(path, "abcdefghijklmnopqrstuvwxyz")
			encoded := path[:last] + fmt.Sprintf("%%%02X", path[last]) + path[last+1:]
			// As the stage serves it, bare (a custom domain's base path), with API Gateway's trailing slash,
			// and with a letter percent-encoded: the spellings the template test sends.
			for _, p := range []string{"/v1" + path, path, "/v1" + path + "/", "/v1" + encoded} {
				got := limitedBy(t, rules, p)
				switch {
				case c.want == "" && len(got) > 0:
					t.Errorf("route behind the authorizer %s is rate-limited by %v", p, got)
				case c.want != "" && (len(got) != 1 || got[0] != c.want):
					t.Errorf("public route %s is limited by %v, want only %s", p, got, c.want)
				}
			}
			// A near miss is not taken: the match is the path's end, whole segments.
			if near := limitedBy(t, rules, "/v1"+path+"x"); len(near) > 0 {
				t.Errorf("%s is rate-limited by %v", "/v1"+path+"x", near)
			}
			// Every path the rules took before, they still take, each under the same rule.
			for name, re := range before {
				if rules[name] == nil || !strings.HasPrefix(rules[name].String(), strings.TrimSuffix(re.String(), ")/*$")) {
					t.Errorf("rule %s: path match %v, want %v with at most the route added", name, rules[name], re)
				}
			}
		})
	}
}
