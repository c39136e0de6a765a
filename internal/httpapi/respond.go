// Package httpapi holds the HTTP conventions every handler of this API shares: JSON bodies, the
// {"message": "..."} error shape API Gateway itself uses, strict request decoding and CORS headers.
package httpapi

import (
	"encoding/json"
	"net/http"
)

// Error is the body of every error answer, the shape API Gateway uses for its own refusals.
type Error struct {
	Message string `json:"message"`
}

// WriteJSON answers with v as JSON. Encoding errors cannot be reported to a client that already has a
// status line, so v must be a value that always encodes (structs of strings, numbers, maps).
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"message":"Internal server error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteError answers with the contract's error body.
func WriteError(w http.ResponseWriter, status int, message string) {
	WriteJSON(w, status, Error{Message: message})
}

// CORS names origin in Access-Control-Allow-Origin on every answer of next. An empty origin turns CORS
// off; it is never "*" unless the deployer says so.
func CORS(origin string, next http.Handler) http.Handler {
	if origin == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Add("Vary", "Origin")
		next.ServeHTTP(w, r)
	})
}
