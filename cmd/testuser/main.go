// Command testuser creates, deletes and sweeps throwaway Cognito users for API tests. Run
// `testuser -h` for its commands; the logic lives in internal/testusers.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/example/cognito-sam-go/internal/testusers"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := testusers.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
