package lambda

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Errors of Invoke that are not the function's own: what Lambda's Invoke API answers with an HTTP
// error status (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors).
var (
	// ErrUnknownFunction is Lambda's ResourceNotFoundException (404).
	ErrUnknownFunction = errors.New("lambda: ResourceNotFoundException: function not found")
	// ErrTooManyRequests is Lambda's TooManyRequestsException (429) with the reason
	// ReservedFunctionConcurrentInvocationLimitExceeded: every environment the function may have is busy.
	ErrTooManyRequests = errors.New("lambda: TooManyRequestsException: Rate Exceeded (reserved concurrency reached)")
	// ErrRequestTooLarge is Lambda's RequestEntityTooLargeException (413): a payload over MaxPayload.
	ErrRequestTooLarge = errors.New("lambda: RequestEntityTooLargeException: request payload over 6 MB")
	// ErrInvalidPayload is Lambda's InvalidRequestContentException (400): the payload is not JSON.
	ErrInvalidPayload = errors.New("lambda: InvalidRequestContentException: could not parse request body into json")
	// ErrClosed: the Service was closed before or while the invocation ran.
	ErrClosed = errors.New("lambda: service closed")
)

// MaxPayload is Lambda's limit on a synchronous invocation's request and response payloads: 6 MB
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), taken as 6 MiB.
const MaxPayload = 6 << 20

// Error types Lambda reports for failures that are not the function's own errors.
const (
	// ErrorTypeTimeout: the invocation ran past the function's timeout; the environment was killed
	// (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html#troubleshooting-timeouts).
	ErrorTypeTimeout = "Sandbox.Timedout"
	// ErrorTypeExit: the runtime process exited during init or during an invocation.
	ErrorTypeExit = "Runtime.ExitError"
	// ErrorTypeResponseTooLarge: the function's response was over MaxPayload.
	ErrorTypeResponseTooLarge = "Function.ResponseSizeTooLarge"
	// ErrorTypeUnknown: the runtime reported an error without a type.
	ErrorTypeUnknown = "Runtime.Unknown"
)

// FunctionError is an invocation that ended in an error of the function's making: an error the
// runtime posted (for aws-lambda-go, a handler's error or panic), an init failure, a crash, a
// timeout or an oversized response. Lambda answers all of them with status 200, the header
// X-Amz-Function-Error: Unhandled and Payload as the body; API Gateway's proxy integration turns them
// into 502 (https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html).
type FunctionError struct {
	Type    string // errorType: as the runtime posted it, or one of the ErrorType constants
	Message string // errorMessage
	// Payload is the JSON document Lambda's Invoke returns for this error.
	Payload []byte
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("lambda: function error %s: %s", e.Type, e.Message)
}

// newFunctionError builds the error and the payload Lambda would return for it.
func newFunctionError(typ, msg string) *FunctionError {
	payload, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{msg, typ})
	return &FunctionError{Type: typ, Message: msg, Payload: payload}
}

// postedError is the error a runtime posted to /invocation/{id}/error or /init/error: its body is
// {"errorMessage", "errorType", "stackTrace"}, the type possibly also in Lambda-Runtime-Function-Error-Type
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-invokeerror).
func postedError(body []byte, typeHeader string) *FunctionError {
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return newFunctionError(firstNonEmpty(typeHeader, ErrorTypeUnknown), string(body))
	}
	typ := firstNonEmpty(doc.ErrorType, typeHeader, ErrorTypeUnknown)
	if doc.ErrorType == "" {
		return newFunctionError(typ, doc.ErrorMessage)
	}
	return &FunctionError{Type: typ, Message: doc.ErrorMessage, Payload: body}
}

func timeoutError(requestID string, timeout time.Duration) *FunctionError {
	return newFunctionError(ErrorTypeTimeout,
		fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, timeout.Seconds()))
}

// exitError is Lambda's answer when the runtime process exits before answering: during init
// ("Runtime exited with error: exit status 1") or during an invocation.
func exitError(requestID string, waitErr error) *FunctionError {
	reason := "Runtime exited without providing a reason"
	if waitErr != nil {
		reason = "Runtime exited with error: " + waitErr.Error()
	}
	return newFunctionError(ErrorTypeExit, fmt.Sprintf("RequestId: %s Error: %s", requestID, reason))
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
