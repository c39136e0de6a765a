// Command loginwarm is the login function for one experiment: does opening the connection to Cognito
// during init lower the first login's latency? LOGIN_PREWARM picks the arm:
//
//   - off (or unset): nothing is dialled; the same as functions/login.
//   - sync: a HEAD to the Cognito endpoint through the SDK client's own HTTP client before
//     lambda.Start, so that the first InitiateAuth finds an open, TLS-established connection.
//   - async: the same HEAD in a goroutine, overlapping the rest of init and the wait for the event.
//
// The handler is internal/login's, with the client login.NewCognitoClient builds; only the warm-up
// differs. It is built and run by the cold-start harness (bench/cmd/coldstart), never deployed.
package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/example/cognito-sam-go/internal/httpapi"
	"github.com/example/cognito-sam-go/internal/login"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	region := os.Getenv("AWS_REGION")
	endpoint := os.Getenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
	timeout, _ := time.ParseDuration(os.Getenv("COGNITO_CALL_TIMEOUT"))
	client := login.NewCognitoClient(region, endpoint)
	h := httpapi.CORS(os.Getenv("CORS_ALLOW_ORIGIN"),
		login.New(client, login.Config{ClientID: os.Getenv("USER_POOL_CLIENT_ID"), CallTimeout: timeout}, logger))

	url := endpoint
	if url == "" {
		url = "https://cognito-idp." + region + ".amazonaws.com/"
	}
	// The client's resolved HTTP client: the SDK copies the one it is given, and only this one's
	// connection pool serves the client's calls.
	hc := client.Options().HTTPClient
	warm := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
		if err != nil {
			return
		}
		resp, err := hc.Do(req)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body) // drained and closed: the connection goes back to the pool
		_ = resp.Body.Close()
	}
	switch os.Getenv("LOGIN_PREWARM") {
	case "sync":
		warm()
	case "async":
		go warm()
	}
	lambda.Start(httpadapter.New(h).ProxyWithContext)
}
