// Command hello is the cold-start baseline: the least a Go Lambda function behind API Gateway's proxy
// integration can be. The harness builds it with the flags `make build` uses and measures it next to
// the real functions, so that their figures read as ratios to what Go and aws-lambda-go cost anyway.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: `{"message":"hello"}`,
			Headers: map[string]string{"Content-Type": "application/json"}}, nil
	})
}
