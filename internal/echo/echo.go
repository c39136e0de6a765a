// Package echo answers POST /echo with the request's JSON body and the caller's Cognito claims, as
// API Gateway's user pool authorizer passed them in the proxy event's request context.
package echo

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"unicode/utf8"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/example/cognito-sam-go/internal/httpapi"
)

// MaxBody is the largest body echoed back. API Gateway accepts 10 MB, but an echo of that size only
// costs memory and Lambda's 6 MB response limit would turn it into a 502.
const MaxBody = 256 << 10

// Response is the body of a 200: the request's JSON (null when empty) and the caller's claims.
type Response struct {
	Body   json.RawMessage   `json:"body"`
	Claims map[string]string `json:"claims"`
}

// New returns the /echo handler. Claims are read from the API Gateway request context that
// aws-lambda-go-api-proxy stores in each request's context.
func New(logger *slog.Logger) http.Handler {
	return &handler{logger: logger}
}

// FromEnv builds the handler as the function's main and the local stack both do. CORS_ALLOW_ORIGIN,
// when set, is the one origin named in Access-Control-Allow-Origin.
func FromEnv(getenv func(string) string, logger *slog.Logger) (http.Handler, error) {
	return httpapi.CORS(getenv("CORS_ALLOW_ORIGIN"), New(logger)), nil
}

type handler struct {
	logger *slog.Logger
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/echo" || r.Method != http.MethodPost {
		httpapi.WriteError(w, http.StatusForbidden, "Missing Authentication Token")
		return
	}
	body, err := httpapi.ReadBody(r, MaxBody)
	if err != nil {
		h.refuse(w, err)
		return
	}
	echoed := json.RawMessage("null")
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 {
		// RFC 8259 §8.1: JSON exchanged between systems is UTF-8. encoding/json accepts other bytes
		// inside strings, and the echoed answer would then not be UTF-8 either.
		if !json.Valid(trimmed) || !utf8.Valid(trimmed) {
			h.refuse(w, &httpapi.DecodeError{Status: http.StatusBadRequest, Message: "request body is not valid JSON"})
			return
		}
		echoed = trimmed
	}
	claims := claimsFrom(r)
	// The subject identifies the caller in logs; the token and the body never appear there.
	h.logger.InfoContext(r.Context(), "echo", "status", http.StatusOK, "sub", claims["sub"], "bytes", len(echoed))
	httpapi.WriteJSON(w, http.StatusOK, Response{Body: echoed, Claims: claims})
}

func (h *handler) refuse(w http.ResponseWriter, err error) {
	status, message := http.StatusBadRequest, err.Error()
	if de, ok := err.(*httpapi.DecodeError); ok {
		status = de.Status
	}
	h.logger.Info("echo refused", "status", status, "reason", message)
	httpapi.WriteError(w, status, message)
}

// claimsFrom returns the authorizer's claims, always as strings. Under `sam local start-api`, which
// does not run Cognito authorizers, there are none: the answer is then an empty object, not a crash.
func claimsFrom(r *http.Request) map[string]string {
	claims := map[string]string{}
	ctx, ok := core.GetAPIGatewayContextFromContext(r.Context())
	if !ok {
		return claims
	}
	raw, _ := ctx.Authorizer["claims"].(map[string]any)
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			claims[k] = v
		case nil:
			claims[k] = ""
		default:
			// API Gateway only sends strings; anything else is re-encoded rather than dropped.
			b, _ := json.Marshal(v)
			claims[k] = string(b)
		}
	}
	return claims
}
