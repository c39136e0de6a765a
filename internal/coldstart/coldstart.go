package coldstart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"syscall"
	"time"
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
}

// Sample is one cold start of one function.
type Sample struct {
	Init      time.Duration // exec to the first GET /next: the runtime's init phase
	First     time.Duration // first event handed out to its response posted
	ColdTotal time.Duration // exec to the first response posted: what the first caller waits for
	Warm      time.Duration // median over the warm invocations of handed out to posted
	PeakRSS   int64         // bytes: /proc/<pid>/status VmHWM, read while the process waits for an event
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

// ColdStart execs fn's binary against a fresh Runtime API, hands it 1+opts.Warm events, reads its peak
// memory while it waits for the next one, and kills it.
func ColdStart(ctx context.Context, fn Function, opts Options) (Sample, error) {
	if opts.Warm < 1 {
		return Sample{}, errors.New("coldstart: Options.Warm must be at least 1")
	}
	bin, err := filepath.Abs(fn.Binary)
	if err != nil {
		return Sample{}, err
	}
	arn := "arn:aws:lambda:" + opts.Region + ":123456789012:function:" + functionName(fn.Name)
	api, err := newRuntimeAPI(fn.Event, 1+opts.Warm, arn, functionTimeout)
	if err != nil {
		return Sample{}, err
	}
	defer api.close()

	logPath := filepath.Join(opts.LogDir, fn.Name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return Sample{}, fmt.Errorf("function log: %w", err)
	}
	defer logFile.Close()

	cmd := exec.Command(bin)
	cmd.Env = lambdaEnv(fn, api.Addr, opts)
	cmd.Dir = filepath.Dir(bin) // LAMBDA_TASK_ROOT holds the bootstrap
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = procAttr()

	watch, err := watchFiles(sharedConfigFiles(opts))
	if err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return Sample{}, fmt.Errorf("watch shared config: %w", err)
	}
	configOpens := -1

	start := time.Now()
	if err := cmd.Start(); err != nil {
		_, _ = watch.opened()
		return Sample{}, fmt.Errorf("%s: exec %s: %w", fn.Name, bin, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	kill := func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	timer := time.NewTimer(opts.Timeout)
	defer timer.Stop()
	select {
	case <-api.idle:
	case <-api.failed:
		kill()
		return Sample{}, fmt.Errorf("%s: %s (log: %s)", fn.Name, api.failureMessage(), logPath)
	case <-exited:
		return Sample{}, fmt.Errorf("%s exited before answering every event: %v (log: %s)", fn.Name, waitErr, logPath)
	case <-timer.C:
		kill()
		return Sample{}, fmt.Errorf("%s: no answer to every event within %s (log: %s)", fn.Name, opts.Timeout, logPath)
	case <-ctx.Done():
		kill()
		return Sample{}, ctx.Err()
	}
	// VmHWM, not wait4's ru_maxrss: Linux carries the pre-exec address space's high-water mark into
	// ru_maxrss, and Go forks with CLONE_VM, so ru_maxrss would report this harness's size.
	peak, peakErr := peakRSS(cmd.Process.Pid)
	kill()
	if errors.Is(peakErr, errors.ErrUnsupported) {
		peak, peakErr = maxRSS(cmd.ProcessState), nil
	}
	if peakErr != nil {
		return Sample{}, fmt.Errorf("%s: peak RSS: %w", fn.Name, peakErr)
	}
	if watch != nil {
		opened, err := watch.opened()
		if err != nil {
			return Sample{}, fmt.Errorf("%s: shared config watch: %w", fn.Name, err)
		}
		configOpens = len(opened)
	}

	initEnd, invokes := api.snapshot()
	check := fn.Check
	if check == nil {
		check = StatusOK
	}
	warm := make([]time.Duration, 0, opts.Warm)
	for i, inv := range invokes {
		if err := check(inv.response); err != nil {
			return Sample{}, fmt.Errorf("%s: invocation %d: %w", fn.Name, i+1, err)
		}
		if i > 0 {
			warm = append(warm, inv.postedAt.Sub(inv.handedAt))
		}
	}
	return Sample{
		Init:        initEnd.Sub(start),
		First:       invokes[0].postedAt.Sub(invokes[0].handedAt),
		ColdTotal:   invokes[0].postedAt.Sub(start),
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

// lambdaEnv is the environment provided.al2023 gives a function (documented reserved variables, with
// an execution role's credentials), then the function's own. Nothing is inherited from this process.
func lambdaEnv(fn Function, runtimeAPI string, opts Options) []string {
	name := functionName(fn.Name)
	env := map[string]string{
		"PATH":                            "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
		"LD_LIBRARY_PATH":                 "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
		"LANG":                            "en_US.UTF-8",
		"TZ":                              ":UTC",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                "/var/task",
		"LAMBDA_RUNTIME_DIR":              "/var/runtime",
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"AWS_REGION":                      opts.Region,
		"AWS_DEFAULT_REGION":              opts.Region,
		"AWS_LAMBDA_FUNCTION_NAME":        name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(opts.MemoryMB),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      time.Now().UTC().Format("2006/01/02") + "/[$LATEST]0123456789abcdef0123456789abcdef",
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"AWS_LAMBDA_LOG_LEVEL":            "INFO",
		// The execution role's temporary credentials; the functions must not need them.
		"AWS_ACCESS_KEY_ID":        "ASIAEXAMPLEEXAMPLE00",
		"AWS_SECRET_ACCESS_KEY":    "example/secret/not/used/by/anonymous/calls00",
		"AWS_SESSION_TOKEN":        "IQoJb3JpZ2luX2VjEXAMPLE",
		"AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
		"AWS_XRAY_DAEMON_ADDRESS":  "169.254.79.129:2000",
		"_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129",
		"_AWS_XRAY_DAEMON_PORT":    "2000",
	}
	if files := sharedConfigFiles(opts); files != nil {
		env["AWS_CONFIG_FILE"], env["AWS_SHARED_CREDENTIALS_FILE"] = files[0], files[1]
	}
	for k, v := range fn.Env {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Median of ds (the mean of the middle two for an even count); zero for none.
func Median(ds []time.Duration) time.Duration {
	return Quantile(ds, 0.5)
}

// Quantile is the q-quantile of ds by linear interpolation between closest ranks.
func Quantile(ds []time.Duration, q float64) time.Duration {
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
	return s[lo] + time.Duration(frac*float64(s[lo+1]-s[lo]))
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
	Name          string
	N             int
	Init          Dist
	First         Dist
	ColdTotal     Dist
	Warm          Dist // of the per-process warm medians
	PeakRSSMedian int64
	PeakRSSMax    int64 // over every cold start
	ConfigOpens   int   // over every cold start; -1 when not watched
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
	var peakMax int64
	opens := 0
	for i, s := range samples {
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
		PeakRSSMedian: int64(Median(rss)),
		PeakRSSMax:    peakMax,
		ConfigOpens:   opens,
	}
}
