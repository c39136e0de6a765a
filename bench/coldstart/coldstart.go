// Package coldstart measures the functions as Lambda runs them, on this machine: the local stack's
// Lambda emulator (internal/emulator/lambda, the project's one Runtime API implementation) runs the
// real bootstrap binaries, so that init, first and warm invocations and peak memory are measured on
// the same binaries `make build` produces, next to a hello-world Go function built the same way. It
// also holds the bounded load generator for the local stack and writes the performance report.
// bench/cmd/coldstart drives it; `make bench` (bench/bench.sh) runs that.
package coldstart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/lambda"
)

// Function is one bootstrap binary to start cold, again and again.
type Function struct {
	Name   string // as the report names it: hello, echo, login
	Binary string // the bootstrap executable
	Event  []byte // the API Gateway proxy event every invocation receives
	// Env holds the function's own variables (the template's Environment), on top of what Lambda sets.
	Env map[string]string
	// Check validates each invocation's response; nil means the proxy response's statusCode is 200.
	Check func(response []byte) error
}

// Options are shared by every cold start of a run.
type Options struct {
	Warm     int           // warm invocations after the first (at least 1)
	Timeout  time.Duration // bound on one cold start, from exec to the last response
	LogDir   string        // each function's stdout and stderr go to <LogDir>/<name>.log
	Region   string        // AWS_REGION
	MemoryMB int           // AWS_LAMBDA_FUNCTION_MEMORY_SIZE
	// SharedConfigDir, when set, holds files "config" and "credentials" that the functions get as
	// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE and that are watched (inotify) during each cold
	// start: evidence, without strace, that a function does or does not search the SDK's shared config.
	SharedConfigDir string
	// Cgroups, when set, runs each cold start in a fresh cgroup under it with MemoryMB's CPU share and
	// memory limit (Lambda's); the group is removed after the process.
	Cgroups *CgroupRoot
}

// Sample is one cold start of one function.
type Sample struct {
	Init      time.Duration // exec to the first GET /next: the runtime's init phase
	First     time.Duration // first event handed out to its response posted
	ColdTotal time.Duration // exec to the first response posted: what the first caller waits for
	Warm      time.Duration // median over the warm invocations of handed out to posted
	WarmAll   []time.Duration
	Throttled int64 // scheduler periods the cgroup throttled the process in; 0 without one
	PeakRSS   int64 // bytes: /proc/<pid>/status VmHWM, read while the process waits for an event
	// ConfigOpens counts opens of the shared config and credentials files; -1 when not watched.
	ConfigOpens int
}

// StatusOK is the default response check: an API Gateway proxy response with statusCode 200.
func StatusOK(response []byte) error {
	var r struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(response, &r); err != nil {
		return fmt.Errorf("response is not a proxy response: %w", err)
	}
	if r.StatusCode != 200 {
		return fmt.Errorf("statusCode %d, body %.200q", r.StatusCode, r.Body)
	}
	return nil
}

// ChildProcAttr is what every process the harness starts gets: on Linux, death with the harness.
func ChildProcAttr() *syscall.SysProcAttr { return procAttr() }

// functionTimeout is the template's Timeout, which Lambda-Runtime-Deadline-Ms reflects.
const functionTimeout = 10 * time.Second

