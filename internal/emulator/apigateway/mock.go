package apigateway

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// serveMock answers a mock integration as API Gateway does: the request template's statusCode
// selects the integration response (a selection pattern matching the status, else "default"),
// whose responseParameters set the method response's headers and whose template is the body
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html).
// The templates SAM emits for CORS are static; VTL beyond that is not emulated.
func (g *Gateway) serveMock(w http.ResponseWriter, r *http.Request, in *integration, params map[string]string) {
	status := "200"
	if tpl, ok := in.RequestTemplates["application/json"]; ok {
		var req struct {
			StatusCode json.Number `json:"statusCode"`
		}
		if json.Unmarshal([]byte(tpl), &req) == nil && req.StatusCode != "" {
			status = req.StatusCode.String()
		}
	}
	resp, ok := selectResponse(in.Responses, status)
	if !ok {
		// No integration response matches: API Gateway reports an internal error.
		g.writeGatewayError(w, r, gatewayError{"DEFAULT_5XX", 500, "Internal server error"}, requestContextOf(r))
		return
	}
	h := w.Header()
	for name, expr := range resp.ResponseParameters {
		header, ok := strings.CutPrefix(name, "method.response.header.")
		if !ok {
			continue
		}
		if v, ok := parameterValue(expr, r, params); ok {
			h[header] = []string{v}
		}
	}
	body, contentType := "", "application/json"
	if t, ok := resp.ResponseTemplates["application/json"]; ok {
		body = t
	}
	code, err := strconv.Atoi(resp.StatusCode)
	if err != nil || code == 0 {
		code = 200
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

func selectResponse(responses map[string]integrationResponse, status string) (integrationResponse, bool) {
	for _, pattern := range sortedKeys(responses) {
		if pattern == "default" {
			continue
		}
		if re, err := regexp.Compile("^(?:" + pattern + ")$"); err == nil && re.MatchString(status) {
			return responses[pattern], true
		}
	}
	resp, ok := responses["default"]
	return resp, ok
}
