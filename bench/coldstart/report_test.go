package coldstart

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goBenchOutput = `goos: linux
goarch: amd64
pkg: github.com/example/cognito-sam-go/internal/echo
cpu: AMD EPYC
BenchmarkEcho/proxy-2         	   41176	      8000 ns/op	   3.96 MB/s	    6903 B/op	      66 allocs/op
BenchmarkEcho/baseline_hello-2         	  165151	      2000 ns/op	  17.18 MB/s	    2736 B/op	      28 allocs/op
BenchmarkEcho/proxy-2         	   41176	      9000 ns/op	   3.96 MB/s	    6903 B/op	      66 allocs/op
BenchmarkEcho/baseline_hello-2         	  165151	      2000 ns/op	  17.18 MB/s	    2736 B/op	      28 allocs/op
BenchmarkEcho/proxy-2         	   41176	     10000 ns/op	   3.96 MB/s	    6903 B/op	      66 allocs/op
PASS
pkg: github.com/example/cognito-sam-go/internal/login
BenchmarkLoginInvalid/bad_request-2     	   42142	      8578 ns/op	    6922 B/op	      87 allocs/op
ok  	github.com/example/cognito-sam-go/internal/login	1.480s
`

func TestParseGoBench_MediansAndSameRunBaselines(t *testing.T) {
	rows, err := ParseGoBench(strings.NewReader(goBenchOutput))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3: %+v", len(rows), rows)
	}
	p := rows[0]
	if p.Name != "BenchmarkEcho/proxy" || p.Runs != 3 || p.NsOp != 9000 || p.BytesOp != 6903 || p.AllocsOp != 66 {
		t.Fatalf("proxy row %+v", p)
	}
	if p.Baseline == nil || p.Baseline.Name != "BenchmarkEcho/baseline_hello" || p.Baseline.NsOp != 2000 {
		t.Fatalf("proxy baseline %+v", p.Baseline)
	}
	if rows[1].Baseline != nil || rows[2].Baseline != nil {
		t.Fatal("a baseline, or a benchmark without baseline sibling, has no baseline")
	}
	if !strings.HasSuffix(rows[2].Pkg, "internal/login") {
		t.Fatalf("package %q", rows[2].Pkg)
	}
}

func TestQuantile(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3}
	if m := Median(ds); m != 3 {
		t.Fatalf("median %v", m)
	}
	if m := Median([]time.Duration{1, 2, 3, 4}); m != 2 { // 2.5 truncated to the nanosecond
		t.Fatalf("even median %v", m)
	}
	if q := Quantile(ds, 0.25); q != 2 {
		t.Fatalf("p25 %v", q)
	}
	if q := Quantile(ds, 1); q != 5 {
		t.Fatalf("p100 %v", q)
	}
	if Median[time.Duration](nil) != 0 || Median([]float64{3, 1, 2, 10}) != 2.5 {
		t.Fatal("median of nothing")
	}
}

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func summary(name string, init, first time.Duration, rss int64) Summary {
	d := func(v time.Duration) Dist { return Dist{Median: v, P25: v, P75: v, Min: v, Max: v} }
	return Summary{Name: name, N: 20, Init: d(init), First: d(first), ColdTotal: d(init + first), Warm: d(first / 4),
		PeakRSSMedian: rss, PeakRSSMax: rss}
}

// readyLimit is the warm start at the limit against passingResults' builds of 1 s.
const readyLimit = time.Duration(LocalReadyRatioMax * float64(time.Second))

