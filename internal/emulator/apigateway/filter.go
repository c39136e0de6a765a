package apigateway

import "net/http"

// Filter sees each request before API Gateway handles it, as a web ACL associated with the stage does
// (AWS WAF inspects requests "before they reach" the protected resource). It answers the request
// itself and returns true to block it, or returns false to let the gateway serve it. The local stack
// passes internal/emulator/wafv2's WebACL.Intercept.
type Filter func(w http.ResponseWriter, r *http.Request) bool

// filtered runs the stage's filter, if any; a blocked request's access log line says so.
func (g *Gateway) filtered(w http.ResponseWriter, r *http.Request, rc *requestContext) bool {
	if g.filter == nil || !g.filter(w, r) {
		return false
	}
	rc.reason = "blocked by the stage's web ACL"
	return true
}
