package gateway

import "strings"

// match finds the route for method and path as API Gateway does: literal segments first, then
// {param}, then a trailing {proxy+}; ANY matches every method.
func (g *Gateway) match(method, path string) (*route, map[string]string) {
	segs := splitPath(path)
	var best *route
	var bestParams map[string]string
	bestScore := -1
	for i := range g.routes {
		rt := &g.routes[i]
		if rt.Method != method && rt.Method != "ANY" {
			continue
		}
		params, score, ok := matchSegments(rt.segments, segs)
		if ok && score > bestScore {
			best, bestParams, bestScore = rt, params, score
		}
	}
	return best, bestParams
}

// matchSegments scores a match: more literal segments and an exact method win.
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

func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
