// Command token signs a user in to Cognito (USER_PASSWORD_AUTH) and prints the ID token, for API
// tests in scripts and CI. Run `token -h` for its settings; the logic lives in internal/tokencli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/example/cognito-sam-go/internal/tokencli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := tokencli.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
