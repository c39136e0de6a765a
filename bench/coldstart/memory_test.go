package coldstart

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBilledMS_RoundsUpToTheMillisecondAtLeastOne(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int64
	}{{0, 1}, {300 * time.Microsecond, 1}, {time.Millisecond, 1}, {1001 * time.Microsecond, 2}, {22500 * time.Microsecond, 23}} {
		if got := BilledMS(tc.d); got != tc.want {
			t.Errorf("BilledMS(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}

func TestCostOf_PricesRequestsAndBilledDurationWithOnePercentCold(t *testing.T) {
	p := Prices{LambdaGBSecond: 0.0000133334, LambdaRequest: 0.20 / 1e6, APIGatewayRESTRequest: 3.50 / 1e6}
	for _, tc := range []struct {
		name       string
		mb         int
		warm, cold float64
		want       float64 // Lambda $ per million
	}{
		// 1e6 × (0.2e-6 + 0.0000133334 × GB × s)
		{"128 MB, 1 ms warm, 100 ms cold", 128, 1, 100, 0.20 + 1e6*0.0000133334*0.125*(0.99*0.001+0.01*0.1)},
		{"1024 MB, 23 ms warm, 86 ms cold", 1024, 23, 86, 0.20 + 1e6*0.0000133334*1*(0.99*0.023+0.01*0.086)},
		{"no duration: the request price alone", 512, 0, 0, 0.20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := p.CostOf(tc.mb, tc.warm, tc.cold)
			if math.Abs(c.LambdaPerMillion-tc.want) > 1e-9 {
				t.Errorf("LambdaPerMillion = %.10f, want %.10f", c.LambdaPerMillion, tc.want)
			}
			if math.Abs(c.APIGatewayPerMillion-3.50) > 1e-9 || c.WarmBilledMS != tc.warm || c.ColdBilledMS != tc.cold {
				t.Errorf("cost %+v", c)
			}
		})
	}
	if got, want := p.ColdCost(1024, 1000), 0.0000133334; math.Abs(got-want) > 1e-15 {
		t.Errorf("ColdCost(1 GB, 1 s) = %g, want %g", got, want)
	}
}

func TestSummarize_PoolsWarmInvocationsAndBillsInitWithTheFirst(t *testing.T) {
	ms := time.Millisecond
	s := Summarize("x", []Sample{
		{Init: 10*ms + 200*time.Microsecond, First: 2 * ms, WarmAll: []time.Duration{ms / 2, ms / 2, 3 * ms}},
		{Init: 20 * ms, First: 500 * time.Microsecond, WarmAll: []time.Duration{ms / 2, 1500 * time.Microsecond}},
	})
	if s.WarmN != 5 || s.WarmP50 != ms/2 {
		t.Errorf("WarmN %d, WarmP50 %v", s.WarmN, s.WarmP50)
	}
	// billed: 1,1,3,1,2 → 8/5; cold: ceil(12.2)=13, ceil(20.5)=21 → 17
	if s.WarmBilledMS != 1.6 || s.ColdBilledMS != 17 {
		t.Errorf("billed warm %.2f cold %.2f, want 1.6 and 17", s.WarmBilledMS, s.ColdBilledMS)
	}
	if s.WarmP99 <= 2*ms || s.WarmP99 > 3*ms {
		t.Errorf("WarmP99 %v, want between 2 and 3 ms", s.WarmP99)
	}
}

// cell builds a table cell from its medians.
func cell(fn string, rtt time.Duration, mb int, init, coldTotal, p99 time.Duration, cost float64) MemoryCell {
	return MemoryCell{Function: fn, RTT: rtt, MemoryMB: mb,
		Summary: Summary{Name: fn, N: 10, Init: Dist{Median: init}, ColdTotal: Dist{Median: coldTotal}, WarmP99: p99},
		Cost:    Cost{LambdaPerMillion: cost, APIGatewayPerMillion: 3.5}}
}

func TestDecide_CheapestSizeWithinSlackOfTheLargestAtEveryRoundTrip(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name  string
		cells []MemoryCell
		fn    string
		want  int
	}{
		{"128 qualifies and is cheapest", []MemoryCell{
			cell("echo", 0, 128, 0, 14*ms, 10*ms, 0.21), cell("echo", 0, 256, 0, 12*ms, 9*ms, 0.22),
			cell("echo", 0, 512, 0, 11*ms, 8*ms, 0.23), cell("echo", 0, 1024, 0, 10*ms, 7*ms, 0.24)}, "echo", 128},
		{"128 too slow cold, 256 cheaper than 512", []MemoryCell{
			cell("echo", 0, 128, 0, 16*ms, 10*ms, 0.21), cell("echo", 0, 256, 0, 15*ms, 10*ms, 0.22),
			cell("echo", 0, 512, 0, 11*ms, 8*ms, 0.23), cell("echo", 0, 1024, 0, 10*ms, 7*ms, 0.24)}, "echo", 256},
		{"p99 decides", []MemoryCell{
			cell("echo", 0, 128, 0, 10*ms, 11*ms, 0.21), cell("echo", 0, 256, 0, 10*ms, 10*ms, 0.22),
			cell("echo", 0, 512, 0, 10*ms, 8*ms, 0.23), cell("echo", 0, 1024, 0, 10*ms, 7*ms, 0.24)}, "echo", 256},
		{"login must qualify at both round trips", []MemoryCell{
			cell("login", ms, 128, 0, 10*ms, 5*ms, 0.2), cell("login", 20*ms, 128, 0, 100*ms, 30*ms, 0.3),
			cell("login", ms, 256, 0, 10*ms, 5*ms, 0.3), cell("login", 20*ms, 256, 0, 60*ms, 30*ms, 0.4),
			cell("login", ms, 512, 0, 10*ms, 5*ms, 0.4), cell("login", 20*ms, 512, 0, 60*ms, 30*ms, 0.5),
			cell("login", ms, 1024, 0, 10*ms, 5*ms, 0.5), cell("login", 20*ms, 1024, 0, 50*ms, 25*ms, 0.6)}, "login", 256},
		{"a cheaper larger size wins", []MemoryCell{
			cell("echo", 0, 128, 0, 10*ms, 7*ms, 0.30), cell("echo", 0, 256, 0, 10*ms, 7*ms, 0.25),
			cell("echo", 0, 512, 0, 10*ms, 7*ms, 0.26), cell("echo", 0, 1024, 0, 10*ms, 7*ms, 0.27)}, "echo", 256},
		{"not measured", nil, "echo", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := MemoryTable{Cells: tc.cells}
			d := tab.Decide([]string{tc.fn})
			if len(d) != 1 || d[0].MemoryMB != tc.want {
				t.Fatalf("Decide = %+v, want %d MB", d, tc.want)
			}
		})
	}
}

