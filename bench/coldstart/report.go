package coldstart

import (
	"bufio"
	"debug/elf"
	"fmt"
	"html"
	"math"
	"os"
	"runtime"
	"strings"
	"time"
)

// Budgets from the issue "Cold start and per-request cost, measured and budgeted".
const (
	EchoInitRatioMax  = 1.3        // echo init ≤ 1.3 × the hello-world baseline's
	LoginInitRatioMax = 2.0        // login init ≤ 2 × the baseline's
	EchoSizeMax       = 6815744    // 6.5 MiB, linux/arm64 bootstrap
	LoginSizeMax      = 7864320    // 7.5 MiB (see scripts/check-size.sh)
	PeakRSSMax        = 25_000_000 // 25 MB (decimal, the stricter reading) per function
	// Local /echo with 32 clients, as a share of the same run's bare net/http baseline: every machine
	// measured so far gave 0.06–0.08× (docs/PERFORMANCE.md, "Findings"), while the absolute figure
	// follows the machine.
	EchoRPSRatioMin = 0.06
)

// Machine describes where a run happened.
type Machine struct {
	CPU, Kernel, Go, OS, Memory string
	Cores                       int
	// Load is /proc/loadavg's 1, 5 and 15 minute averages when the run began: other work on a
	// shared machine moves every figure.
	Load string
}