// ColdStart runs fn as the local stack's Lambda does (internal/emulator/lambda, a fresh Service for
// each cold start), hands it 1+opts.Warm events one after the other, reads its peak memory while it
// waits for the next one, and stops it. The timings come from the Service's events: init is exec to
// the first GET /next, an invocation is its event handed out to its response posted.
func ColdStart(ctx context.Context, fn Function, opts Options) (Sample, error) {
	if opts.Warm < 1 {
		return Sample{}, errors.New("coldstart: Options.Warm must be at least 1")
	}
	logPath := filepath.Join(opts.LogDir, fn.Name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return Sample{}, fmt.Errorf("function log: %w", err)
	}
	defer logFile.Close()
	env := maps.Clone(fn.Env)
	if files := sharedConfigFiles(opts); files != nil {
		if env == nil {
			env = map[string]string{}
		}
		env["AWS_CONFIG_FILE"], env["AWS_SHARED_CREDENTIALS_FILE"] = files[0], files[1]
	}
	name := functionName(fn.Name)
	rec := newTimeline(1 + opts.Warm)
	lopts := lambda.Options{Region: opts.Region, Output: logFile, OnEvent: rec.observe}
	var group *Cgroup
	if opts.Cgroups != nil {
		if group, err = opts.Cgroups.New(fn.Name, opts.MemoryMB); err != nil {
			return Sample{}, err
		}
		// Removed after the Service is closed (deferred calls run last in, first out).
		defer func() { _ = group.Remove() }()
		lopts.StartProcess = func(_ string, cmd *exec.Cmd, start func() error) error { return group.Start(cmd, start) }
	}
	svc, err := lambda.New([]lambda.Function{{Name: name, Binary: fn.Binary, Env: env, MemoryMB: opts.MemoryMB,
		Timeout: functionTimeout, MaxConcurrency: 1}}, lopts)
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w", fn.Name, err)
	}
	defer svc.Close()

	watch, err := watchFiles(sharedConfigFiles(opts))
	if err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return Sample{}, fmt.Errorf("watch shared config: %w", err)
	}
	defer watch.opened() // stops watching on an early return; the second call below is harmless

	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	check := fn.Check
	if check == nil {
		check = StatusOK
	}
	for i := range 1 + opts.Warm {
		resp, err := svc.Invoke(ctx, name, fn.Event)
		if err == nil {
			err = check(resp)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer to every event within %s", opts.Timeout)
		}
		if err != nil {
			return Sample{}, fmt.Errorf("%s: invocation %d: %w (log: %s)", fn.Name, i+1, err, logPath)
		}
	}
	// Lambda freezes the environment inside its next GET /next; its memory is read there.
	var pid int
	select {
	case pid = <-rec.idle:
	case <-ctx.Done():
		return Sample{}, fmt.Errorf("%s: no GET /next after the last invocation within %s", fn.Name, opts.Timeout)
	}
	// VmHWM, not wait4's ru_maxrss: Linux carries the pre-exec address space's high-water mark into
	// ru_maxrss, and Go forks with CLONE_VM, so ru_maxrss would report this harness's size.
	peak, peakErr := peakRSS(pid)
	if err := svc.Close(); err != nil {
		return Sample{}, fmt.Errorf("%s: %w", fn.Name, err)
	}
	t := rec.snapshot()
	if errors.Is(peakErr, errors.ErrUnsupported) && t.state != nil {
		peak, peakErr = maxRSS(t.state), nil
	}
	if peakErr != nil {
		return Sample{}, fmt.Errorf("%s: peak RSS: %w", fn.Name, peakErr)
	}
	configOpens := -1
	if watch != nil {
		opened, err := watch.opened()
		if err != nil {
			return Sample{}, fmt.Errorf("%s: shared config watch: %w", fn.Name, err)
		}
		configOpens = len(opened)
	}
	if len(t.handed) != 1+opts.Warm || len(t.posted) != 1+opts.Warm || t.started.IsZero() || t.ready.IsZero() {
		return Sample{}, fmt.Errorf("%s: incomplete timeline: %d handed, %d posted", fn.Name, len(t.handed), len(t.posted))
	}
	warm := make([]time.Duration, 0, opts.Warm)
	for i := 1; i < len(t.posted); i++ {
		warm = append(warm, t.posted[i].Sub(t.handed[i]))
	}
	var throttled int64
	if group != nil {
		throttled, _ = group.Throttled()
	}
	return Sample{
		WarmAll:     warm,
		Throttled:   throttled,
		Init:        t.ready.Sub(t.started),
		First:       t.posted[0].Sub(t.handed[0]),
		ColdTotal:   t.posted[0].Sub(t.started),
		Warm:        Median(warm),
		PeakRSS:     peak,
		ConfigOpens: configOpens,
	}, nil
}

func sharedConfigFiles(opts Options) []string {
	if opts.SharedConfigDir == "" {
		return nil
	}
	dir, err := filepath.Abs(opts.SharedConfigDir) // the function runs in its own directory
	if err != nil {
		dir = opts.SharedConfigDir
	}
	return []string{filepath.Join(dir, "config"), filepath.Join(dir, "credentials")}
}

