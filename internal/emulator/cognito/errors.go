package cognito

import (
	"encoding/json"
	"net/http"
)

// apiError is an error in Cognito's JSON shape. The SDK decodes its type from the x-amzn-ErrorType
// header or the body's __type, so both carry it.
type apiError struct {
	Type    string
	Message string
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func errorf(typ, message string) *apiError { return &apiError{Type: typ, Message: message} }

// Messages Cognito answers with, shared by several operations.
const (
	msgIncorrect       = "Incorrect username or password."
	msgCodeMismatch    = "Invalid verification code provided, please try again."
	msgCodeExpired     = "Invalid code provided, please request a code again."
	msgUserNotFound    = "Username/client id combination not found."
	msgSessionExpired  = "Invalid session for the user, session is expired."
	msgSessionWrong    = "Invalid session for the user."
	msgRefreshRevoked  = "Refresh Token has been revoked"
	msgAccessRevoked   = "Access Token has been revoked"
	msgUserDisabled    = "User is disabled."
	msgAlreadyConfirm  = "User is already confirmed."
	msgSignUpForbidden = "SignUp is not permitted for this user pool"
)

// writeAPIError answers as Cognito does: HTTP 400 with {"__type","message"}.
func writeAPIError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Type, "message": e.Message})
}

// writeInternal answers a failure of the emulator itself; the details go to the log only.
func writeInternal(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", "InternalErrorException")
	w.WriteHeader(http.StatusInternalServerError)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "InternalErrorException", "message": "The emulator failed; see its log."})
}