// ThisMachine reads the CPU model, kernel and memory from /proc (Linux), and the Go version and
// core count from the runtime.
func ThisMachine(goVersion string) Machine {
	m := Machine{CPU: "unknown", Kernel: "unknown", Memory: "unknown", Go: goVersion,
		OS: runtime.GOOS + "/" + runtime.GOARCH, Cores: runtime.NumCPU()}
	if m.Go == "" {
		m.Go = runtime.Version()
	}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.CPU = v
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.Load = strings.Join(f[:3], " ")
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		var kb int64
		if _, err := fmt.Sscanf(v, "%d kB", &kb); err == nil {
			m.Memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return m
}

// procField is the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// BinarySize is one linux/arm64 bootstrap.
type BinarySize struct {
	Name   string
	Bytes  int64
	Budget int64 // 0: none (the baseline)
	Slack  int64 // SegmentSlack: code or read-only data that fits before the file grows by a step
}

// Variant is one arm of the connect-during-init experiment.
type Variant struct {
	Mode    string // off, sync, async
	Summary Summary
	Conns   float64 // TCP connections to Cognito per cold start (1 means the login reused the warm one)
}

// Experiment compares opening the connection to Cognito during init with not doing so.
type Experiment struct {
	RTT      time.Duration // emulated round trip to Cognito
	MemoryMB int           // the emulated share's size; 0 on a whole core
	Variants []Variant
}

// Results is everything one `make bench` run measured.
type Results struct {
	Date       time.Time
	Machine    Machine
	Rounds     int // cold starts per function
	Warm       int // warm invocations per cold start
	Functions  []Summary
	Experiment *Experiment
	Memory     *MemoryTable      // under Lambda's emulated CPU share
	LocalReady *ReadyResult      // `make local`'s start
	Reload     *ReloadResult     // hot reload of a function, save to new answer
	WatchStart *WatchStartResult // warm starts with and without watching
	Load       *LoadResult       // local /echo through the gateway and the authorizer
	LoadBase   *LoadResult       // the same generator against BaselineHandler
	// LoadOthers is the highest share of the machine's CPU other processes used during either run of
	// the load test (OthersShare).
	LoadOthers float64 `json:",omitempty"`
	Sizes      []BinarySize
	GoBench    []BenchRow
	Benchstat  string // benchstat's output
	BenchNote  string // what the benchstat output compares
	Budgets    []Budget
}

// Budget is one budget's verdict.
type Budget struct {
	Name     string
	Measured string
	Limit    string
	Pass     bool
	// Void says why the figure cannot be judged (it measured the machine's other work, not the
	// code): neither a pass nor a fail.
	Void string `json:",omitempty"`
}

// Status is the verdict as the report shows it.
func (b Budget) Status() string {
	if b.Void != "" {
		return "⚪ void"
	}
	return passMark(b.Pass)
}

// Function returns the named summary.
func (r *Results) Function(name string) (Summary, bool) {
	for _, s := range r.Functions {
		if s.Name == name {
			return s, true
		}
	}
	return Summary{}, false
}

// Evaluate checks every budget the results hold figures for; a missing figure is a failure.
func (r *Results) Evaluate() []Budget {
	var out []Budget
	hello, okHello := r.Function("hello")
	for _, c := range []struct {
		name  string
		ratio float64
	}{{"echo", EchoInitRatioMax}, {"login", LoginInitRatioMax}} {
		b := Budget{Name: c.name + " init vs hello-world init", Limit: fmt.Sprintf("≤ %.1f×", c.ratio)}
		if s, ok := r.Function(c.name); ok && okHello && hello.Init.Median > 0 {
			x := float64(s.Init.Median) / float64(hello.Init.Median)
			b.Measured = fmt.Sprintf("%.2f× (%s vs %s)", x, fmtDur(s.Init.Median), fmtDur(hello.Init.Median))
			b.Pass = x <= c.ratio
		} else {
			b.Measured = "not measured"
		}
		out = append(out, b)
	}
	for _, name := range []string{"echo", "login"} {
		b := Budget{Name: name + " peak RSS", Limit: fmt.Sprintf("≤ %s", fmtMB(PeakRSSMax))}
		if s, ok := r.Function(name); ok {
			b.Measured = fmtMB(s.PeakRSSMax) + " (max of " + fmt.Sprint(s.N) + ")"
			b.Pass = s.PeakRSSMax > 0 && s.PeakRSSMax <= PeakRSSMax
		} else {
			b.Measured = "not measured"
		}
		out = append(out, b)
	}
	for _, name := range []string{"echo", "login"} {
		b := Budget{Name: name + " opens no shared AWS config or credentials file", Limit: "0 opens"}
		s, ok := r.Function(name)
		switch {
		case !ok || s.ConfigOpens < 0:
			b.Measured = "not measured"
		default:
			b.Measured = fmt.Sprintf("%d opens in %d cold starts", s.ConfigOpens, s.N)
			b.Pass = s.ConfigOpens == 0
		}
		out = append(out, b)
	}
	for _, want := range []struct {
		name string
		max  int64
	}{{"echo", EchoSizeMax}, {"login", LoginSizeMax}} {
		b := Budget{Name: want.name + " linux/arm64 binary", Limit: "≤ " + fmtMiB(want.max)}
		b.Measured = "not measured"
		for _, s := range r.Sizes {
			if s.Name == want.name {
				b.Measured = fmt.Sprintf("%s (%d bytes)", fmtMiB(s.Bytes), s.Bytes)
				b.Pass = s.Bytes <= want.max
			}
		}
		out = append(out, b)
	}
	rps := Budget{Name: fmt.Sprintf("local /echo throughput vs bare net/http, %d clients", clients(r.Load)),
		Limit: fmt.Sprintf("≥ %.2f×", EchoRPSRatioMin), Measured: "not measured"}
	errs := Budget{Name: "local /echo errors under load", Limit: "0", Measured: "not measured"}
	if r.Load != nil {
		errs.Measured, errs.Pass = fmt.Sprintf("%d of %d", r.Load.Errors, r.Load.Requests), r.Load.Errors == 0
		if r.LoadBase != nil && r.LoadBase.RPS > 0 {
			x := r.Load.RPS / r.LoadBase.RPS
			rps.Measured = fmt.Sprintf("%.3f× (%.0f vs %.0f req/s)", x, r.Load.RPS, r.LoadBase.RPS)
			rps.Pass = x >= EchoRPSRatioMin
			rps.Void = Busy(r.LoadOthers, "the load test ran")
		}
	}
	out = append(out, rps, errs)
	mem := r.Memory
	if mem == nil {
		mem = &MemoryTable{Unavailable: "skipped"}
	}
	return append(append(out, mem.Budgets()...), r.LocalReady.Budget(), r.Reload.Budget(), r.WatchStart.Budget())
}

func clients(l *LoadResult) int {
	if l == nil || l.Clients == 0 {
		return 32
	}
	return l.Clients
}

// Failed lists the budgets that did not pass, void ones aside.
func Failed(bs []Budget) []Budget {
	var out []Budget
	for _, b := range bs {
		if !b.Pass && b.Void == "" {
			out = append(out, b)
		}
	}
	return out
}

// Voided lists the budgets whose figures are void.
func Voided(bs []Budget) []Budget {
	var out []Budget
	for _, b := range bs {
		if b.Void != "" {
			out = append(out, b)
		}
	}
	return out
}

func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < 10*time.Microsecond:
		return fmt.Sprintf("%.2f µs", float64(d)/float64(time.Microsecond))
	case d < 100*time.Microsecond:
		return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
}

