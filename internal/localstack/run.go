// Package localstack runs the whole API on this machine with no AWS account and no Docker, as it runs
// deployed: the templates translated by the SAM translator and deployed by the CloudFormation emulator,
// Cognito emulated in process (internal/emulator/cognito), each function's bootstrap built
// by its template build method and run behind the Lambda Runtime API, and API Gateway serving the
// deployed REST API definition with its authorizer, gateway responses and throttling.
package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway"
	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
	"github.com/example/cognito-sam-go/internal/emulator/lambda"
)

// Options configures Run.
type Options struct {
	Root        string // repository root, holding the templates, the Makefile and scripts/
	APIPort     int
	CognitoPort int
	// WebPort serves the browser client (web/) on http://127.0.0.1:<WebPort> and sets the API's
	// CorsAllowOrigin to that origin unless ParameterOverrides sets it; 0 turns the page off.
	WebPort int
	// CognitoHost is the address the Cognito emulator listens on: 127.0.0.1 unless asked for one that
	// `sam local start-api`'s containers reach (Docker's bridge gateway on Linux; see README).
	CognitoHost string
	// MailQuota is the Cognito emulator's daily email quota; 0 means Cognito's 50.
	MailQuota int
	Python    string // python3, for the SAM translator
	StateDir  string // everything this stack writes (.local)
	Region    string
	// ParameterOverrides uses `sam deploy --parameter-overrides` syntax and applies to whichever
	// template declares each key.
	ParameterOverrides string
	GOOS, GOARCH       string // what the functions are built for: this machine's
	Logger             *slog.Logger
	Output             io.Writer // function, build and mail output
	// Ready, when set, is called once the API answers and outputs.json is written.
	Ready func(Outputs)
	// Watch rebuilds and reloads a function when its Go code changes (watch.go).
	Watch bool
	// Debug, a function's logical id, runs that function under Delve on 127.0.0.1:DebugPort (debug.go).
	Debug     string
	DebugPort int
}

// Outputs carries the contract's stack output keys, as the root template's Outputs do in the cloud.
type Outputs struct {
	ApiUrl           string // field names are the contract's output keys
	UserPoolId       string
	UserPoolArn      string
	UserPoolClientId string
	CognitoUrl       string
	Region           string
}

