// Command coldstart is the measuring half of `make bench` (bench/bench.sh builds, then runs it):
//
//   - cold starts: the real bootstrap binaries (built for this machine with `make build`'s flags) and
//     a hello-world baseline, each run by the local stack's Lambda emulator (internal/emulator/lambda),
//     round after round;
//   - an experiment: the login function with and without opening its Cognito connection during init;
//   - throughput: cmd/local under 32 concurrent clients on /echo, next to a bare net/http baseline;
//   - the linux/arm64 binary sizes, and the Go benchmark results the script collected;
//
// then it checks the budgets, rewrites the generated part of docs/PERFORMANCE.md and docs/coldstart.svg,
// and exits 1 when a budget is missed, 2 when it could not measure, 3 when no budget was missed but some
// figures are void (they measured the machine's other work: a contended CPU-share calibration).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/example/cognito-sam-go/bench/coldstart"
	"github.com/example/cognito-sam-go/internal/localstack/launch"
)

type config struct {
	root, binDir, arm64Dir, local, work   string
	rounds, warm, expRounds, clients      int
	memRounds, readyRuns                  int
	rtts                                  []time.Duration
	calibrate                             time.Duration
	loadDuration, loadWarmup              time.Duration
	timeout                               time.Duration
	overrides                             string
	goBench, benchstat, benchNote         string
	report, svg, memSVG, jsonOut          string
	skipLoad, skipExperiment, skipColdRun bool
	skipMemory, skipReady, skipColdBuild  bool
	skipReload                            bool
}

func main() {
	var c config
	flag.StringVar(&c.root, "root", ".", "repository root")
	flag.StringVar(&c.binDir, "bin-dir", "build/bench/native", "holds <function>/bootstrap built for this machine: hello, echo, login, loginwarm")
	flag.StringVar(&c.arm64Dir, "arm64-dir", "build/bench/arm64", "holds <function>/bootstrap built for linux/arm64: hello, echo, login")
	flag.StringVar(&c.local, "local", "build/bench/local", "the cmd/local binary")
	flag.StringVar(&c.work, "work", "build/bench/work", "logs and scratch files")
	flag.IntVar(&c.rounds, "rounds", 20, "cold starts per function (interleaved)")
	flag.IntVar(&c.warm, "warm", 20, "warm invocations after each cold start")
	flag.IntVar(&c.expRounds, "exp-rounds", 20, "cold starts per arm of the connect-during-init experiment")
	flag.IntVar(&c.memRounds, "mem-rounds", 10, "cold starts per function and memory size under the emulated CPU share")
	rtts := flag.String("rtts", "1ms,20ms", "round trips to Cognito emulated for login in the memory table and the experiment")
	flag.DurationVar(&c.calibrate, "calibrate", 100*time.Millisecond, "unthrottled length of the calibration loop")
	flag.IntVar(&c.readyRuns, "ready-runs", 3, "starts of cmd/local timed with a warm build cache")
	flag.StringVar(&c.overrides, "parameter-overrides", "ThrottlingRateLimit=100000 ThrottlingBurstLimit=100000",
		"template parameters of the local stack under load (the default throttling would answer 429)")
	flag.BoolVar(&c.skipMemory, "skip-memory", false, "skip the memory table under the emulated CPU share (its budgets then fail)")
	flag.BoolVar(&c.skipReload, "skip-reload", false, "skip timing hot reload and watching's cost on the start (their budgets then fail)")
	flag.BoolVar(&c.skipReady, "skip-ready", false, "skip timing the local stack's start (its budget then fails)")
	flag.BoolVar(&c.skipColdBuild, "skip-cold-build", false, "skip the one start of cmd/local with an empty Go build cache")
	flag.StringVar(&c.memSVG, "memory-svg", "docs/memory.svg", "latency and cost per memory size chart")
	flag.IntVar(&c.clients, "clients", 32, "concurrent clients of the load test")
	flag.DurationVar(&c.loadDuration, "load-duration", 10*time.Second, "measured duration of each load run")
	flag.DurationVar(&c.loadWarmup, "load-warmup", 2*time.Second, "unmeasured warm-up before each load run")
	flag.DurationVar(&c.timeout, "timeout", 8*time.Minute, "bound on the whole run")
	flag.StringVar(&c.goBench, "gobench", "", "go test -bench output to report (optional)")
	flag.StringVar(&c.benchstat, "benchstat", "", "benchstat output to include (optional)")
	flag.StringVar(&c.benchNote, "benchstat-note", "", "what the benchstat output compares")
	flag.StringVar(&c.report, "report", "docs/PERFORMANCE.md", "Markdown report; only its generated section is rewritten")
	flag.StringVar(&c.svg, "svg", "docs/coldstart.svg", "cold-start chart")
	flag.StringVar(&c.jsonOut, "json", "build/bench/results.json", "raw results")
	flag.BoolVar(&c.skipLoad, "skip-load", false, "skip the local-stack load test (its budgets then fail)")
	flag.BoolVar(&c.skipExperiment, "skip-experiment", false, "skip the connect-during-init experiment")
	flag.BoolVar(&c.skipColdRun, "skip-coldstart", false, "skip the cold starts (their budgets then fail)")
	render := flag.String("render", "", "render the report and chart from a results.json of an earlier run, measuring nothing")
	serveBaseline := flag.Bool("serve-baseline", false, "internal: serve the throughput baseline and print its address")
	spin := flag.Int("spin", 0, "internal: run the calibration loop this many rounds and print its wall and CPU time in ns (and its group's cpu.stat growth)")
	flag.Parse()
	for _, v := range strings.Split(*rtts, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 {
			fmt.Fprintf(os.Stderr, "coldstart: -rtts: %q is not a positive duration\n", v)
			os.Exit(2)
		}
		c.rtts = append(c.rtts, d)
	}

	if *spin > 0 {
		line, err := coldstart.TimeSpin(*spin)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(line)
		return
	}

	if *serveBaseline {
		os.Exit(runBaseline())
	}
	if *render != "" {
		os.Exit(renderOnly(c, *render))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	code := run(ctx, c)
	cancel()
	stop()
	os.Exit(code)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "coldstart: "+format+"\n", args...)
}