// WriteSharedConfig creates dir with a shared config and credentials file for Options.SharedConfigDir:
// a default profile, as a developer's machine would have.
func WriteSharedConfig(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[default]\nregion = us-west-2\n"), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "credentials"),
		[]byte("[default]\naws_access_key_id = AKIAEXAMPLESHARED000\naws_secret_access_key = not-a-secret\n"), 0o600)
}

// functionName is the name CloudFormation would give the function in a stack called "api".
func functionName(name string) string {
	return "api-" + name + "-0123456789AB"
}

// Median of ds (the mean of the middle two for an even count); zero for none.
func Median[T time.Duration | float64](ds []T) T {
	return Quantile(ds, 0.5)
}

// Quantile is the q-quantile of ds by linear interpolation between closest ranks.
func Quantile[T time.Duration | float64](ds []T, q float64) T {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(pos)
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	frac := pos - float64(lo)
	return s[lo] + T(frac*float64(s[lo+1]-s[lo]))
}

// Dist summarises one measure over the cold starts of a function.
type Dist struct {
	Median, P25, P75, Min, Max time.Duration
}

func newDist(ds []time.Duration) Dist {
	return Dist{
		Median: Median(ds), P25: Quantile(ds, 0.25), P75: Quantile(ds, 0.75),
		Min: slices.Min(ds), Max: slices.Max(ds),
	}
}

// Summary is a function's cold starts, summarised.
type Summary struct {
	Name      string
	N         int
	Init      Dist
	First     Dist
	ColdTotal Dist
	Warm      Dist // of the per-process warm medians
	// WarmP50 and WarmP99 are over every warm invocation of every cold start, pooled.
	WarmP50, WarmP99 time.Duration
	WarmN            int // warm invocations pooled
	// WarmBilledMS is the mean billed duration of a warm invocation (BilledMS); ColdBilledMS the mean
	// of init plus the first invocation, billed together since August 2025.
	WarmBilledMS, ColdBilledMS float64
	Throttled                  int64 // median periods throttled per cold start
	PeakRSSMedian              int64
	PeakRSSMax                 int64 // over every cold start
	ConfigOpens                int   // over every cold start; -1 when not watched
}

// Summarize needs at least one sample.
func Summarize(name string, samples []Sample) Summary {
	pick := func(f func(Sample) time.Duration) Dist {
		ds := make([]time.Duration, len(samples))
		for i, s := range samples {
			ds[i] = f(s)
		}
		return newDist(ds)
	}
	rss := make([]time.Duration, len(samples)) // bytes, sorted with the duration helpers
	throttled := make([]time.Duration, len(samples))
	var peakMax int64
	opens := 0
	var pooled []time.Duration
	var warmBilled, coldBilled float64
	for i, s := range samples {
		pooled = append(pooled, s.WarmAll...)
		for _, w := range s.WarmAll {
			warmBilled += float64(BilledMS(w))
		}
		coldBilled += float64(BilledMS(s.Init + s.First))
		throttled[i] = time.Duration(s.Throttled)
		rss[i] = time.Duration(s.PeakRSS)
		peakMax = max(peakMax, s.PeakRSS)
		if s.ConfigOpens < 0 || opens < 0 {
			opens = -1
		} else {
			opens += s.ConfigOpens
		}
	}
	return Summary{
		Name: name, N: len(samples),
		Init:          pick(func(s Sample) time.Duration { return s.Init }),
		First:         pick(func(s Sample) time.Duration { return s.First }),
		ColdTotal:     pick(func(s Sample) time.Duration { return s.ColdTotal }),
		Warm:          pick(func(s Sample) time.Duration { return s.Warm }),
		WarmP50:       Quantile(pooled, 0.5),
		WarmN:         len(pooled),
		WarmP99:       Quantile(pooled, 0.99),
		WarmBilledMS:  warmBilled / float64(max(len(pooled), 1)),
		ColdBilledMS:  coldBilled / float64(max(len(samples), 1)),
		Throttled:     int64(Median(throttled)),
		PeakRSSMedian: int64(Median(rss)),
		PeakRSSMax:    peakMax,
		ConfigOpens:   opens,
	}
}
