// Command echo is the Lambda function behind POST /echo; the behaviour lives in internal/echo.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/example/cognito-sam-go/internal/echo"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := echo.FromEnv(os.Getenv, logger)
	if err != nil {
		logger.Error("invalid configuration", "error", err)
		os.Exit(1)
	}
	lambda.Start(httpadapter.New(h).ProxyWithContext)
}
