package localstack

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/lambda"
)

// debugTimeout replaces the debugged function's Timeout: a person stepping through code outlasts any
// Lambda timeout (SAM CLI's `--debug-port` lifts it too). API Gateway's 29 s still bounds the HTTP
// answer (504); the invocation goes on in its environment.
const debugTimeout = 12 * time.Hour

// debugBuildFlags build the debugged function for Delve: no optimisation or inlining, symbols kept.
const debugBuildFlags = `-tags lambda.norpc -gcflags "all=-N -l"`

// debugFunction makes fns[opts.Debug] debuggable: one execution environment and the timeout lifted.
func debugFunction(opts Options, fns []lambda.Function) error {
	i := slices.IndexFunc(fns, func(f lambda.Function) bool { return f.Name == opts.Debug })
	if i < 0 {
		var names []string
		for _, f := range fns {
			names = append(names, f.Name)
		}
		return fmt.Errorf("DEBUG=%s: no such function; the API's functions are %v", opts.Debug, names)
	}
	fns[i].MaxConcurrency, fns[i].Timeout = 1, debugTimeout
	return nil
}

// delveHook is a StartProcess hook that runs opts.Debug's bootstrap under Delve headless on
// 127.0.0.1:opts.DebugPort, continuing at once so that requests are served before and after a debugger
// attaches. Delve is the module's pinned tool (go.mod: tool github.com/go-delve/delve/cmd/dlv), built
// into the state directory.
func delveHook(ctx context.Context, opts Options) (func(string, *exec.Cmd, func() error) error, error) {
	dlv, err := filepath.Abs(filepath.Join(opts.StateDir, "dlv"))
	if err != nil {
		return nil, err
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", dlv, "github.com/go-delve/delve/cmd/dlv")
	build.Dir = opts.Root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("DEBUG=%s: build Delve (go.mod's tool github.com/go-delve/delve/cmd/dlv): %w\n%s", opts.Debug, err, out)
	}
	addr := "127.0.0.1:" + strconv.Itoa(opts.DebugPort)
	opts.Logger.Info("debugging a function under Delve", "function", opts.Debug, "delve", addr,
		"note", "Delve starts with the function's execution environment, at its first request; attach with VS Code or GoLand (README, \"Debugging a function\")")
	return func(name string, cmd *exec.Cmd, start func() error) error {
		if name == opts.Debug {
			bin := cmd.Path
			cmd.Path = dlv
			cmd.Args = []string{dlv, "exec", "--headless", "--listen=" + addr, "--api-version=2",
				"--accept-multiclient", "--continue", bin}
		}
		return start()
	}, nil
}
