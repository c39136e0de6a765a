package cognito

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A panic in an operation answers InternalErrorException (JSON, never a dropped connection) and is
// reported to Options.Fatal, so the local stack stops naming the emulator instead of serving on with
// a state that may be half changed; so is a failure that is not Cognito's answer (a journal write).
func TestOperationFailureIsAnsweredAndReportedAsFatal(t *testing.T) {
	for name, op := range map[string]opFunc{
		"panic":         func(*request) (any, error) { panic("boom") },
		"journal write": func(*request) (any, error) { return nil, errors.New("cognito: write journal: no space left on device") },
	} {
		t.Run(name, func(t *testing.T) {
			var reported []error
			e, err := New(Options{Region: "us-east-1", Fatal: func(err error) { reported = append(reported, err) }})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			e.ops["ListUserPools"] = op
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
			req.Header.Set("X-Amz-Target", targetPrefix+"ListUserPools")
			req.Header.Set("X-Amz-Date", "20260101T000000Z")
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00")
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"InternalErrorException"`) {
				t.Errorf("answer %d %s", rec.Code, rec.Body)
			}
			if len(reported) != 1 || !strings.Contains(reported[0].Error(), "cognito emulator") {
				t.Errorf("Fatal got %v, want one error naming the emulator", reported)
			}
		})
	}
}
