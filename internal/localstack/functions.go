package localstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
	"github.com/example/cognito-sam-go/internal/emulator/lambda"
)

// maxEnvironments bounds each function's concurrent execution environments (processes). Lambda's
// default account limit is 1,000; on a laptop a few dozen idle Go processes are plenty.
const maxEnvironments = 32

// lambdaFunctions builds every function of the API stack as `sam build` does (the template's
// Metadata BuildMethod: makefile runs `make build-<LogicalId>` with ARTIFACTS_DIR) for this machine's
// OS and architecture, and describes it to the Lambda emulator with its resolved configuration.
// envOverrides apply, like SAM CLI's --env-vars, only to variables the function declares. Each
// function is built into functions/<id>/<sub> under the state directory.
func lambdaFunctions(ctx context.Context, opts Options, st *cloudformation.Stack, envOverrides map[string]string, sub string) ([]lambda.Function, error) {
	var fns []lambda.Function
	var dirs []string
	for _, id := range slices.Sorted(maps.Keys(st.Resources)) {
		res := st.Resources[id]
		if res.Type != "AWS::Lambda::Function" {
			continue
		}
		fn, err := describeFunction(id, res, envOverrides)
		if err != nil {
			return nil, err
		}
		dir, err := functionDir(opts, id, sub)
		if err != nil {
			return nil, err
		}
		fn.Binary = filepath.Join(dir, "bootstrap")
		fns, dirs = append(fns, fn), append(dirs, dir)
	}
	if len(fns) == 0 {
		return nil, fmt.Errorf("%s: no AWS::Lambda::Function to run", apiStackName)
	}
	// Built side by side, as `sam build --parallel` does: the go command shares its build cache safely.
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = buildFunction(ctx, opts, fn.Name, st.Resources[fn.Name], dirs[i]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return fns, nil
}

// describeFunction reads what Lambda would from the resolved AWS::Lambda::Function properties.
func describeFunction(id string, res cloudformation.Deployed, envOverrides map[string]string) (lambda.Function, error) {
	p := res.Properties
	runtime, _ := p["Runtime"].(string)
	if runtime != "provided.al2023" && runtime != "provided.al2" {
		return lambda.Function{}, fmt.Errorf("function %s: runtime %q is not supported locally (OS-only runtimes provided.al2023 and provided.al2 are)", id, runtime)
	}
	fn := lambda.Function{Name: id, Handler: str(p["Handler"]), Env: map[string]string{},
		MemoryMB: 128, Timeout: 3 * time.Second} // Lambda's defaults
	if v, err := number(p["MemorySize"]); err == nil {
		fn.MemoryMB = int(v)
	}
	if v, err := number(p["Timeout"]); err == nil {
		fn.Timeout = time.Duration(v * float64(time.Second))
	}
	fn.MaxConcurrency = maxEnvironments
	env, _ := p["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	for k, v := range vars {
		fn.Env[k] = str(v)
		if o, ok := envOverrides[k]; ok {
			fn.Env[k] = o
		}
	}
	return fn, nil
}

// buildFunction runs the function's build method into dir.
func buildFunction(ctx context.Context, opts Options, id string, res cloudformation.Deployed, dir string) error {
	if m := str(res.Metadata["BuildMethod"]); m != "makefile" {
		return fmt.Errorf("function %s: BuildMethod %q is not supported locally (makefile is)", id, m)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("function %s: %w", id, err)
	}
	start := time.Now()
	opts.Logger.Info("building function", "function", id, "command", "make build-"+id,
		"note", "the first build compiles the AWS SDK: a minute or two on 2 cores; later builds take seconds")
	args := []string{"-C", opts.Root, "--no-print-directory", "build-" + id, "ARTIFACTS_DIR=" + dir, "GOOS=" + opts.GOOS, "GOARCH=" + opts.GOARCH}
	if id == opts.Debug {
		args = append(args, "GO_BUILD_FLAGS="+debugBuildFlags)
	}
	cmd := exec.CommandContext(ctx, "make", args...)
	out := &prefixWriter{w: opts.Output, prefix: "[build " + id + "] "}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("function %s: make build-%s failed: %w", id, id, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err != nil {
		return fmt.Errorf("function %s: make build-%s wrote no bootstrap in ARTIFACTS_DIR", id, id)
	}
	opts.Logger.Info("built function", "function", id, slog.Float64("seconds", time.Since(start).Seconds()))
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// number reads a numeric property, which a parameter reference yields as a string.
func number(v any) (float64, error) {
	switch n := v.(type) {
	case float64:
		return n, nil
	case string:
		return strconv.ParseFloat(n, 64)
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

// prefixWriter writes each line with a prefix, so that build output is told apart in the log.
type prefixWriter struct {
	w      io.Writer
	prefix string
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := slices.Index(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		if _, err := io.WriteString(p.w, p.prefix+string(p.buf[:i+1])); err != nil {
			return 0, err
		}
		p.buf = p.buf[i+1:]
	}
}