func run(ctx context.Context, c config) int {
	if err := os.MkdirAll(c.work, 0o755); err != nil {
		logf("%v", err)
		return 2
	}
	res := &coldstart.Results{Date: time.Now(), Machine: coldstart.ThisMachine(""), Rounds: c.rounds, Warm: c.warm}
	logf("%s, %d cores, %s, Linux %s, load average %s", res.Machine.CPU, res.Machine.Cores, res.Machine.Go, res.Machine.Kernel, res.Machine.Load)

	code := 0
	if !c.skipColdRun || !c.skipMemory {
		b, err := newBench(c)
		if err != nil {
			logf("%v", err)
			return 2
		}
		defer b.close()
		if !c.skipColdRun {
			if err := coldStarts(ctx, b, res); err != nil {
				logf("cold starts: %v", err)
				return 2
			}
		}
		if !c.skipMemory {
			if err := memoryTable(ctx, b, res); isNoCgroups(err) {
				logf("memory table NOT measured, no figures: %v", err)
				code = 2
			} else if err != nil {
				logf("memory table: %v", err)
				return 2
			}
		}
	}
	if !c.skipReady {
		if err := localReady(ctx, c, res); err != nil {
			logf("local stack start: %v", err)
			return 2
		}
	}
	if !c.skipReload {
		logf("hot reload: warm starts without and with watching, alternating")
		if err := watchStart(ctx, c, res); err != nil {
			logf("watching's cost on the start: %v", err)
			return 2
		}
		logf("hot reload: a changed message in %s, save to the new answer", reloadFunction)
		if err := reload(ctx, c, res); err != nil {
			logf("hot reload: %v", err)
			return 2
		}
	}
	if !c.skipLoad {
		if err := load(ctx, c, res); err != nil {
			logf("load test: %v", err)
			return 2
		}
	}
	for _, name := range []string{"hello", "echo", "login"} {
		path := filepath.Join(c.arm64Dir, name, "bootstrap")
		fi, err := os.Stat(path)
		if err != nil {
			logf("binary size: %v", err)
			continue
		}
		s := coldstart.BinarySize{Name: name, Bytes: fi.Size()}
		if s.Slack, err = coldstart.SegmentSlack(path); err != nil {
			logf("binary size: %v", err)
		}
		switch name {
		case "echo":
			s.Budget = coldstart.EchoSizeMax
		case "login":
			s.Budget = coldstart.LoginSizeMax
		}
		res.Sizes = append(res.Sizes, s)
	}
	if c.goBench != "" {
		f, err := os.Open(c.goBench)
		if err == nil {
			res.GoBench, err = coldstart.ParseGoBench(f)
			f.Close()
		}
		if err != nil {
			logf("go benchmarks: %v", err)
			return 2
		}
	}
	if c.benchstat != "" {
		if b, err := os.ReadFile(c.benchstat); err == nil {
			res.Benchstat, res.BenchNote = string(b), c.benchNote
		}
	}
	return max(publish(c, res), code)
}

