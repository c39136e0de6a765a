// Command login is the LoginFunction Lambda: the login package's handler behind API Gateway's REST
// proxy integration. All behaviour lives in internal/login so that tests and the local stack run it too.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/example/cognito-sam-go/internal/login"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := login.FromEnv(os.Getenv, logger)
	if err != nil {
		logger.Error("login function is misconfigured", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(httpadapter.New(h).ProxyWithContext)
}
