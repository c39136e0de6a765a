package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/example/cognito-sam-go/bench/coldstart"
	"github.com/example/cognito-sam-go/internal/localstack/launch"
)

// localReady times cmd/local from its start to outputs.json: c.readyRuns times with the machine's
// Go build cache (warmed by the first, unmeasured, start when it was cold), each in a fresh state
// directory so that every start builds the functions again; then once with an empty GOCACHE, the
// first run on a fresh machine.
func localReady(ctx context.Context, c config, res *coldstart.Results) error {
	root, err := filepath.Abs(c.root)
	if err != nil {
		return err
	}
	r := &coldstart.ReadyResult{}
	res.LocalReady = r
	start := func(name string) (time.Duration, error) {
		dir := filepath.Join(c.work, "ready", name)
		if err := os.RemoveAll(dir); err != nil {
			return 0, err
		}
		logPath := filepath.Join(mkdir(dir), "local.log")
		logFile, err := os.Create(logPath)
		if err != nil {
			return 0, err
		}
		defer logFile.Close()
		t0 := time.Now()
		stack, err := launch.Start(ctx, c.local, root, dir, logFile)
		took := time.Since(t0)
		if err != nil {
			return 0, fmt.Errorf("%w (log: %s)", err, logPath)
		}
		return took, stack.Stop()
	}
	logf("local stack start: warming the build cache (not measured)")
	if _, err := start("warm-up"); err != nil {
		return err
	}
	ids, err := functionIDs(root)
	if err != nil {
		return err
	}
	for i := range c.readyRuns {
		s0 := coldstart.TakeCPUSnapshot()
		b, err := buildFunctions(ctx, root, filepath.Join(c.work, "ready", "builds"), ids)
		if err != nil {
			return err
		}
		r.Builds = append(r.Builds, b)
		d, err := start(fmt.Sprintf("warm-%d", i+1))
		if err != nil {
			return err
		}
		r.Others = max(r.Others, coldstart.OthersShare(s0, coldstart.TakeCPUSnapshot(), runtime.NumCPU()))
		r.Warm = append(r.Warm, d)
		logf("  warm build cache: functions built alone in %v, local stack ready in %v; other processes used up to %.0f%% of the machine", b, d, 100*r.Others)
	}
	if c.skipColdBuild {
		return nil
	}
	cache, err := os.MkdirTemp("", "coldstart-gocache-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(cache)
	// cmd/local runs `make build-<Function>` with this process's environment.
	old, had := os.LookupEnv("GOCACHE")
	os.Setenv("GOCACHE", cache)
	logf("local stack start: empty Go build cache (%s), one run: the first build compiles the AWS SDK", cache)
	d, err := start("cold")
	if had {
		os.Setenv("GOCACHE", old)
	} else {
		os.Unsetenv("GOCACHE")
	}
	if err != nil {
		r.ColdErr = err.Error()
		logf("  empty build cache: %v", err)
		return nil
	}
	r.Cold = d
	logf("  empty build cache: ready in %v", d)
	return nil
}

// functionIDs are the API stack's functions, the ones cmd/local builds.
func functionIDs(root string) ([]string, error) {
	sizes, err := coldstart.TemplateMemory(filepath.Join(root, "api-stack", "template.yaml"))
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(sizes)), nil
}

// buildFunctions times the ready budget's baseline: `make build-<Function>` for every function, side
// by side and for this machine, as cmd/local runs them (internal/localstack, lambdaFunctions).
func buildFunctions(ctx context.Context, root, dir string, ids []string) (time.Duration, error) {
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	t0 := time.Now()
	for i, id := range ids {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, "make", "-C", root, "--no-print-directory", "build-"+id,
				"ARTIFACTS_DIR="+filepath.Join(dir, id), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("make build-%s: %w\n%s", id, err, out)
			}
		})
	}
	wg.Wait()
	return time.Since(t0), errors.Join(errs...)
}
