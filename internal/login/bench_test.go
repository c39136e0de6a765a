package login_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/example/cognito-sam-go/internal/login"
)

const (
	benchClientID = "3n4b5urk1ft4fl3mg5e62d9ado"
	benchRegion   = "eu-west-1"
)

// BenchmarkLogin is one warm POST /login as Lambda runs it: the golden API Gateway event through the
// proxy adapter, request decoding and validation, the real SDK client's InitiateAuth against a
// canned answer on loopback (HTTP, keep-alive: the handler's cost, not the emulation's hashing), and the mapping of Cognito's answer to ours, logging
// JSON as in production (to io.Discard).
//
//   - ok: tokens back (200); wrong_password: NotAuthorizedException (401).
//   - baseline_sdk: the bare SDK call the handler makes, against the same fake: the handler's own
//     cost is ok's time less this one.
func BenchmarkLogin(b *testing.B) {
	ev := benchLoginEvent(b)
	tokens := tokensReply("eyJraWQiOiJpZCJ9.ID.sig", "eyJraWQiOiJhY2Nlc3MifQ.ACCESS.sig", "eyJjdHkiOiJKV1QifQ.REFRESH.x", 3600)

	b.Run("ok", func(b *testing.B) {
		benchLoginProxy(b, ev, tokens, http.StatusOK)
	})
	b.Run("wrong_password", func(b *testing.B) {
		benchLoginProxy(b, ev, cognitoError("NotAuthorizedException", "Incorrect username or password."), http.StatusUnauthorized)
	})
	b.Run("baseline_sdk", func(b *testing.B) {
		client := login.NewCognitoClient(benchRegion, canned(b, tokens, nil))
		in := &cognitoidentityprovider.InitiateAuthInput{
			AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(benchClientID),
			AuthParameters: map[string]string{"USERNAME": "alice@example.com", "PASSWORD": "Correct-Horse-9!"},
		}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			out, err := client.InitiateAuth(ctx, in)
			if err != nil || out.AuthenticationResult == nil {
				b.Fatalf("InitiateAuth: %v", err)
			}
		}
	})
}

// BenchmarkLoginInvalid is a POST /login refused before any Cognito call (400: the username is not an
// email address): decoding and validation alone, through the same adapter.
func BenchmarkLoginInvalid(b *testing.B) {
	ev := benchLoginEvent(b)
	ev.Body = `{"username":"alice","password":"Correct-Horse-9!"}`
	b.Run("bad_request", func(b *testing.B) {
		benchLoginProxy(b, ev, cognitoError("InternalErrorException", "not called"), http.StatusBadRequest)
	})
}

func benchLoginProxy(b *testing.B, ev events.APIGatewayProxyRequest, reply reply, want int) {
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h := login.New(login.NewCognitoClient(benchRegion, canned(b, reply, nil)),
		login.Config{ClientID: benchClientID, CallTimeout: 5 * time.Second}, logger)
	adapter := httpadapter.New(h)
	// As the runtime calls the handler: the function's deadline and the invocation's request id.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: ev.RequestContext.RequestID})

	resp, err := adapter.ProxyWithContext(ctx, ev)
	if err != nil || resp.StatusCode != want {
		b.Fatalf("status %d, want %d; error %v, body %s", resp.StatusCode, want, err, resp.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := adapter.ProxyWithContext(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
}

func benchLoginEvent(b *testing.B) events.APIGatewayProxyRequest {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "login-request.json"))
	if err != nil {
		b.Fatal(err)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		b.Fatal(err)
	}
	return ev
}
