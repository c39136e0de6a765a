package cognito

import (
	"net/http"
	"strings"
)

// Which operations need AWS credentials. Cognito's API reference marks the operations a client calls
// with no credentials ("Authorize this action with a signed-in user's access token", or none for
// SignUp and the sign-in flows); every other operation, Admin* and the pool and client management,
// "must sign requests with AWS Signature Version 4"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pools-API-operations.html).
var publicOps = map[string]bool{
	"InitiateAuth": true, "RespondToAuthChallenge": true, "SignUp": true, "ConfirmSignUp": true,
	"ResendConfirmationCode": true, "ForgotPassword": true, "ConfirmForgotPassword": true,
	"RevokeToken": true, "GetUser": true, "GlobalSignOut": true, "ChangePassword": true,
}

// checkSigV4 refuses a request with no Signature Version 4 Authorization header as AWS's front end
// does: MissingAuthenticationTokenException "Request is missing Authentication Token"
// (the body AWS answers, quoted in https://github.com/awslabs/aws-sdk-ios-samples/issues/111).
// Locally any access key signs (the emulator knows no secrets, as AWS requires a signature but this
// machine has no accounts), so the header's form is checked, not its signature: what matters is that
// a web page cannot make the call, and a browser cannot send an Authorization header cross-origin
// without a preflight this endpoint does not grant.
func checkSigV4(r *http.Request) *apiError {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return errorf("MissingAuthenticationTokenException", "Request is missing Authentication Token")
	}
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok || !strings.Contains(rest, "Credential=") || !strings.Contains(rest, "SignedHeaders=") ||
		!strings.Contains(rest, "Signature=") || r.Header.Get("X-Amz-Date") == "" {
		return errorf("IncompleteSignatureException", "Authorization header requires 'Credential', 'Signature', 'SignedHeaders' and an X-Amz-Date header.")
	}
	return nil
}
