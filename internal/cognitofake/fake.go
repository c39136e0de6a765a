// Package cognitofake is a stand-in for Amazon Cognito's user-pool API (cognito-idp) that speaks its
// wire protocol (AWS JSON 1.1: POST, X-Amz-Target, application/x-amz-json-1.1), so that tests and
// benchmarks drive the real SDK client, with its serializers, error decoding and retries, and not a mock
// of it. Replies are configured per operation; every call is recorded.
package cognitofake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Operation names, the part of X-Amz-Target after the service prefix.
const (
	InitiateAuth           = "InitiateAuth"
	RespondToAuthChallenge = "RespondToAuthChallenge"
	SignUp                 = "SignUp"
	ResendConfirmationCode = "ResendConfirmationCode"
	ForgotPassword         = "ForgotPassword"
	ConfirmForgotPassword  = "ConfirmForgotPassword"
	RevokeToken            = "RevokeToken"
)

const (
	targetPrefix = "AWSCognitoIdentityProviderService."
	contentType  = "application/x-amz-json-1.1"
)

// Call is one request the fake received.
type Call struct {
	Operation string
	Header    http.Header
	Body      []byte
}

// Input is the part of a call's JSON body the login function sends; Cognito's JSON names are the
// SDK's member names.
type Input struct {
	AuthFlow           string
	ClientId           string
	AuthParameters     map[string]string
	ChallengeName      string
	ChallengeResponses map[string]string
	Session            string
	Username           string
	Password           string
	ConfirmationCode   string
	Token              string
	UserAttributes     []Attribute
}

// Attribute is one of SignUp's UserAttributes.
type Attribute struct {
	Name  string
	Value string
}

// Input decodes the call's body.
func (c Call) Input() (Input, error) {
	var in Input
	if err := json.Unmarshal(c.Body, &in); err != nil {
		return Input{}, fmt.Errorf("decode %s input: %w", c.Operation, err)
	}
	return in, nil
}

// Reply is the fake's answer to one call.
type Reply struct {
	Status  int           // 0 means 200
	Body    any           // encoded as JSON; nil is {}
	RawBody []byte        // sent as is instead of Body when not nil, for malformed answers
	Header  http.Header   // extra headers
	Delay   time.Duration // wait before answering; ends early when the client gives up or the fake closes
}

// Tokens is a successful sign-in: an AuthenticationResult. An empty refreshToken is left out, as
// Cognito does for REFRESH_TOKEN_AUTH.
func Tokens(idToken, accessToken, refreshToken string, expiresIn int) Reply {
	result := map[string]any{
		"IdToken":     idToken,
		"AccessToken": accessToken,
		"ExpiresIn":   expiresIn,
		"TokenType":   "Bearer",
	}
	if refreshToken != "" {
		result["RefreshToken"] = refreshToken
	}
	return Reply{Body: map[string]any{"AuthenticationResult": result, "ChallengeParameters": map[string]string{}}}
}

// Challenge asks the client to answer a challenge before it gets tokens.
func Challenge(name, session string) Reply {
	return Reply{Body: map[string]any{
		"ChallengeName":       name,
		"Session":             session,
		"ChallengeParameters": map[string]string{},
	}}
}

// Error is a Cognito error answer: HTTP 400, or 500 for InternalErrorException, as Cognito sends them.
func Error(errorType, message string) Reply {
	status := http.StatusBadRequest
	if errorType == "InternalErrorException" {
		status = http.StatusInternalServerError
	}
	return Reply{
		Status: status,
		Header: http.Header{"X-Amzn-Errortype": {errorType}},
		Body:   map[string]string{"__type": errorType, "message": message},
	}
}

// Responder computes the reply to a call; it may run on several goroutines at once.
type Responder func(Call) Reply

// Server is a running fake. Its zero value is not usable: call New.
type Server struct {
	// URL is the endpoint to give the SDK client (BaseEndpoint).
	URL string

	srv       *httptest.Server
	closed    chan struct{}
	closeOnce sync.Once
	requestID atomic.Uint64

	mu         sync.Mutex
	responders map[string]Responder
	calls      []Call
}

// New starts a fake on a loopback port. Close it when done.
func New() *Server {
	s := &Server{closed: make(chan struct{}), responders: map[string]Responder{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Reply answers every call of op with r.
func (s *Server) Reply(op string, r Reply) {
	s.Respond(op, func(Call) Reply { return r })
}

// Respond answers every call of op with fn's reply.
func (s *Server) Respond(op string, fn Responder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responders[op] = fn
}

// Calls returns the calls received so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Reset forgets the recorded calls, for long benchmarks.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Close stops the server, cutting short any delayed reply.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.srv.Close()
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("fake-%08d", s.requestID.Add(1)))
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	op, known := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	call := Call{Operation: op, Header: r.Header.Clone(), Body: body}

	s.mu.Lock()
	s.calls = append(s.calls, call)
	respond := s.responders[op]
	s.mu.Unlock()

	var reply Reply
	switch {
	case r.Method != http.MethodPost || !known:
		reply = Error("UnknownOperationException", "cognitofake: not a Cognito call")
	case r.Header.Get("Content-Type") != contentType || !json.Valid(body):
		reply = Error("SerializationException", "cognitofake: body is not "+contentType)
	case respond == nil:
		reply = Error("UnknownOperationException", "cognitofake: no reply configured for "+op)
	default:
		reply = respond(call)
	}
	s.write(w, r, reply)
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, reply Reply) {
	if reply.Delay > 0 {
		t := time.NewTimer(reply.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
	body := reply.RawBody
	if body == nil {
		v := reply.Body
		if v == nil {
			v = struct{}{}
		}
		var err error
		if body, err = json.Marshal(v); err != nil {
			http.Error(w, "cognitofake: reply body does not encode: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	for k, vs := range reply.Header {
		w.Header()[http.CanonicalHeaderKey(k)] = vs
	}
	w.Header().Set("Content-Type", contentType)
	status := reply.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
