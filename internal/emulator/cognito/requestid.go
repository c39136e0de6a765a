package cognito

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// RequestIDHeader is the header with which AWS's JSON-protocol services identify every answer,
// errors included ("x-amzn-RequestId: b0e91dc8-3807-11e2-83c6-5912bf8ad066" in the HTTP responses
// of https://docs.aws.amazon.com/waf/latest/developerguide/waf-api-making-requests-response.html);
// the SDK reads it into the error's and the result's metadata, and the login function logs it.
const RequestIDHeader = "x-amzn-RequestId"

// SetRequestID puts a fresh request id, shaped as AWS's (a UUID), on an answer's header.
func SetRequestID(h http.Header) {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	s := hex.EncodeToString(b[:])
	h.Set(RequestIDHeader, s[0:8]+"-"+s[8:12]+"-"+s[12:16]+"-"+s[16:20]+"-"+s[20:])
}
