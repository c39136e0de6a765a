package apigateway

import "strings"

// match finds the method for a request as API Gateway routes one: literal segments beat {param},
// which beats a trailing greedy {proxy+} (which needs at least one segment); on the same resource
// an explicit method beats ANY.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html
// path is routePath's: segments as sent (percent-encoded), so parameters keep the client's
// encoding; a trailing slash does not count, so {proxy+} of "/proxy-value/" is "proxy-value"
// (LocalStack test_apigateway_lambda.snapshot.json, test_lambda_aws_proxy_integration, validated
// 2024-08-02).
func match(methods []method, verb, path string) (*method, map[string]string) {
	segs := splitPath(strings.TrimSuffix(path, "/"))
	var best *method
	var bestParams map[string]string
	bestScore := -1
	for i := range methods {
		m := &methods[i]
		if m.verb != verb && m.verb != "ANY" {
			continue
		}
		params, score, ok := matchSegments(m.segments, segs)
		if !ok {
			continue
		}
		score *= 2
		if m.verb == verb {
			score++
		}
		if score > bestScore {
			best, bestParams, bestScore = m, params, score
		}
	}
	return best, bestParams
}

// matchSegments scores a match: a literal segment counts more than a parameter.
func matchSegments(pattern, segs []string) (map[string]string, int, bool) {
	params := map[string]string{}
	score := 0
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}") {
			if i >= len(segs) {
				return nil, 0, false
			}
			params[p[1:len(p)-2]] = strings.Join(segs[i:], "/")
			return params, score, true
		}
		if i >= len(segs) {
			return nil, 0, false
		}
		switch {
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			if segs[i] == "" {
				return nil, 0, false
			}
			params[p[1:len(p)-1]] = segs[i]
			score++
		case p == segs[i]:
			score += 2
		default:
			return nil, 0, false
		}
	}
	if len(pattern) != len(segs) {
		return nil, 0, false
	}
	return params, score, true
}