// Run starts the stack and serves until ctx is done, then stops everything it started.
func Run(ctx context.Context, opts Options) error {
	log := opts.Logger
	overrides, err := cloudformation.ParseOverrides(opts.ParameterOverrides)
	if err != nil {
		return fmt.Errorf("PARAMETER_OVERRIDES: %w", err)
	}
	if err := checkOverrides(opts, overrides); err != nil {
		return err
	}
	if withWebOrigin(overrides, opts.WebPort) {
		log.Info("CorsAllowOrigin set to the web page's origin", "origin", overrides[corsParameter])
	} else if opts.WebPort != 0 && overrides[corsParameter] != WebOrigin(opts.WebPort) {
		log.Warn("PARAMETER_OVERRIDES sets CorsAllowOrigin to another origin than the web page's: the page cannot call the API",
			"CorsAllowOrigin", overrides[corsParameter], "page", WebOrigin(opts.WebPort))
	}
	if opts.CognitoHost == "" {
		opts.CognitoHost = "127.0.0.1"
	}
	if err := checkPortFree(opts.CognitoHost, opts.CognitoPort, "Cognito emulator", "COGNITO_PORT"); err != nil {
		return err
	}
	apiAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.APIPort))
	ln, err := net.Listen("tcp", apiAddr)
	if err != nil {
		return fmt.Errorf("API port %s is taken (%v): stop what uses it or choose another with make local API_PORT=<port>", apiAddr, err)
	}
	defer ln.Close()
	webLn, err := listenWeb(opts.WebPort)
	if err != nil {
		return err
	}
	if webLn != nil {
		defer webLn.Close()
	}
	unlock, err := lockState(opts.StateDir)
	if err != nil {
		return err
	}
	defer unlock()
	outputsPath := filepath.Join(opts.StateDir, "outputs.json")
	_ = os.Remove(outputsPath) // a stale file must not look like readiness
	defer os.Remove(outputsPath)

	cog, err := startCognito(opts)
	if err != nil {
		return err
	}
	defer cog.close()
	cognitoStopped := cog.stopped()
	cognitoURL := "http://" + net.JoinHostPort(opts.CognitoHost, strconv.Itoa(opts.CognitoPort))

	admin := cip.New(cip.Options{Region: opts.Region, BaseEndpoint: aws.String(cognitoURL),
		// The emulator accepts any credentials; these never leave loopback.
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	// Stops the authorizer's background key refresh with the stack.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dep := &deployer{opts: opts, providers: localProviders(opts, &cognitoProviders{client: admin, logger: log}),
		overrides: overrides, cognitoURL: cognitoURL,
		// What SAM CLI's --env-vars does for sam local: point the functions that declare it at the local Cognito.
		envOverrides: map[string]string{"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": cognitoURL}}
	first, err := dep.deploy(ctx, 0)
	if err != nil {
		return err
	}
	log.Info("Cognito emulator ready", "url", cognitoURL)
	live := &serving{cur: first}
	defer live.close()
	stacks, fns, gw, stage := first.stacks, first.fns, first.gw, first.stage
	out := Outputs{
		ApiUrl: "http://" + apiAddr, UserPoolId: stacks.auth.Outputs["UserPoolId"], UserPoolArn: stacks.auth.Outputs["UserPoolArn"],
		UserPoolClientId: stacks.api.Outputs["UserPoolClientId"], CognitoUrl: cognitoURL, Region: opts.Region,
	}
	srv := apigateway.Server(gw)
	srv.Handler = live // a template change swaps the deployment behind it (watch.go)
	served := make(chan error, 2)
	go func() { served <- srv.Serve(apigateway.Listener(ln, gw)) }()
	var web *http.Server
	if webLn != nil {
		hint, err := stacks.passwordHint()
		if err != nil {
			return err
		}
		page := webConfig{APIURL: out.ApiUrl, PasswordHint: hint}
		web = webServer(webHandler(webDir(opts), filepath.Join(opts.StateDir, "mail.jsonl"), opts.WebPort, page, log))
		go func() { served <- fmt.Errorf("web page: %w", web.Serve(webLn)) }()
		defer web.Close()
	}
	samEnvPath := filepath.Join(opts.StateDir, "sam-env.json")
	defer os.Remove(samEnvPath)
	// sam-env.json first: outputs.json is the readiness signal.
	if err := writeJSON(samEnvPath, samEnv(fns, opts.CognitoPort)); err != nil {
		_ = srv.Close()
		return err
	}
	if err := writeJSON(outputsPath, out); err != nil {
		_ = srv.Close()
		return err
	}
	log.Info("API ready", "url", out.ApiUrl, "stage", stage, "outputs", outputsPath)
	if web != nil {
		log.Info("web page ready", "url", WebOrigin(opts.WebPort)+"/")
	}
	if opts.Ready != nil {
		opts.Ready(out)
	}
	if opts.Watch {
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			watchSources(ctx, opts, live, func(ctx context.Context, generation int) error {
				next, err := dep.deploy(ctx, generation)
				if err != nil {
					return err
				}
				live.swap(next)
				return writeJSON(samEnvPath, samEnv(next.fns, opts.CognitoPort))
			})
		}()
		defer func() { cancel(); <-watched }() // before live.close: no deploy after it
	}

	select {
	case err := <-served:
		return fmt.Errorf("server stopped: %w", err)
	case err := <-cognitoStopped:
		_ = srv.Close()
		return err
	case <-ctx.Done():
	}
	log.Info("stopping")
	shutdownCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = srv.Close()
	}
	return nil
}

// samEnv is SAM CLI's --env-vars file for `sam local start-api` against this stack's Cognito: for
// each function, the values that differ locally, for the variables it declares. SAM CLI's containers
// reach this host as host.docker.internal (samconfig.toml maps it with add_host on Linux; Docker
// Desktop provides it).
func samEnv(fns []lambda.Function, cognitoPort int) map[string]map[string]string {
	env := map[string]map[string]string{}
	for _, fn := range fns {
		vars := map[string]string{}
		if _, ok := fn.Env["USER_POOL_CLIENT_ID"]; ok {
			vars["USER_POOL_CLIENT_ID"] = fn.Env["USER_POOL_CLIENT_ID"]
		}
		if _, ok := fn.Env["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"]; ok {
			vars["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = SAMCognitoURL(cognitoPort)
		}
		env[fn.Name] = vars
	}
	return env
}

// SAMCognitoURL is the Cognito emulator's URL as `sam local start-api`'s containers reach it.
func SAMCognitoURL(port int) string {
	return "http://" + net.JoinHostPort("host.docker.internal", strconv.Itoa(port))
}

// writeJSON writes v to path atomically: a reader never sees half a file.
func writeJSON(path string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
