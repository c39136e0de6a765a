package localstack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway"
	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
	"github.com/example/cognito-sam-go/internal/emulator/lambda"
)

// deployer deploys the templates as the stack serves them: at start and again, through the same path,
// when a template changes while the stack runs (watch.go). Cognito's providers find the pool and
// client by name and update them, so a redeploy keeps every user and token.
type deployer struct {
	opts         Options
	providers    map[string]cloudformation.Provider
	overrides    map[string]string
	envOverrides map[string]string
	cognitoURL   string
	// startProcess is the Debug hook, prepared (Delve built) once at the first deploy.
	startProcess func(string, *exec.Cmd, func() error) error
}

// deployment is what one deploy of the templates serves: its stacks, its functions' execution
// environments and the gateway in front of them.
type deployment struct {
	stacks   stackSet
	fns      []lambda.Function
	lambdas  *lambda.Service
	gw       *apigateway.Gateway
	stage    string
	stop     context.CancelFunc // the authorizer's background key refresh
	inflight sync.WaitGroup
}

// deploy translates and deploys the templates, builds every function (into generation's own
// directory after the first deploy, so that the serving binaries are never overwritten) and starts
// their environments and the gateway.
func (d *deployer) deploy(ctx context.Context, generation int) (*deployment, error) {
	stacks, err := deployStacks(ctx, d.opts, d.providers, d.overrides)
	if err != nil {
		return nil, err
	}
	sub := ""
	if generation > 0 {
		sub = "reload-" + strconv.Itoa(generation)
	}
	fns, err := lambdaFunctions(ctx, d.opts, stacks.api, d.envOverrides, sub)
	if err != nil {
		return nil, err
	}
	lambdaOpts := lambda.Options{Region: d.opts.Region, Output: d.opts.Output, Logger: d.opts.Logger}
	if d.opts.Debug != "" {
		if err := debugFunction(d.opts, fns); err != nil {
			return nil, err
		}
		if d.startProcess == nil {
			if d.startProcess, err = delveHook(ctx, d.opts); err != nil {
				return nil, err
			}
		}
		lambdaOpts.StartProcess = d.startProcess
	}
	lambdas, err := lambda.New(fns, lambdaOpts)
	if err != nil {
		return nil, fmt.Errorf("start the Lambda emulator: %w", err)
	}
	gwCtx, stop := context.WithCancel(ctx)
	gw, stage, err := newGateway(gwCtx, d.opts, stacks.api, lambdas, d.cognitoURL)
	if err != nil {
		stop()
		return nil, errors.Join(err, lambdas.Close())
	}
	return &deployment{stacks: stacks, fns: fns, lambdas: lambdas, gw: gw, stage: stage, stop: stop}, nil
}

// close stops the deployment's environments and key refresh.
func (dep *deployment) close() error {
	dep.stop()
	return dep.lambdas.Close()
}

// serving is the API's handler: the current deployment's gateway, swapped whole on a redeploy. A
// request runs to its end on the deployment it started on, which closes once its last request ends.
type serving struct {
	mu       sync.RWMutex
	cur      *deployment
	retiring sync.WaitGroup
}

func (s *serving) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	dep := s.cur
	dep.inflight.Add(1) // under the lock: a swapped-out deployment gets no new request
	s.mu.RUnlock()
	defer dep.inflight.Done()
	dep.gw.ServeHTTP(w, r)
}

func (s *serving) current() *deployment {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur
}

// swap serves next from now on and closes the previous deployment once its requests have ended.
func (s *serving) swap(next *deployment) {
	s.mu.Lock()
	prev := s.cur
	s.cur = next
	s.mu.Unlock()
	s.retiring.Go(func() {
		prev.inflight.Wait()
		_ = prev.close()
	})
}

// close closes the current deployment and waits for the retiring ones.
func (s *serving) close() {
	s.retiring.Wait()
	_ = s.current().close()
}

// functionDir is where each function's build of one deploy lives.
func functionDir(opts Options, id, sub string) (string, error) {
	return filepath.Abs(filepath.Join(opts.StateDir, "functions", id, sub))
}