// renderOnly publishes the results an earlier run saved.
func renderOnly(c config, path string) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		logf("%v", err)
		return 2
	}
	var res coldstart.Results
	if err := json.Unmarshal(raw, &res); err != nil {
		logf("%s: %v", path, err)
		return 2
	}
	c.jsonOut = ""
	// The budgets apply at the sizes the template declares now.
	if res.Memory != nil && res.Memory.Unavailable == "" {
		if res.Memory.Template, err = readTemplateSizes(c.root); err != nil {
			logf("%v", err)
			return 2
		}
	}
	return publish(c, &res)
}

// publish checks the budgets, writes the report, the chart and the raw results, and prints the verdicts.
func publish(c config, res *coldstart.Results) int {
	res.Budgets = res.Evaluate()
	chart := ""
	if c.svg != "" && len(res.Functions) > 0 {
		if err := os.WriteFile(c.svg, []byte(res.SVG()), 0o644); err != nil {
			logf("%v", err)
			return 2
		}
		if rel, err := filepath.Rel(filepath.Dir(c.report), c.svg); err == nil {
			chart = filepath.ToSlash(rel)
		}
	}
	memChart := ""
	if c.memSVG != "" && res.Memory != nil && len(res.Memory.Cells) > 0 {
		if err := os.WriteFile(c.memSVG, []byte(res.Memory.SVG(res.Date, res.Machine)), 0o644); err != nil {
			logf("%v", err)
			return 2
		}
		if rel, err := filepath.Rel(filepath.Dir(c.report), c.memSVG); err == nil {
			memChart = filepath.ToSlash(rel)
		}
	}
	if err := coldstart.WriteReport(c.report, res.Markdown(chart, memChart)); err != nil {
		logf("%v", err)
		return 2
	}
	if c.jsonOut != "" {
		raw, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(c.jsonOut, raw, 0o644); err != nil {
			logf("%v", err)
		}
	}
	fmt.Printf("\nBudgets (%s):\n", c.report)
	for _, b := range res.Budgets {
		mark := "pass"
		switch {
		case b.Void != "":
			mark = "void"
		case !b.Pass:
			mark = "FAIL"
		}
		fmt.Printf("  %-4s  %-42s %-40s limit %s\n", mark, b.Name, b.Measured, b.Limit)
	}
	if failed := coldstart.Failed(res.Budgets); len(failed) > 0 {
		fmt.Printf("\n%d budget(s) missed.\n", len(failed))
		return 1
	}
	if void := coldstart.Voided(res.Budgets); len(void) > 0 {
		fmt.Printf("\nThis run's figures are VOID for %d budget(s), neither passed nor failed; run again on a quieter machine:\n", len(void))
		for _, b := range void {
			fmt.Printf("  %s: %s\n", b.Name, b.Void)
		}
		return 3
	}
	fmt.Println("\nEvery budget met.")
	return 0
}

// benchRegion is the region of the functions and of the emulated pool.
const benchRegion = "eu-west-1"

func readEvent(root, rel string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return nil, err
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("%s is not JSON", rel)
	}
	return b, nil
}

// loginOK accepts a 200 that carries an id_token.
func loginOK(resp []byte) error {
	if err := coldstart.StatusOK(resp); err != nil {
		return err
	}
	var r struct{ Body string }
	_ = json.Unmarshal(resp, &r)
	if !strings.Contains(r.Body, `"id_token"`) {
		return errors.New("200 without an id_token")
	}
	return nil
}

// coldStarts runs the functions on whole cores (no cgroup), round after round.
func coldStarts(ctx context.Context, b *bench, res *coldstart.Results) error {
	c := b.c
	var fns []coldstart.Function
	for _, name := range []string{"hello", "echo", "login"} {
		fn, err := b.function(name, 0, "")
		if err != nil {
			return err
		}
		fns = append(fns, fn)
	}
	samples := map[string][]coldstart.Sample{}
	logf("cold starts on whole cores: %d rounds of %d functions, %d warm invocations each", c.rounds, len(fns), c.warm)
	for r := range c.rounds {
		for k := range fns {
			fn := fns[(r+k)%len(fns)] // each function takes each position in turn
			s, _, err := b.coldStart(ctx, fn, 0, b.opts)
			if err != nil {
				return err
			}
			samples[fn.Name] = append(samples[fn.Name], s)
		}
	}
	for _, fn := range fns {
		sum := coldstart.Summarize(fn.Name, samples[fn.Name])
		res.Functions = append(res.Functions, sum)
		logf("%-6s init %v, first %v, warm %v, peak RSS %.1f MB", fn.Name, sum.Init.Median, sum.First.Median,
			sum.Warm.Median, float64(sum.PeakRSSMax)/1e6)
	}
	return nil
}

