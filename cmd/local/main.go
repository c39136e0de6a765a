// Command local runs the whole API on 127.0.0.1 with an emulated Cognito (in process), provisioned
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
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"

	"github.com/example/cognito-sam-go/internal/localstack"
)

func main() {
	var opts localstack.Options
	flag.IntVar(&opts.APIPort, "api-port", 3000, "port of the API on 127.0.0.1")
	flag.IntVar(&opts.CognitoPort, "cognito-port", 5000, "port of the Cognito emulator")
	flag.IntVar(&opts.WebPort, "web-port", 0, "port of the browser client (web/) on 127.0.0.1, which becomes the API's CorsAllowOrigin unless -parameter-overrides sets it; 0: no page (make local sets 8080)")
	flag.StringVar(&opts.CognitoHost, "cognito-host", "127.0.0.1", "address the Cognito emulator listens on (another only for sam local start-api, see README)")
	flag.StringVar(&opts.Root, "root", ".", "repository root (holds the templates, the Makefile and scripts/)")
	flag.StringVar(&opts.StateDir, "state-dir", ".local", "where everything this stack writes goes (outputs.json, builds, logs, mail)")
	flag.StringVar(&opts.ParameterOverrides, "parameter-overrides", os.Getenv("PARAMETER_OVERRIDES"), "template parameters, as sam deploy --parameter-overrides takes them")
	flag.IntVar(&opts.MailQuota, "mail-quota", envInt("COGNITO_MAIL_QUOTA", 0), "the emulated Cognito's daily email quota (0: Cognito's 50 for its COGNITO_DEFAULT sender)")
	flag.StringVar(&opts.Python, "python", envOr("PYTHON", "python3"), "Python with aws-sam-translator, for the SAM translator")
	flag.StringVar(&opts.Region, "region", envOr("AWS_REGION", "us-east-1"), "region the emulated stacks live in")
	flag.BoolVar(&opts.Watch, "watch", false, "rebuild and reload a function when its Go code changes (make local sets it unless WATCH=0)")
	flag.StringVar(&opts.Debug, "debug", "", "logical id of a function to run under Delve (make local DEBUG=<LogicalId>)")
	flag.IntVar(&opts.DebugPort, "debug-port", 2345, "port of Delve's headless server on 127.0.0.1, with -debug")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the stack (the gateway, authorizer and Lambda emulator) to this file")
	flag.Parse()
	// The functions run on this machine, so they are built for it (make build-<LogicalId> GOOS GOARCH).
	opts.GOOS, opts.GOARCH = runtime.GOOS, runtime.GOARCH

	opts.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	opts.Output = os.Stderr
	opts.Ready = func(out localstack.Outputs) {
		printExample(os.Stdout, out, opts.StateDir)
		if opts.WebPort != 0 {
			fmt.Fprintf(os.Stdout, "Or in a browser: %s/ (sign up, confirm through the local mailbox, sign in, call /echo).\n\n", localstack.WebOrigin(opts.WebPort))
		}
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "make local: -cpuprofile:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := localstack.Run(ctx, opts); err != nil {
		// Once, as text: the JSON log lines are for the running stack, this is for whoever started it.
		fmt.Fprintln(os.Stderr, "make local:", err)
		os.Exit(1)
	}
}

func envInt(key string, fallback int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return fallback
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// printExample shows a newcomer the account lifecycle against this stack, ready to paste: it signs up
// a new address each time (so it can be pasted again, and after a restart), confirms it through the
// local mailbox, signs in and calls /echo. The lines between the header and the blank line after it
// are run by an end-to-end test.
func printExample(w io.Writer, out localstack.Outputs, stateDir string) {
	mailbox := filepath.Join(stateDir, "mail.jsonl")
	if abs, err := filepath.Abs(mailbox); err == nil {
		mailbox = abs
	}
	fmt.Fprintf(w, `
Local stack ready: API %[1]s, Cognito %[2]s (outputs in %[3]s). Ctrl-C stops it;
users, pools and keys stay in the state directory across restarts (make local-reset starts clean).

Try it in another terminal (safe to paste again):

  API=%[1]s MAILBOX=%[4]s EMAIL="jane-$RANDOM$RANDOM@example.com"
  curl -s -X POST "$API/signup" -H 'Content-Type: application/json' -d "{\"username\":\"$EMAIL\",\"password\":\"Example-Passw0rd!\"}"; echo
  LINK=$(python3 -c 'import json,sys; print([m for m in map(json.loads, open(sys.argv[1])) if m["to"] == sys.argv[2]][-1]["link"])' "$MAILBOX" "$EMAIL")
  curl -s -o /dev/null -w 'confirmation link: %%{http_code}\n' "$LINK"
  ID_TOKEN=$(curl -s -X POST "$API/login" -H 'Content-Type: application/json' -d "{\"username\":\"$EMAIL\",\"password\":\"Example-Passw0rd!\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id_token"])')
  curl -s -X POST "$API/echo" -H "Authorization: Bearer $ID_TOKEN" -H 'Content-Type: application/json' -d '{"hello":"world"}'; echo

The whole lifecycle (refresh, sign-out, password reset) is in the README, "The account lifecycle, locally".

`, out.ApiUrl, out.CognitoUrl, filepath.Join(stateDir, "outputs.json"), mailbox)
}
