package apigateway

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Account-level throttling per Region, API Gateway's default quota
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html): every request of
// the stage takes a token from this bucket as well.
const (
	accountRate  = 10000
	accountBurst = 5000
)

// stage is the part of AWS::ApiGateway::Stage's resolved Properties the gateway serves.
type stage struct {
	StageName      string          `json:"StageName"`
	MethodSettings []methodSetting `json:"MethodSettings"`
}

type methodSetting struct {
	ResourcePath         string  `json:"ResourcePath"`
	HTTPMethod           string  `json:"HttpMethod"`
	ThrottlingRateLimit  *number `json:"ThrottlingRateLimit"`
	ThrottlingBurstLimit *number `json:"ThrottlingBurstLimit"`
}

// number accepts a JSON number or a numeric string: a CloudFormation parameter of type Number
// resolves to either, depending on who resolved it.
type number float64

func (n *number) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %s", b)
	}
	*n = number(f)
	return nil
}

// throttle holds one token bucket per method, as API Gateway applies stage throttling "at the
// API method level for a stage": the /* * setting is every method's default, a method's own
// setting replaces it (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
type throttle struct {
	account *rate.Limiter
	methods map[*method]*rate.Limiter // nil: no stage limit for that method
}

func newThrottle(methods []method, settings []methodSetting) (*throttle, error) {
	t := &throttle{account: rate.NewLimiter(accountRate, accountBurst), methods: map[*method]*rate.Limiter{}}
	for i := range methods {
		m := &methods[i]
		s, err := settingFor(settings, m)
		if err != nil {
			return nil, err
		}
		if s != nil {
			t.methods[m] = rate.NewLimiter(rate.Limit(*s.ThrottlingRateLimit), int(*s.ThrottlingBurstLimit))
		}
	}
	return t, nil
}

// settingFor picks the most specific MethodSettings entry with throttling for m: its resource
// and method, then its resource and *, then /* and its method, then /* and *.
func settingFor(settings []methodSetting, m *method) (*methodSetting, error) {
	var best *methodSetting
	bestRank := -1
	for i := range settings {
		s := &settings[i]
		if s.ThrottlingRateLimit == nil && s.ThrottlingBurstLimit == nil {
			continue
		}
		if s.ThrottlingRateLimit == nil || s.ThrottlingBurstLimit == nil {
			return nil, fmt.Errorf("apigateway: MethodSettings %s %s: set both ThrottlingRateLimit and ThrottlingBurstLimit", s.ResourcePath, s.HTTPMethod)
		}
		rank := 0
		switch unescapePointer(s.ResourcePath) {
		case m.resource:
			rank += 2
		case "/*":
		default:
			continue
		}
		switch verb := strings.ToUpper(s.HTTPMethod); verb {
		case m.verb:
			rank++
		case "*":
		default:
			continue
		}
		if rank > bestRank {
			best, bestRank = s, rank
		}
	}
	return best, nil
}

// unescapePointer decodes MethodSettings' ResourcePath, a JSON-pointer-escaped path ("/~1login"
// is /login; "/*" stays the wildcard).
func unescapePointer(p string) string {
	if p == "/*" {
		return p
	}
	p = strings.TrimPrefix(p, "/")
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
}

// allow takes a token for m from its bucket and the account's at now (the gateway's clock, so
// that tests move time instead of racing it); false means answer THROTTLED.
func (t *throttle) allow(m *method, now time.Time) bool {
	if l := t.methods[m]; l != nil && !l.AllowN(now, 1) {
		return false
	}
	return t.account.AllowN(now, 1)
}
