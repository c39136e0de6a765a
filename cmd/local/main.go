// Command local runs the whole API on 127.0.0.1 with an emulated Cognito (moto_server), provisioned
// from the auth and API stack templates, until SIGINT or SIGTERM. `make local` starts it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/example/cognito-sam-go/internal/echo"
	"github.com/example/cognito-sam-go/internal/localstack"
	"github.com/example/cognito-sam-go/internal/login"
)

// functions maps the API template's function logical ids to the constructors their mains call.
var functions = map[string]localstack.FunctionFactory{
	"LoginFunction": login.FromEnv,
	"EchoFunction":  echo.FromEnv,
}

func main() {
	opts := localstack.Options{Functions: functions}
	flag.IntVar(&opts.APIPort, "api-port", 3000, "port of the API on 127.0.0.1")
	flag.IntVar(&opts.CognitoPort, "cognito-port", 5000, "port of the Cognito emulator")
	flag.StringVar(&opts.CognitoHost, "cognito-host", "127.0.0.1", "address the Cognito emulator listens on (another only for sam local start-api, see README)")
	flag.StringVar(&opts.Root, "root", ".", "repository root (holds auth-stack/ and api-stack/)")
	flag.StringVar(&opts.StateDir, "state-dir", ".local", "where outputs.json and moto.log are written")
	flag.StringVar(&opts.MotoServer, "moto-server", envOr("MOTO_SERVER", "moto_server"), "moto_server command")
	flag.StringVar(&opts.Region, "region", envOr("AWS_REGION", "us-east-1"), "region the emulated pool lives in")
	flag.Parse()

	opts.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	opts.Ready = func(out localstack.Outputs) { printExample(os.Stdout, out) }

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := localstack.Run(ctx, opts); err != nil {
		opts.Logger.Error("local stack failed", "error", err.Error())
		fmt.Fprintln(os.Stderr, "make local:", err)
		os.Exit(1)
	}
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// printExample shows a newcomer how to create a user, log in and call /echo, ready to paste.
func printExample(w io.Writer, out localstack.Outputs) {
	fmt.Fprintf(w, `
Local stack ready: API %[1]s, Cognito %[2]s (outputs in .local/outputs.json). Ctrl-C stops it.

Try it in another terminal:

  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=%[3]s
  aws --endpoint-url %[2]s cognito-idp admin-create-user --user-pool-id %[4]s \
    --username jane@example.com --message-action SUPPRESS \
    --user-attributes Name=email,Value=jane@example.com Name=email_verified,Value=true
  aws --endpoint-url %[2]s cognito-idp admin-set-user-password --user-pool-id %[4]s \
    --username jane@example.com --password 'Example-Passw0rd!' --permanent
  ID_TOKEN=$(curl -s -X POST %[1]s/login -H 'Content-Type: application/json' \
    -d '{"username":"jane@example.com","password":"Example-Passw0rd!"}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id_token"])')
  curl -s -X POST %[1]s/echo -H "Authorization: Bearer $ID_TOKEN" \
    -H 'Content-Type: application/json' -d '{"hello":"world"}'

`, out.ApiUrl, out.CognitoUrl, out.Region, out.UserPoolId)
}