func TestMemoryBudgets_InitRatiosAtTheTemplateSizeAndCalibration(t *testing.T) {
	ms := time.Millisecond
	cells := []MemoryCell{
		cell("hello", 0, 128, 100*ms, 0, 0, 0), cell("echo", 0, 128, 105*ms, 0, 0, 0), cell("login", ms, 128, 125*ms, 0, 0, 0),
		cell("hello", 0, 1024, 10*ms, 0, 0, 0), cell("echo", 0, 1024, 12*ms, 0, 0, 0), cell("login", ms, 1024, 14*ms, 0, 0, 0),
		cell("login", 20*ms, 1024, 10*ms, 0, 0, 0), // another round trip: not the one the budget reads
	}
	good := []Calibration{{MemoryMB: 128, Expected: 0.07, Measured: 0.075}}
	bad := []Calibration{{MemoryMB: 128, Expected: 0.07, Measured: 0.09}}
	for _, tc := range []struct {
		name     string
		template map[string]int
		cal      []Calibration
		pass     []bool // echo, login, calibration
	}{
		{"128 MB: both within", map[string]int{"echo": 128, "login": 128}, good, []bool{true, true, true}},
		{"1024 MB: echo 1.2× and login 1.4× miss", map[string]int{"echo": 1024, "login": 1024}, good, []bool{false, false, true}},
		{"calibration off by 29%", map[string]int{"echo": 128, "login": 128}, bad, []bool{true, true, false}},
		{"size not measured", map[string]int{"echo": 256, "login": 128}, good, []bool{false, true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := MemoryTable{Cells: cells, Template: tc.template, Calibration: tc.cal}
			bs := tab.Budgets()
			if len(bs) != 3 {
				t.Fatalf("%d budgets", len(bs))
			}
			for i, b := range bs {
				if b.Pass != tc.pass[i] {
					t.Errorf("%s: pass %v (%s), want %v", b.Name, b.Pass, b.Measured, tc.pass[i])
				}
			}
		})
	}
	un := (&MemoryTable{Unavailable: "no cgroup v1 hierarchy"}).Budgets()
	if len(un) != 1 || un[0].Pass || !strings.Contains(un[0].Measured, "no cgroup v1 hierarchy") {
		t.Errorf("without cgroups: %+v", un)
	}
}

