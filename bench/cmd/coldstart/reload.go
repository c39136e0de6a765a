package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/example/cognito-sam-go/bench/coldstart"
	"github.com/example/cognito-sam-go/internal/localstack/launch"
	"github.com/example/cognito-sam-go/internal/testlog"
)

// The reload is timed on LoginFunction through a message only internal/login writes, so that one
// function rebuilds: a username that is not an email address answers 400 with this text.
const (
	reloadFunction = "LoginFunction"
	reloadSource   = "internal/login/requests.go"
	reloadMessage  = "must be an email address"
	reloadBody     = `{"username":"not-an-email","password":"x"}`
)

// watchStart alternates warm starts of cmd/local without and with -watch, c.readyRuns rounds, each
// in a fresh state directory; localReady has warmed the build cache before.
func watchStart(ctx context.Context, c config, res *coldstart.Results) error {
	root, err := filepath.Abs(c.root)
	if err != nil {
		return err
	}
	r := &coldstart.WatchStartResult{}
	res.WatchStart = r
	start := func(name string, extra ...string) (time.Duration, error) {
		dir := filepath.Join(c.work, "watchstart", name)
		if err := os.RemoveAll(dir); err != nil {
			return 0, err
		}
		logs := &testlog.Buffer{}
		t0 := time.Now()
		stack, err := launch.Start(ctx, c.local, root, mkdir(dir), logs, extra...)
		took := time.Since(t0)
		if err != nil {
			return 0, fmt.Errorf("%w\n%s", err, logs)
		}
		return took, stack.Stop()
	}
	for i := range c.readyRuns {
		s0 := coldstart.TakeCPUSnapshot()
		off, err := start(fmt.Sprintf("off-%d", i+1))
		if err != nil {
			return err
		}
		on, err := start(fmt.Sprintf("on-%d", i+1), "-watch")
		if err != nil {
			return err
		}
		r.Others = max(r.Others, coldstart.OthersShare(s0, coldstart.TakeCPUSnapshot(), runtime.NumCPU()))
		r.NoWatch, r.Watch = append(r.NoWatch, off), append(r.Watch, on)
		logf("  start without watching %v, with %v; other processes used up to %.0f%% of the machine", off, on, 100*r.Others)
	}
	return nil
}

// reload times, c.readyRuns times on a copy of the repository, a changed message in LoginFunction's
// code from the save to cmd/local -watch answering with it, each after the baseline: that
// function's `make build-LoginFunction` alone.
func reload(ctx context.Context, c config, res *coldstart.Results) error {
	src, err := filepath.Abs(c.root)
	if err != nil {
		return err
	}
	root := filepath.Join(c.work, "reload", "repo")
	if err := os.RemoveAll(filepath.Dir(root)); err != nil {
		return err
	}
	if err := copyRepository(src, root); err != nil {
		return err
	}
	r := &coldstart.ReloadResult{}
	res.Reload = r
	logs := &testlog.Buffer{}
	stack, err := launch.Start(ctx, c.local, root, mkdir(c.work, "reload", "state"), logs, "-watch")
	if err != nil {
		return fmt.Errorf("%w\n%s", err, logs)
	}
	defer stack.Stop()
	if err := waitFor(ctx, func() bool { return strings.Contains(logs.String(), "watching the functions' Go code") }); err != nil {
		return fmt.Errorf("the watcher did not start: %w\n%s", err, logs)
	}
	// The stack's rebuild is the measured work, not other processes'.
	snapshot := func() coldstart.CPUSnapshot {
		s := coldstart.TakeCPUSnapshot()
		s.Own += coldstart.ProcessCPU(stack.PID())
		return s
	}
	file := filepath.Join(root, reloadSource)
	prev := reloadMessage
	for i := range c.readyRuns {
		s0 := snapshot()
		b, err := buildFunctions(ctx, root, filepath.Join(c.work, "reload", "builds"), []string{reloadFunction})
		if err != nil {
			return err
		}
		code, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		next := fmt.Sprintf("%s (round %d)", reloadMessage, i+1)
		t0 := time.Now()
		if err := os.WriteFile(file, []byte(strings.Replace(string(code), prev+`"`, next+`"`, 1)), 0o644); err != nil {
			return err
		}
		reloads := strings.Count(logs.String(), `"msg":"reloaded function"`)
		err = waitFor(ctx, func() bool {
			return strings.Count(logs.String(), `"msg":"reloaded function"`) > reloads && answers(ctx, stack.Out.ApiUrl, next)
		})
		d := time.Since(t0)
		if err != nil {
			return fmt.Errorf("round %d: the new message was not served: %w\n%s", i+1, err, logs)
		}
		prev = next
		r.Others = max(r.Others, coldstart.OthersShare(s0, snapshot(), runtime.NumCPU()))
		r.Builds, r.Reloads = append(r.Builds, b), append(r.Reloads, d)
		logf("  %s built alone in %v, reloaded and answering in %v; other processes used up to %.0f%% of the machine", reloadFunction, b, d, 100*r.Others)
	}
	return nil
}

// answers reports whether POST /login with reloadBody answers with want in its body.
func answers(ctx context.Context, apiURL, want string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(apiURL, "/")+"/login", strings.NewReader(reloadBody))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return strings.Contains(string(body), want)
}

// waitFor polls cond every 20 ms for at most 2 minutes.
func waitFor(ctx context.Context, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// copyRepository copies src's tracked and unignored files to dst, as the end-to-end tests do.
func copyRepository(src, dst string) error {
	out, err := exec.Command("git", "-C", src, "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %w", err)
	}
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		info, err := os.Stat(filepath.Join(src, f))
		if os.IsNotExist(err) || strings.HasPrefix(f, "node_modules/") {
			continue
		} else if err != nil {
			return err
		}
		raw, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(f)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, f), raw, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}