func mkdir(parts ...string) string {
	p := filepath.Join(parts...)
	_ = os.MkdirAll(p, 0o755)
	return p
}

func load(ctx context.Context, c config, res *coldstart.Results) error {
	body := []byte(`{"hello":"world","n":[1,2,3]}`)

	cores := runtime.NumCPU()
	s0 := coldstart.TakeCPUSnapshot()
	// Baseline first, in its own process, so that neither run warms the other's caches.
	base, addr, err := startBaseline(filepath.Join(c.work, "baseline.log"))
	if err != nil {
		return err
	}
	logf("load: baseline net/http server, %d clients, %v", c.clients, c.loadDuration)
	lb, err := coldstart.Load(ctx, coldstart.LoadConfig{URL: "http://" + addr + "/echo", Body: body,
		Header:  http.Header{"Content-Type": {"application/json"}},
		Clients: c.clients, Warmup: c.loadWarmup, Duration: c.loadDuration})
	_ = base.Process.Kill()
	_ = base.Wait()
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	res.LoadBase = &lb
	s1 := coldstart.TakeCPUSnapshot()
	res.LoadOthers = coldstart.OthersShare(s0, s1, cores)
	logf("  baseline: %.0f req/s, p50 %v, p99 %v, %d errors", lb.RPS, lb.P50, lb.P99, lb.Errors)

	root, err := filepath.Abs(c.root)
	if err != nil {
		return err
	}
	stateDir := mkdir(c.work, "local")
	logPath := filepath.Join(stateDir, "local.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	var extra []string
	if c.overrides != "" {
		extra = []string{"-parameter-overrides", c.overrides}
	}
	stack, err := launch.Start(ctx, c.local, root, stateDir, logFile, extra...)
	if err != nil {
		return fmt.Errorf("%w (log: %s)", err, logPath)
	}
	defer func() {
		if err := stack.Stop(); err != nil {
			logf("%v", err)
		}
	}()
	email, password := fmt.Sprintf("bench-%d@example.com", time.Now().UnixNano()), "Bench-Passw0rd!-"+fmt.Sprint(time.Now().Unix()%9973)
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := stack.CreateUser(cctx, email, password); err != nil {
		return err
	}
	token, err := coldstart.Login(cctx, stack.Out.ApiUrl, email, password)
	if err != nil {
		return err
	}
	logf("load: local /echo (%s, %s), %d clients, %v", stack.Out.ApiUrl, c.overrides, c.clients, c.loadDuration)
	le, err := coldstart.Load(ctx, coldstart.LoadConfig{URL: stack.Out.ApiUrl + "/echo", Body: body,
		Header:  http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + token}},
		Clients: c.clients, Warmup: c.loadWarmup, Duration: c.loadDuration})
	if err != nil {
		return fmt.Errorf("local /echo: %w (log: %s)", err, logPath)
	}
	res.Load = &le
	if err := stack.Stop(); err != nil { // its processes waited for, so that their CPU time is this tree's
		return err
	}
	res.LoadOthers = max(res.LoadOthers, coldstart.OthersShare(s1, coldstart.TakeCPUSnapshot(), cores))
	logf("  /echo: %.0f req/s, p50 %v, p99 %v, %d errors; other processes used up to %.0f%% of the machine", le.RPS, le.P50, le.P99, le.Errors, 100*res.LoadOthers)
	return nil
}

// startBaseline runs this binary with -serve-baseline and reads the address it listens on.
func startBaseline(logPath string) (*exec.Cmd, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	defer logFile.Close()
	cmd := exec.Command(self, "-serve-baseline")
	cmd.Stderr = logFile
	cmd.SysProcAttr = coldstart.ChildProcAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr := <-line:
		if _, _, err := net.SplitHostPort(addr); err == nil {
			return cmd, addr, nil
		}
	case <-time.After(10 * time.Second):
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return nil, "", errors.New("baseline server did not start")
}

func runBaseline() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(ln.Addr().String())
	srv := &http.Server{Handler: coldstart.BaselineHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