func TestAdoptPrewarm_OnlyFasterAtEveryRoundTripAndNotDearer(t *testing.T) {
	ms := time.Millisecond
	arm := func(mode string, total time.Duration, billed float64) Variant {
		return Variant{Mode: mode, Summary: Summary{ColdTotal: Dist{Median: total}, ColdBilledMS: billed}}
	}
	exp := func(rtt time.Duration, vs ...Variant) Experiment { return Experiment{RTT: rtt, Variants: vs} }
	for _, tc := range []struct {
		name  string
		exps  []Experiment
		adopt bool
		mode  string
	}{
		{"sync faster and as cheap at both", []Experiment{
			exp(ms, arm("off", 50*ms, 50), arm("sync", 40*ms, 50), arm("async", 50*ms, 50)),
			exp(20*ms, arm("off", 90*ms, 90), arm("sync", 70*ms, 90.5), arm("async", 90*ms, 90))}, true, "sync"},
		{"faster but billed more", []Experiment{
			exp(ms, arm("off", 50*ms, 50), arm("sync", 40*ms, 55), arm("async", 50*ms, 50))}, false, "sync"},
		{"faster at one round trip only", []Experiment{
			exp(ms, arm("off", 50*ms, 50), arm("sync", 51*ms, 50), arm("async", 40*ms, 45)),
			exp(20*ms, arm("off", 90*ms, 90), arm("sync", 70*ms, 80), arm("async", 95*ms, 95))}, false, "sync"},
		{"async wins", []Experiment{
			exp(ms, arm("off", 50*ms, 50), arm("sync", 60*ms, 60), arm("async", 40*ms, 50))}, true, "async"},
		{"within noise", []Experiment{
			exp(ms, arm("off", 50*ms, 50), arm("sync", 48*ms, 50), arm("async", 49*ms, 50))}, false, "sync"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := AdoptPrewarm(tc.exps)
			if a.Adopt != tc.adopt || a.Mode != tc.mode {
				t.Errorf("AdoptPrewarm = %+v, want adopt %v mode %s", a, tc.adopt, tc.mode)
			}
		})
	}
}

func TestTemplateMemory_FunctionsOwnSizeElseGlobalsElse128(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       map[string]int
		wantErr    bool
	}{
		{"globals and an override", `Globals:
  Function:
    MemorySize: 256
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: .}
  LoginFunction:
    Type: AWS::Serverless::Function
    Properties:
      MemorySize: 512
      Role: !Ref X
  Api:
    Type: AWS::Serverless::Api
`, map[string]int{"EchoFunction": 256, "LoginFunction": 512}, false},
		{"Lambda's default", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n", map[string]int{"F": 128}, false},
		{"not a number", "Globals:\n  Function:\n    MemorySize: !Ref Mem\nResources: {}\n", nil, true},
		{"out of range", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {MemorySize: 64}\n", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := TemplateMemory(path)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v", err)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %d, want %d", k, got[k], v)
				}
			}
			if !tc.wantErr && len(got) != len(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTemplateMemory_TheAPIStackDeclaresEveryMeasuredFunction(t *testing.T) {
	got, err := TemplateMemory("../../api-stack/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"EchoFunction", "LoginFunction"} {
		if got[id] < 128 {
			t.Errorf("%s: MemorySize %d", id, got[id])
		}
	}
}

func TestMemoryMarkdown_TableDecisionsAndNoFiguresWithoutCgroups(t *testing.T) {
	ms := time.Millisecond
	tab := &MemoryTable{Cgroup: "cgroup v1 under /x", Period: CFSPeriod, Template: map[string]int{"echo": 256},
		Cells:       []MemoryCell{cell("echo", 0, 256, 12*ms, 20*ms, 7*ms, 0.2168), cell("login", 20*ms, 256, 12*ms, 216*ms, 38*ms, 0.2854)},
		Calibration: []Calibration{{MemoryMB: 256, Expected: 0.1447, Measured: 0.135, Runs: 3}},
		Decisions:   []Decision{{Function: "echo", MemoryMB: 512, Reason: "r"}}}
	md := tab.Markdown("memory.svg")
	for _, want := range []string{
		"| echo | 256 | 12.0 ms", "| login (RTT 20.0 ms) | 256 |", "| 0.2854 | 3.79 |", "![Latency and cost per memory size](memory.svg)",
		"| 256 | 0.145 | 0.135 | -6.7% |", "| echo | 512 MB | 256 MB | differs from the template (256 MB)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	svg := tab.SVG(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), Machine{CPU: "AMD <EPYC>", Cores: 2, Go: "go1.26"})
	if !strings.HasPrefix(svg, "<svg") || strings.Count(svg, "<polyline") != 0 || !strings.Contains(svg, "AMD &lt;EPYC&gt;") {
		t.Errorf("SVG: one point per row draws no line, and text is escaped:\n%s", svg)
	}
	none := (&MemoryTable{Unavailable: "cgroups cannot be used: no cgroup v1 hierarchy"}).Markdown("memory.svg")
	if !strings.Contains(none, "Not measured: cgroups cannot be used") || strings.Contains(none, "| MB |") || strings.Contains(none, "memory.svg") {
		t.Errorf("without cgroups the section must say why and hold no figures:\n%s", none)
	}
}