func fmtMB(b int64) string  { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }
func fmtMiB(b int64) string { return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20)) }

func ratio(a, b time.Duration) string {
	if a <= 0 || b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(b))
}

func passMark(ok bool) string {
	if ok {
		return "✅ pass"
	}
	return "❌ FAIL"
}

// Markers delimit the generated part of docs/PERFORMANCE.md; the text around them is kept.
const (
	BeginMarker = "<!-- BEGIN GENERATED: `make bench` (bench/cmd/coldstart) rewrites everything down to the END marker -->"
	EndMarker   = "<!-- END GENERATED -->"
)

// Markdown renders the generated section, markers included. chart and memChart are the cold-start
// and memory-size SVGs' paths relative to the Markdown file ("" for none).
func (r *Results) Markdown(chart, memChart string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("%s\n\n", BeginMarker)
	p("Measured %s on %s (%d cores, %s), Linux %s, %s.\n\n",
		r.Date.UTC().Format("2006-01-02 15:04 MST"), r.Machine.CPU, r.Machine.Cores, r.Machine.Memory, r.Machine.Kernel, r.Machine.Go)
	p("| machine | |\n|---|---|\n")
	p("| CPU | %s |\n| cores | %d |\n| memory | %s |\n| kernel | %s |\n| Go | %s |\n| date | %s |\n\n",
		r.Machine.CPU, r.Machine.Cores, r.Machine.Memory, r.Machine.Kernel, r.Machine.Go, r.Date.UTC().Format(time.RFC3339))
	if r.Machine.Load != "" {
		p("Load average when the run began (1, 5, 15 min): %s on %d cores; other work on the machine slows every figure.\n\n", r.Machine.Load, r.Machine.Cores)
	}

	if len(r.Budgets) > 0 {
		p("### Budgets\n\n| budget | measured | limit | status |\n|---|---|---|---|\n")
		for _, x := range r.Budgets {
			p("| %s | %s | %s | %s |\n", x.Name, x.Measured, x.Limit, x.Status())
		}
		p("\n")
		for _, x := range Voided(r.Budgets) {
			p("**Void: %s.** %s. Neither a pass nor a fail: run `make bench` again when the machine is quieter.\n\n", x.Name, x.Void)
		}
	}

	if len(r.Functions) > 0 {
		hello, _ := r.Function("hello")
		p("### Cold start (linux/%s binaries, `make build` flags)\n\n", runtime.GOARCH)
		p("Medians of %d cold starts per function, interleaved round by round; brackets: interquartile range. "+
			"*Init*: exec to the runtime's first `GET /next`. *First invoke*: first event handed out to its response posted. "+
			"*Cold total*: exec to first response (what the request that caused the cold start waits for, less the platform's own share). "+
			"*Warm*: median of %d further invocations in the same process. *Peak RSS*: VmHWM before the process is killed. "+
			"*Config opens*: opens of the files given as `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` (inotify), over all cold starts. "+
			"× hello: ratio to the hello-world baseline measured in the same run.\n\n", r.Rounds, r.Warm)
		p("| function | init | × hello | first invoke | × hello | cold total | × hello | warm invoke | peak RSS (median / max) | config opens |\n")
		p("|---|---|---|---|---|---|---|---|---|---|\n")
		for _, s := range r.Functions {
			opens := "–"
			if s.ConfigOpens >= 0 {
				opens = fmt.Sprint(s.ConfigOpens)
			}
			p("| %s | %s [%s–%s] | %s | %s [%s–%s] | %s | %s | %s | %s | %s / %s | %s |\n", s.Name,
				fmtDur(s.Init.Median), fmtDur(s.Init.P25), fmtDur(s.Init.P75), ratio(s.Init.Median, hello.Init.Median),
				fmtDur(s.First.Median), fmtDur(s.First.P25), fmtDur(s.First.P75), ratio(s.First.Median, hello.First.Median),
				fmtDur(s.ColdTotal.Median), ratio(s.ColdTotal.Median, hello.ColdTotal.Median),
				fmtDur(s.Warm.Median), fmtMB(s.PeakRSSMedian), fmtMB(s.PeakRSSMax), opens)
		}
		p("\nThe login function signs in with a real `InitiateAuth` against the project's Cognito emulation " +
			"(`internal/emulator/cognito`, in the harness's process) behind HTTPS on loopback, so its first invoke includes the TLS handshake and loading the CA bundle.\n\n")
		if chart != "" {
			p("![Cold start medians, init and first invoke, against the hello-world baseline](%s)\n\n", chart)
		}
	}

	if e := r.Experiment; e != nil && len(e.Variants) > 0 {
		p("### Opening the connection to Cognito during init\n\n")
		p("The login function, built as `bench/coldstart/testdata/loginwarm` (the same handler; `LOGIN_PREWARM` picks the arm), "+
			"against the fake behind HTTPS with an emulated %s round trip (TCP's own SYN round trip is not emulated: "+
			"a real connection costs one round trip more). *off*: as shipped. *sync*: a `HEAD` to the endpoint through the "+
			"SDK client's HTTP client before `lambda.Start`. *async*: the same in a goroutine, not waited for. "+
			"Medians of %d cold starts per arm, interleaved.\n\n", fmtDur(e.RTT), e.Variants[0].Summary.N)
		p("| connect during init | init | first login | init + first login | × off | connections per cold start |\n|---|---|---|---|---|---|\n")
		var off Summary
		for _, v := range e.Variants {
			if v.Mode == "off" {
				off = v.Summary
			}
		}
		for _, v := range e.Variants {
			p("| %s | %s | %s | %s | %s | %.1f |\n", v.Mode, fmtDur(v.Summary.Init.Median), fmtDur(v.Summary.First.Median),
				fmtDur(v.Summary.ColdTotal.Median), ratio(v.Summary.ColdTotal.Median, off.ColdTotal.Median), v.Conns)
		}
		p("\n%s\n\n", e.Verdict())
	}

	if r.Memory != nil {
		p("%s", r.Memory.Markdown(memChart))
	}

	if r.Load != nil && r.LoadBase != nil {
		p("### Local stack throughput\n\n")
		p("`cmd/local` (the API Gateway emulator with the Cognito authorizer, the echo `bootstrap` behind the Lambda Runtime API, one process per concurrent request, and the local Cognito), `POST /echo` with a valid ID token, "+
			"%d concurrent keep-alive clients on loopback for %s after a warm-up; the generator (`bench/coldstart`, Go) "+
			"shares the machine's cores. Baseline: the same generator against a bare Go `net/http` server that echoes the body, "+
			"in its own process, in the same run.\n\n", r.Load.Clients, r.Load.Elapsed.Round(100*time.Millisecond))
		p("| target | requests/s | × baseline | p50 | p99 | max | requests | errors |\n|---|---|---|---|---|---|---|---|\n")
		for _, row := range []struct {
			name string
			l    *LoadResult
		}{{"baseline: bare net/http", r.LoadBase}, {"local /echo (gateway + authorizer + echo)", r.Load}} {
			x := "–"
			if r.LoadBase.RPS > 0 {
				x = fmt.Sprintf("%.2f×", row.l.RPS/r.LoadBase.RPS)
			}
			p("| %s | %.0f | %s | %s | %s | %s | %d | %d |\n", row.name, row.l.RPS, x, fmtDur(row.l.P50), fmtDur(row.l.P99),
				fmtDur(row.l.Max), row.l.Requests, row.l.Errors)
		}
		for _, e := range r.Load.FirstErrors {
			p("\n- error: `%s`", strings.ReplaceAll(e, "`", "'"))
		}
		p("\n")
	}
	if rr := r.LocalReady; rr != nil && len(rr.Warm) > 0 {
		p("### Local stack start\n\n`cmd/local` from its start to `outputs.json` (translation, the Cognito emulation, `make build-<Function>` for each function, " +
			"the gateway), each start in a fresh state directory so that it builds the functions again.\n\n| Go build cache | starts | ready (median) | min–max |\n|---|---|---|---|\n")
		p("| warm | %d | %s | %s–%s |\n", len(rr.Warm), fmtDur(Median(rr.Warm)), fmtDur(minDur(rr.Warm)), fmtDur(maxDur(rr.Warm)))
		switch {
		case rr.Cold > 0:
			p("| empty (`GOCACHE` a fresh directory: a first run on a fresh machine; not budgeted) | 1 | %s | – |\n", fmtDur(rr.Cold))
		case rr.ColdErr != "":
			p("| empty | 1 | failed: %s | – |\n", strings.ReplaceAll(rr.ColdErr, "|", "\\|"))
		}
		p("\n")
	}

	if len(r.Sizes) > 0 {
		p("### Binary sizes (linux/arm64, `make build` flags)\n\n| function | bytes | MiB | × hello | budget | headroom | next 64 KiB step after |\n|---|---|---|---|---|---|---|\n")
		var hello int64
		for _, s := range r.Sizes {
			if s.Name == "hello" {
				hello = s.Bytes
			}
		}
		for _, s := range r.Sizes {
			x := "–"
			if hello > 0 {
				x = fmt.Sprintf("%.2f×", float64(s.Bytes)/float64(hello))
			}
			budget, room := "baseline", "–"
			if s.Budget > 0 {
				budget = fmtMiB(s.Budget)
				room = fmt.Sprintf("%+d bytes", s.Budget-s.Bytes)
			}
			p("| %s | %d | %.2f | %s | %s | %s | +%d bytes of code or read-only data |\n", s.Name, s.Bytes, float64(s.Bytes)/(1<<20), x, budget, room, s.Slack)
		}
		p("\nThe linker pads the code and read-only data segments to 64 KiB on arm64, so a binary grows in 64 KiB steps: " +
			"the last column is how much either may still grow before the next step.\n\n")
	}

	if len(r.GoBench) > 0 {
		p("### Go benchmarks (in process, `-benchmem`)\n\nMedians over %d runs; baseline: the `baseline_*` sub-benchmark of the same run.\n\n", r.GoBench[0].Runs)
		p("| benchmark | time/op | B/op | allocs/op | baseline time/op | × baseline |\n|---|---|---|---|---|---|\n")
		for _, g := range r.GoBench {
			base, x := "–", "–"
			if g.Baseline != nil {
				base = fmtDur(time.Duration(g.Baseline.NsOp))
				if g.Baseline.NsOp > 0 {
					x = fmt.Sprintf("%.2f×", g.NsOp/g.Baseline.NsOp)
				}
			}
			p("| `%s` (%s) | %s | %.0f | %.0f | %s | %s |\n", g.Name, shortPkg(g.Pkg), fmtDur(time.Duration(g.NsOp)), g.BytesOp, g.AllocsOp, base, x)
		}
		p("\n")
	}
	if r.Benchstat != "" {
		p("<details><summary>benchstat: %s</summary>\n\n```\n%s\n```\n\n</details>\n\n", html.EscapeString(r.BenchNote), strings.TrimRight(r.Benchstat, "\n"))
	}
	p("%s\n", EndMarker)
	return b.String()
}