func passingResults() *Results {
	return &Results{
		Date: time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC), Rounds: 20, Warm: 20,
		Machine: Machine{CPU: "Test CPU <1>", Cores: 2, Kernel: "6.1", Go: "go1.26", Memory: "8 GiB"},
		Functions: []Summary{
			summary("hello", ms(2), ms(0.5), 7e6),
			summary("echo", ms(2.6), ms(0.7), 8e6),
			summary("login", ms(4), ms(6), 12e6),
		},
		Sizes: []BinarySize{{Name: "hello", Bytes: 5 << 20}, {Name: "echo", Bytes: EchoSizeMax, Budget: EchoSizeMax},
			{Name: "login", Bytes: LoginSizeMax, Budget: LoginSizeMax}},
		Load:     &LoadResult{Clients: 32, Requests: 30000, RPS: 30000 * EchoRPSRatioMin, P50: ms(3), P99: ms(10), Max: ms(20), Elapsed: 10 * time.Second},
		LoadBase: &LoadResult{Clients: 32, Requests: 300000, RPS: 30000, P50: ms(1), P99: ms(4), Max: ms(9), Elapsed: 10 * time.Second},
		LocalReady: &ReadyResult{Warm: []time.Duration{readyLimit, readyLimit - 1, readyLimit + 1},
			Builds: []time.Duration{time.Second, time.Second}},
		Reload:     &ReloadResult{Reloads: []time.Duration{2500 * time.Millisecond}, Builds: []time.Duration{time.Second}},
		WatchStart: &WatchStartResult{Watch: []time.Duration{2 * time.Second}, NoWatch: []time.Duration{2 * time.Second}},
		Memory: &MemoryTable{Template: map[string]int{"echo": 128, "login": 128},
			Calibration: []Calibration{{MemoryMB: 128, Expected: 0.1, Measured: 0.1 * (1 + CalibrationTolerance - 1e-9)}},
			Cells: []MemoryCell{
				{Function: "hello", MemoryMB: 128, Summary: summary("hello", ms(100), ms(5), 7e6)},
				{Function: "echo", MemoryMB: 128, Summary: summary("echo", ms(100*ShareEchoInitRatioMax), ms(5), 7e6)},
				{Function: "login", RTT: ms(1), MemoryMB: 128, Summary: summary("login", ms(100*ShareLoginInitRatioMax), ms(50), 12e6)},
			}},
		Experiment: &Experiment{RTT: ms(2), Variants: []Variant{
			{Mode: "off", Summary: summary("off", ms(3), ms(10), 12e6), Conns: 1},
			{Mode: "sync", Summary: summary("sync", ms(12), ms(3), 12e6), Conns: 1},
		}},
	}
}

func TestEvaluate_BudgetsAtTheirLimitsPass(t *testing.T) {
	r := passingResults()
	bs := r.Evaluate()
	if len(bs) != 16 {
		t.Fatalf("%d budgets and checks, want 16", len(bs))
	}
	if f := Failed(bs); len(f) != 0 {
		t.Fatalf("failed at the limits: %+v", f)
	}
}

func TestEvaluate_EachMissFails(t *testing.T) {
	for name, breakIt := range map[string]func(*Results){
		"echo init":     func(r *Results) { r.Functions[1].Init.Median = ms(2.61) },
		"login init":    func(r *Results) { r.Functions[2].Init.Median = ms(4.01) },
		"echo peak RSS": func(r *Results) { r.Functions[1].PeakRSSMax = PeakRSSMax + 1 },
		"login binary":  func(r *Results) { r.Sizes[2].Bytes++ },
		"echo binary":   func(r *Results) { r.Sizes[1].Bytes++ },
		"throughput":    func(r *Results) { r.Load.RPS = 30000*EchoRPSRatioMin - 1 },
		"no baseline":   func(r *Results) { r.LoadBase = nil },
		"errors":        func(r *Results) { r.Load.Errors = 1 },
		"config read":   func(r *Results) { r.Functions[2].ConfigOpens = 1 },
		"not watched":   func(r *Results) { r.Functions[1].ConfigOpens = -1 },
		"no load test":  func(r *Results) { r.Load = nil },
		"no sizes":      func(r *Results) { r.Sizes = nil },
		"no cold start": func(r *Results) { r.Functions = nil },
		"share echo init": func(r *Results) {
			r.Memory.Cells[1].Summary.Init.Median = ms(100*ShareEchoInitRatioMax) + time.Microsecond
		},
		"share login init": func(r *Results) {
			r.Memory.Cells[2].Summary.Init.Median = ms(100*ShareLoginInitRatioMax) + time.Microsecond
		},
		"calibration":       func(r *Results) { r.Memory.Calibration[0].Measured = 0.1 * (1 + CalibrationTolerance + 1e-6) },
		"no cgroups":        func(r *Results) { r.Memory = &MemoryTable{Unavailable: "no cgroup v1 hierarchy"} },
		"no memory table":   func(r *Results) { r.Memory = nil },
		"local slow":        func(r *Results) { r.LocalReady.Warm = []time.Duration{readyLimit + 1} },
		"no build baseline": func(r *Results) { r.LocalReady.Builds = nil },
		"no local start":    func(r *Results) { r.LocalReady = nil },
		"slow reload":       func(r *Results) { r.Reload.Reloads = []time.Duration{2500*time.Millisecond + time.Nanosecond} },
		"no reload":         func(r *Results) { r.Reload = nil },
		"watch slows start": func(r *Results) { r.WatchStart.Watch = []time.Duration{2300 * time.Millisecond} },
		"no watch start":    func(r *Results) { r.WatchStart = nil },
	} {
		t.Run(name, func(t *testing.T) {
			r := passingResults()
			breakIt(r)
			if len(Failed(r.Evaluate())) == 0 {
				t.Fatal("no budget failed")
			}
		})
	}
}

