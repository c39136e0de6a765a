// Command crash is a test function that fails as asked: "panic", "exit" (os.Exit(3) mid-invocation),
// "error" (a returned error); anything else answers with its process id.
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, req struct{ Mode string }) (map[string]int, error) {
		switch req.Mode {
		case "panic":
			panic("boom from the handler")
		case "exit":
			os.Exit(3)
		case "error":
			return nil, errors.New("handled failure")
		}
		return map[string]int{"pid": os.Getpid()}, nil
	})
}