func shortPkg(p string) string {
	if i := strings.Index(p, "/internal/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

// Verdict says whether connecting during init pays, judged on init + first login (what the request
// that caused the cold start waits for), and by how much; below 5% or 0.5 ms it is noise.
func (e *Experiment) Verdict() string {
	var off *Variant
	best := -1
	for i := range e.Variants {
		v := &e.Variants[i]
		if v.Mode == "off" {
			off = v
			continue
		}
		if best < 0 || v.Summary.ColdTotal.Median < e.Variants[best].Summary.ColdTotal.Median {
			best = i
		}
	}
	if off == nil || best < 0 {
		return "Verdict: not enough arms to compare."
	}
	b := e.Variants[best]
	gain := off.Summary.ColdTotal.Median - b.Summary.ColdTotal.Median
	threshold := max(off.Summary.ColdTotal.Median/20, 500*time.Microsecond)
	if gain > threshold {
		return fmt.Sprintf("**Verdict: connecting during init (%s) wins**: init + first login %s instead of %s (%s less, median).",
			b.Mode, fmtDur(b.Summary.ColdTotal.Median), fmtDur(off.Summary.ColdTotal.Median), fmtDur(gain))
	}
	return fmt.Sprintf("**Verdict: no gain, not adopted**: the best arm (%s) gives init + first login %s against %s without it "+
		"(difference %s; the bar is 5%% or 0.5 ms). The function stays lean: nothing is dialled during init.",
		b.Mode, fmtDur(b.Summary.ColdTotal.Median), fmtDur(off.Summary.ColdTotal.Median), fmtSigned(-gain))
}

func fmtSigned(d time.Duration) string {
	if d < 0 {
		return "−" + fmtDur(-d)
	}
	return "+" + fmtDur(d)
}

// SVG draws the init and first-invoke medians of each function as grouped bars, with interquartile
// whiskers, labelled in milliseconds.
func (r *Results) SVG() string {
	const (
		w, h                 = 760, 380
		left, right, top, bo = 64, 24, 56, 56
	)
	series := []struct {
		name  string
		color string
		get   func(Summary) Dist
	}{
		{"init", "#4C78A8", func(s Summary) Dist { return s.Init }},
		{"first invoke", "#F58518", func(s Summary) Dist { return s.First }},
		{"cold total", "#54A24B", func(s Summary) Dist { return s.ColdTotal }},
	}
	var top75 time.Duration
	for _, s := range r.Functions {
		for _, se := range series {
			top75 = max(top75, se.get(s).P75, se.get(s).Median)
		}
	}
	peak := 1.1 * float64(top75) / float64(time.Millisecond) // room for the labels
	step := niceCeil(peak / 5)
	ymax := step * math.Ceil(peak/step)
	plotW, plotH := float64(w-left-right), float64(h-top-bo)
	y := func(ms float64) float64 { return float64(top) + plotH*(1-ms/ymax) }

	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	p(`<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", w, h)
	p(`<text x="%d" y="22" font-size="15" font-weight="bold">Cold start, medians of %d (whiskers: interquartile range)</text>`+"\n", left, r.Rounds)
	p(`<text x="%d" y="40" fill="#555">linux/%s bootstraps built with make build's flags; %s, %d cores, %s, %s</text>`+"\n",
		left, runtime.GOARCH, html.EscapeString(r.Machine.CPU), r.Machine.Cores, html.EscapeString(r.Machine.Go), r.Date.UTC().Format("2006-01-02"))
	for i := 0; float64(i)*step <= ymax+step/1000; i++ {
		v := step * float64(i)
		p(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", left, y(v), w-right, y(v))
		p(`<text x="%d" y="%.1f" text-anchor="end" fill="#555">%s</text>`+"\n", left-6, y(v)+4, trimFloat(v))
	}
	p(`<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle" fill="#555">milliseconds</text>`+"\n", float64(top)+plotH/2)
	n := max(len(r.Functions), 1)
	groupW := plotW / float64(n)
	barW := groupW * 0.7 / float64(len(series))
	for gi, s := range r.Functions {
		x0 := float64(left) + groupW*float64(gi) + groupW*0.15
		label := s.Name
		if s.Name == "hello" {
			label = "hello (baseline)"
		}
		p(`<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x0+groupW*0.35, h-bo+18, html.EscapeString(label))
		for si, se := range series {
			d := se.get(s)
			ms := float64(d.Median) / float64(time.Millisecond)
			x := x0 + barW*float64(si)
			p(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>`+"\n",
				x+1, y(ms), barW-2, y(0)-y(ms), se.color, html.EscapeString(s.Name), se.name, fmtDur(d.Median))
			cx := x + barW/2
			p(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222"/>`+"\n", cx, y(ms2(d.P25)), cx, y(ms2(d.P75)))
			if y(0)-y(ms) > 20 { // inside the bar's top, clear of whiskers and budget lines
				p(`<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10" fill="#fff">%.2f</text>`+"\n", cx+barW/4, y(ms)+12, ms)
			} else {
				p(`<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%.2f</text>`+"\n", cx, math.Min(y(ms), y(ms2(d.P75)))-4, ms)
			}
		}
	}
	// The init budgets, as dashed lines over the init bars they apply to.
	if hello, ok := r.Function("hello"); ok && hello.Init.Median > 0 {
		for gi, s := range r.Functions {
			limit := map[string]float64{"echo": EchoInitRatioMax, "login": LoginInitRatioMax}[s.Name]
			if limit == 0 {
				continue
			}
			ms := limit * ms2(hello.Init.Median)
			x := float64(left) + groupW*float64(gi) + groupW*0.15
			p(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#C0392B" stroke-dasharray="4 3" stroke-width="1.5"/>`+"\n",
				x-4, y(ms), x+barW+4, y(ms))
			p(`<text x="%.1f" y="%.1f" text-anchor="end" font-size="10" fill="#C0392B">%.1f×</text>`+"\n", x-6, y(ms)+3, limit)
		}
	}
	for si, se := range series {
		lx := left + 150*si
		p(`<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", lx, h-22, se.color, lx+16, h-12, se.name)
	}
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#C0392B" stroke-dasharray="4 3" stroke-width="1.5"/><text x="%d" y="%d">init budget (× hello init)</text>`+"\n",
		left+450, h-16, left+474, h-16, left+480, h-12)
	p("</svg>\n")
	return b.String()
}

func ms2(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// niceCeil rounds v up to 1, 2, 2.5 or 5 times a power of ten (v > 0).
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// WriteReport replaces the generated section of the Markdown file at path (creating the file with a
// short header when it does not exist or has no markers), keeping the text around it.
func WriteReport(path, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	doc := string(old)
	i, j := strings.Index(doc, BeginMarker), strings.Index(doc, EndMarker)
	switch {
	case i >= 0 && j > i:
		doc = doc[:i] + strings.TrimRight(section, "\n") + doc[j+len(EndMarker):]
	case doc == "":
		doc = "# Performance\n\nWritten by `make bench`.\n\n" + section
	default:
		doc = strings.TrimRight(doc, "\n") + "\n\n" + section
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}

// SegmentSlack is how many bytes a loadable segment other than the last (code, read-only data) can
// still grow before the linker pads it to the next alignment step, which grows the file by a whole
// step (64 KiB on arm64) at once. It is the least such room over those segments.
func SegmentSlack(path string) (int64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var loads []*elf.Prog
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			loads = append(loads, p)
		}
	}
	if len(loads) < 2 {
		return 0, fmt.Errorf("%s: %d loadable segments", path, len(loads))
	}
	slack := int64(-1)
	for _, p := range loads[:len(loads)-1] {
		if p.Align == 0 {
			continue
		}
		room := int64((p.Filesz+p.Align-1)/p.Align*p.Align - p.Filesz)
		if slack < 0 || room < slack {
			slack = room
		}
	}
	return slack, nil
}