func TestReport_MarkdownAndSVG(t *testing.T) {
	r := passingResults()
	r.Budgets = r.Evaluate()
	md := r.Markdown("coldstart.svg", "")
	for _, want := range []string{BeginMarker, EndMarker, "| hello |", "| login |", "Test CPU <1>", "2026-11-24",
		"![Cold start", "Verdict: no gain", "× baseline", "✅ pass"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	// The chart is well-formed XML (the CPU name's "<" escaped) with a bar per function and series.
	dec := xml.NewDecoder(strings.NewReader(r.SVG()))
	rects := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
		}
	}
	if want := 1 + 3*3 + 3; rects != want { // background, bars, legend
		t.Fatalf("%d rects, want %d", rects, want)
	}
}

func TestVerdict_AGainAboveTheBarWins(t *testing.T) {
	e := &Experiment{Variants: []Variant{
		{Mode: "off", Summary: summary("off", ms(3), ms(10), 0)},
		{Mode: "async", Summary: summary("async", ms(3), ms(5), 0)},
	}}
	if v := e.Verdict(); !strings.Contains(v, "wins") || !strings.Contains(v, "async") {
		t.Fatalf("verdict %q", v)
	}
}

func TestWriteReport_KeepsTheTextAroundTheGeneratedSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "PERFORMANCE.md")
	if err := WriteReport(path, BeginMarker+"\nfirst\n"+EndMarker+"\n"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	doc := "# Intro written by hand\n\n" + string(b) + "\n## Notes written by hand\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(path, BeginMarker+"\nsecond\n"+EndMarker+"\n"); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	got := string(b)
	if strings.Contains(got, "first") || !strings.Contains(got, "second") ||
		!strings.HasPrefix(got, "# Intro written by hand") || !strings.HasSuffix(got, "## Notes written by hand\n") {
		t.Fatalf("report:\n%s", got)
	}
	if strings.Count(got, BeginMarker) != 1 {
		t.Fatal("generated section duplicated")
	}
}

func TestSegmentSlack_OfARealBinary(t *testing.T) {
	slack, err := SegmentSlack(buildHello(t))
	if err != nil {
		t.Fatal(err)
	}
	if slack < 0 || slack >= 64<<10 {
		t.Fatalf("slack %d, want within one 64 KiB step", slack)
	}
	if _, err := SegmentSlack("report_test.go"); err == nil {
		t.Fatal("not an ELF file: want an error")
	}
}

// The figures of issue 21: the same code measured 1,464 req/s against 23,596 (0.06×) on one machine
// and 3,994 against 58,770 (0.07×) on another; the old absolute budget of 3,000 failed the first.
func TestEvaluate_ThroughputIsJudgedAgainstTheSameRunsBaseline(t *testing.T) {
	for _, tc := range []struct {
		rps, base float64
		pass      bool
	}{{1464, 23596, true}, {3994, 58770, true}, {1300, 23596, false}} {
		r := passingResults()
		r.Load.RPS, r.LoadBase.RPS = tc.rps, tc.base
		for _, b := range r.Evaluate() {
			if strings.HasPrefix(b.Name, "local /echo throughput") && b.Pass != tc.pass {
				t.Errorf("%.0f vs %.0f req/s: pass %v, want %v (%s)", tc.rps, tc.base, b.Pass, tc.pass, b.Measured)
			}
		}
	}
}

func TestReadyBudget_ABusyMachineVoidsItInsteadOfFailing(t *testing.T) {
	r := &ReadyResult{Warm: []time.Duration{28 * time.Second}, Builds: []time.Duration{2 * time.Second}}
	r.Others = 0.1
	if b := r.Budget(); b.Pass || b.Void != "" {
		t.Errorf("14× while others used 10%% of the machine: %+v, want a fail", b)
	}
	r.Others = 0.6
	b := r.Budget()
	if b.Void == "" || len(Failed([]Budget{b})) != 0 || !strings.Contains(b.Void, "60%") {
		t.Errorf("others at 60%%: %+v, want void with the share in the reason", b)
	}
}

func TestEvaluate_ThroughputOnABusyMachineIsVoid(t *testing.T) {
	r := passingResults()
	r.LoadOthers = OthersMax + 0.01
	for _, b := range r.Evaluate() {
		if strings.HasPrefix(b.Name, "local /echo throughput") && (b.Void == "" || len(Failed([]Budget{b})) != 0) {
			t.Errorf("throughput while others used %.0f%%: %+v, want void", 100*r.LoadOthers, b)
		}
	}
}
