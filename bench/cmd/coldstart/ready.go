package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
	for i := range c.readyRuns {
		d, err := start(fmt.Sprintf("warm-%d", i+1))
		if err != nil {
			return err
		}
		r.Warm = append(r.Warm, d)
		logf("  warm build cache: ready in %v", d)
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
