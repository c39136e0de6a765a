// Package localstack runs the whole API on this machine with no AWS account and no Docker: moto's
// emulated Cognito, provisioned from the auth and API stack templates, and the local gateway serving
// the real function handlers with the Cognito authorizer enforced as API Gateway enforces it.
package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/example/cognito-sam-go/internal/authorizer"
	"github.com/example/cognito-sam-go/internal/gateway"
	"github.com/example/cognito-sam-go/internal/samtemplate"
)

// FunctionFactory builds a function's http.Handler from its environment, as its main does in Lambda.
type FunctionFactory func(getenv func(string) string, logger *slog.Logger) (http.Handler, error)

// Options configures Run.
type Options struct {
	Root        string // repository root, holding auth-stack/ and api-stack/
	APIPort     int
	CognitoPort int
	// CognitoHost is the address the Cognito emulator listens on: 127.0.0.1 unless asked for one that
	// `sam local start-api`'s containers reach (Docker's bridge gateway on Linux).
	CognitoHost string
	MotoServer  string // moto_server command
	StateDir    string // where outputs.json and moto.log go (.local)
	Region      string
	Functions   map[string]FunctionFactory // by the template's logical id
	Logger      *slog.Logger
	// Ready, when set, is called once the API answers and outputs.json is written.
	Ready func(Outputs)
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

const (
	authStackName = "local-auth"
	apiStackName  = "local-api"
	stageName     = "local"
)

// SAMCognitoURL is the Cognito emulator's URL as `sam local start-api`'s containers reach it.
func SAMCognitoURL(port int) string {
	return "http://" + net.JoinHostPort("host.docker.internal", strconv.Itoa(port))
}

// Run starts the stack and serves until ctx is done, then stops everything it started.
func Run(ctx context.Context, opts Options) error {
	log := opts.Logger
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
	if err := os.MkdirAll(opts.StateDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", opts.StateDir, err)
	}
	outputsPath := filepath.Join(opts.StateDir, "outputs.json")
	_ = os.Remove(outputsPath) // a stale file must not look like readiness
	defer os.Remove(outputsPath)

	motoLog := filepath.Join(opts.StateDir, "moto.log")
	logFile, err := os.Create(motoLog)
	if err != nil {
		return fmt.Errorf("create moto log: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	moto, err := StartMoto(ctx, opts.MotoServer, opts.CognitoHost, opts.CognitoPort, logFile)
	if err != nil {
		if errors.Is(err, ErrMotoMissing) {
			return err
		}
		return fmt.Errorf("%w (its output is in %s)", err, motoLog)
	}
	defer moto.Stop()
	log.Info("Cognito emulator ready", "url", moto.URL)

	// Stops the authorizer's background JWKS refresh with the stack.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	gw, out, envs, err := build(ctx, opts, moto.URL)
	if err != nil {
		return err
	}
	// sam-env.json is read by SAM CLI for its containers, which reach this host as host.docker.internal
	// (samconfig.toml maps it with add_host on Linux; Docker Desktop provides it).
	samEnvs := map[string]map[string]string{}
	for fn, env := range envs {
		samEnvs[fn] = maps.Clone(env)
		samEnvs[fn]["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = SAMCognitoURL(opts.CognitoPort)
	}
	out.ApiUrl = "http://" + apiAddr

	srv := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	samEnvPath := filepath.Join(opts.StateDir, "sam-env.json")
	defer os.Remove(samEnvPath)
	// sam-env.json first: outputs.json is the readiness signal.
	if err := writeJSON(samEnvPath, samEnvs); err != nil {
		_ = srv.Close()
		return err
	}
	if err := writeJSON(outputsPath, out); err != nil {
		_ = srv.Close()
		return err
	}
	log.Info("API ready", "url", out.ApiUrl, "outputs", outputsPath)
	if opts.Ready != nil {
		opts.Ready(out)
	}

	select {
	case err := <-served:
		return fmt.Errorf("API server stopped: %w", err)
	case <-ctx.Done():
	}
	log.Info("stopping")
	shutdownCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
	}
	return nil
}

// build provisions Cognito from the two templates and assembles the gateway from the API template.
// It also returns each function's environment, in the shape of SAM CLI's --env-vars file.
func build(ctx context.Context, opts Options, cognitoURL string) (*gateway.Gateway, Outputs, map[string]map[string]string, error) {
	log := opts.Logger
	client := cip.New(cip.Options{
		Region:       opts.Region,
		BaseEndpoint: aws.String(cognitoURL),
		// moto accepts any credentials; these never leave loopback.
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	prov := &provisioner{client: client, logger: log}
	pseudo := func(stack string) map[string]string {
		return map[string]string{"AWS::Region": opts.Region, "AWS::AccountId": "123456789012", "AWS::StackName": stack}
	}

	authTpl, err := samtemplate.Load(filepath.Join(opts.Root, "auth-stack", "template.yaml"))
	if err != nil {
		return nil, Outputs{}, nil, err
	}
	authRes := authTpl.NewResolver(map[string]string{"DomainPrefix": "local-auth"}, pseudo(authStackName))
	if err := prov.apply(ctx, authTpl, authRes); err != nil {
		return nil, Outputs{}, nil, err
	}
	poolID, err := output(authTpl, authRes, "UserPoolId")
	if err != nil {
		return nil, Outputs{}, nil, err
	}
	poolArn, err := output(authTpl, authRes, "UserPoolArn")
	if err != nil {
		return nil, Outputs{}, nil, err
	}

	apiTpl, err := samtemplate.Load(filepath.Join(opts.Root, "api-stack", "template.yaml"))
	if err != nil {
		return nil, Outputs{}, nil, err
	}
	apiRes := apiTpl.NewResolver(map[string]string{"UserPoolId": poolID, "UserPoolArn": poolArn, "StageName": stageName}, pseudo(apiStackName))
	if err := prov.apply(ctx, apiTpl, apiRes); err != nil {
		return nil, Outputs{}, nil, err
	}
	clientID, err := output(apiTpl, apiRes, "UserPoolClientId")
	if err != nil {
		return nil, Outputs{}, nil, err
	}

	gw, envs, err := assemble(ctx, opts, apiTpl, apiRes, cognitoURL, poolID, poolArn)
	if err != nil {
		return nil, Outputs{}, nil, err
	}
	return gw, Outputs{UserPoolId: poolID, UserPoolArn: poolArn, UserPoolClientId: clientID, CognitoUrl: cognitoURL, Region: opts.Region}, envs, nil
}

// assemble builds the functions from their template environment and the authorizers from the
// template's Cognito authorizers, verifying tokens against the emulator's published keys.
func assemble(ctx context.Context, opts Options, tpl *samtemplate.Template, r *samtemplate.Resolver, cognitoURL, poolID, poolArn string) (*gateway.Gateway, map[string]map[string]string, error) {
	routes, err := tpl.APIRoutes()
	if err != nil {
		return nil, nil, err
	}
	functions := map[string]gateway.Function{}
	envs := map[string]map[string]string{}
	for _, rt := range routes {
		if _, done := functions[rt.FunctionID]; done {
			continue
		}
		factory, ok := opts.Functions[rt.FunctionID]
		if !ok {
			return nil, nil, fmt.Errorf("%s: no local handler registered for function %s (add it to cmd/local)", tpl.Path, rt.FunctionID)
		}
		env, err := tpl.FunctionEnvironment(rt.FunctionID, r)
		if err != nil {
			return nil, nil, err
		}
		// What Lambda and our configuration give every function, pointed at the emulator.
		env["AWS_REGION"] = opts.Region
		env["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = cognitoURL
		envs[rt.FunctionID] = env
		h, err := factory(func(k string) string { return env[k] }, opts.Logger.With("function", rt.FunctionID))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", rt.FunctionID, err)
		}
		functions[rt.FunctionID] = gateway.Function{Handler: h, Timeout: time.Duration(tpl.FunctionTimeout(rt.FunctionID)) * time.Second}
	}

	authorizers := map[string]gateway.Authorizer{}
	for name, a := range tpl.Authorizers() {
		arn, err := r.Resolve(a.UserPoolArn)
		if err != nil {
			return nil, nil, fmt.Errorf("authorizer %s: %w", name, err)
		}
		if arn != poolArn {
			return nil, nil, fmt.Errorf("authorizer %s names pool %v; the local stack has only %s", name, arn, poolArn)
		}
		v, err := authorizer.New(ctx, authorizer.Config{
			Issuer:  "https://cognito-idp." + opts.Region + ".amazonaws.com/" + poolID,
			JWKSURL: cognitoURL + "/" + poolID + "/.well-known/jwks.json",
		})
		if err != nil {
			return nil, nil, fmt.Errorf("authorizer %s: %w", name, err)
		}
		authorizers[name] = gateway.Authorizer{Header: a.Header, Verifier: v, Expired: func(err error) bool {
			return errors.Is(err, authorizer.ErrExpired)
		}}
	}
	gw, err := gateway.New(gateway.Config{Routes: routes, Functions: functions, Authorizers: authorizers, Stage: stageName, Logger: opts.Logger})
	return gw, envs, err
}

func output(t *samtemplate.Template, r *samtemplate.Resolver, key string) (string, error) {
	o, ok := t.Outputs[key].(map[string]any)
	if !ok {
		return "", fmt.Errorf("%s: no output %s", t.Path, key)
	}
	v, err := r.Resolve(o["Value"])
	if err != nil {
		return "", fmt.Errorf("%s output %s: %w", t.Path, key, err)
	}
	s, ok := v.(string)
	if !ok || s == "" {
		return "", fmt.Errorf("%s output %s resolved to %v", t.Path, key, v)
	}
	return s, nil
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
