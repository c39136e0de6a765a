package coldstart

import (
	"fmt"
	"slices"
	"time"
)

// MemorySizes are the sizes the memory table measures; the decision compares each with the largest.
var MemorySizes = []int{128, 256, 512, 1024}

// Budgets of the issue "Right-sized functions", at the template's memory size, under the same share.
const (
	ShareEchoInitRatioMax  = 1.1 // echo init ≤ 1.1 × the hello-world baseline's
	ShareLoginInitRatioMax = 1.3 // login init ≤ 1.3 × the baseline's
	// DecisionSlack: a size is good enough when its warm p99 and cold first answer stay within this
	// factor of the largest size's.
	DecisionSlack = 1.5
)

// MemoryCell is one function (login: at one emulated round trip to Cognito) at one memory size.
type MemoryCell struct {
	Function string        // hello, echo, login
	RTT      time.Duration // login's emulated round trip to Cognito; 0 for the others
	MemoryMB int
	Summary  Summary
	Cost     Cost
}

// Label names the cell's row: login at 20 ms is "login (RTT 20 ms)".
func (c MemoryCell) Label() string {
	if c.RTT > 0 {
		return fmt.Sprintf("%s (RTT %s)", c.Function, fmtDur(c.RTT))
	}
	return c.Function
}

// MemoryTable is every function at every size under Lambda's emulated CPU share.
type MemoryTable struct {
	// Unavailable says why nothing was measured (cgroups cannot be used); the rest is then empty.
	Unavailable string
	Cgroup      string // how the share was applied, e.g. "cgroup v1, cpu.cfs_quota_us over 20 ms"
	Period      time.Duration
	Calibration []Calibration
	Cells       []MemoryCell
	// Template is the MemorySize each function has in api-stack/template.yaml (what deploys).
	Template  map[string]int
	Decisions []Decision
	// Experiment is connect-during-init under the share, at login's template size, per round trip.
	Experiments []Experiment
}

// Cell returns the named cell.
func (t *MemoryTable) Cell(fn string, rtt time.Duration, mb int) (MemoryCell, bool) {
	for _, c := range t.Cells {
		if c.Function == fn && c.RTT == rtt && c.MemoryMB == mb {
			return c, true
		}
	}
	return MemoryCell{}, false
}

// rtts are the round trips a function was measured at (a single 0 for all but login).
func (t *MemoryTable) rtts(fn string) []time.Duration {
	var out []time.Duration
	for _, c := range t.Cells {
		if c.Function == fn && !slices.Contains(out, c.RTT) {
			out = append(out, c.RTT)
		}
	}
	slices.Sort(out)
	return out
}

// Decision is the memory size the table recommends for a function.
type Decision struct {
	Function string
	MemoryMB int // 0: no size qualifies (or not measured)
	Reason   string
}

// Decide picks, for each function, the size with the lowest Lambda cost per million among those
// whose warm p99 and cold first answer (exec to first response, median) stay within DecisionSlack of
// the largest size's, at every round trip measured. The largest size always qualifies.
func (t *MemoryTable) Decide(functions []string) []Decision {
	var out []Decision
	for _, fn := range functions {
		d := Decision{Function: fn}
		top := slices.Max(MemorySizes)
		best := -1.0
		for _, mb := range MemorySizes {
			cost, ok := 0.0, true
			for _, rtt := range t.rtts(fn) {
				c, found := t.Cell(fn, rtt, mb)
				ref, foundRef := t.Cell(fn, rtt, top)
				if !found || !foundRef {
					ok = false
					break
				}
				if float64(c.Summary.WarmP99) > DecisionSlack*float64(ref.Summary.WarmP99) ||
					float64(c.Summary.ColdTotal.Median) > DecisionSlack*float64(ref.Summary.ColdTotal.Median) {
					ok = false
					break
				}
				cost = max(cost, c.Cost.LambdaPerMillion)
			}
			if ok && len(t.rtts(fn)) > 0 && (best < 0 || cost < best) {
				best, d.MemoryMB = cost, mb
			}
		}
		if d.MemoryMB == 0 {
			d.Reason = "not measured"
		} else {
			d.Reason = fmt.Sprintf("cheapest (Lambda $%.4f per million) with warm p99 and cold first answer within %.1f× of %d MB's",
				best, DecisionSlack, top)
			if len(t.rtts(fn)) > 1 {
				d.Reason += " at every round trip"
			}
		}
		out = append(out, d)
	}
	return out
}

// Budgets checks the init budgets at each function's template size, against hello at the same size,
// and the calibration.
func (t *MemoryTable) Budgets() []Budget {
	if t.Unavailable != "" {
		return []Budget{{Name: "Lambda CPU share emulated (cgroups)", Measured: "not measured: " + t.Unavailable, Limit: "available"}}
	}
	var out []Budget
	for _, c := range []struct {
		fn    string
		ratio float64
	}{{"echo", ShareEchoInitRatioMax}, {"login", ShareLoginInitRatioMax}} {
		mb := t.Template[c.fn]
		b := Budget{Name: fmt.Sprintf("%s init vs hello-world init at %d MB (template)", c.fn, mb), Limit: fmt.Sprintf("≤ %.1f×", c.ratio)}
		// Init does not depend on the round trip: login's rows are pooled by taking the lowest RTT's.
		rtts := t.rtts(c.fn)
		fnCell, ok1 := MemoryCell{}, false
		if len(rtts) > 0 {
			fnCell, ok1 = t.Cell(c.fn, rtts[0], mb)
		}
		hello, ok2 := t.Cell("hello", 0, mb)
		if ok1 && ok2 && hello.Summary.Init.Median > 0 {
			x := float64(fnCell.Summary.Init.Median) / float64(hello.Summary.Init.Median)
			b.Measured = fmt.Sprintf("%.2f× (%s vs %s)", x, fmtDur(fnCell.Summary.Init.Median), fmtDur(hello.Summary.Init.Median))
			b.Pass = x <= c.ratio
		} else {
			b.Measured = "not measured"
		}
		out = append(out, b)
	}
	cal := Budget{Name: "CPU share calibration (CPU-bound loop)", Limit: fmt.Sprintf("within ±%.0f%% of memory/%d", 100*CalibrationTolerance, MBPerVCPU)}
	if len(t.Calibration) == 0 {
		cal.Measured = "not measured"
		return append(out, cal)
	}
	cal.Pass = true
	worst := t.Calibration[0]
	for _, c := range t.Calibration {
		cal.Pass = cal.Pass && c.OK()
		if abs(c.Error()) > abs(worst.Error()) {
			worst = c
		}
		if cal.Void == "" {
			cal.Void = c.VoidReason()
		}
	}
	cal.Measured = fmt.Sprintf("worst %+.1f%% (%d MB)", 100*worst.Error(), worst.MemoryMB)
	if cal.Void != "" {
		// The figures under the share rest on the calibration: contended, they measured the machine.
		for i := range out {
			out[i].Void = "measured under a CPU share whose calibration was contended"
		}
	}
	return append(out, cal)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// Adoption is the connect-during-init decision under the share, over every round trip measured.
type Adoption struct {
	Adopt bool
	Mode  string // the arm adopted, or the best arm considered
	Why   string
}

// AdoptPrewarm adopts an arm of the experiments only if, at every round trip, it lowers init + first
// login (median) by more than noise (5 % or 0.5 ms) and does not raise the cold start's mean billed
// duration (init and first invocation, billed together) by more than 1 ms.
func AdoptPrewarm(exps []Experiment) Adoption {
	if len(exps) == 0 {
		return Adoption{Why: "not measured"}
	}
	var best Adoption
	for _, mode := range []string{"sync", "async"} {
		ok, why := true, ""
		for _, e := range exps {
			off, arm, found := e.arms(mode)
			if !found {
				ok, why = false, "arm missing"
				break
			}
			gain := off.ColdTotal.Median - arm.ColdTotal.Median
			bar := max(off.ColdTotal.Median/20, 500*time.Microsecond)
			dcost := arm.ColdBilledMS - off.ColdBilledMS
			why += fmt.Sprintf("; RTT %s: init + first login %s vs %s off (%s), billed cold start %+.1f ms",
				fmtDur(e.RTT), fmtDur(arm.ColdTotal.Median), fmtDur(off.ColdTotal.Median), fmtSigned(-gain), dcost)
			if gain <= bar || dcost > 1 {
				ok = false
			}
		}
		a := Adoption{Adopt: ok, Mode: mode, Why: mode + why}
		if ok {
			return a
		}
		if best.Mode == "" {
			best = a
		}
	}
	return best
}

// arms returns the summaries of the off arm and of mode.
func (e *Experiment) arms(mode string) (off, arm Summary, ok bool) {
	var gotOff, gotArm bool
	for _, v := range e.Variants {
		switch v.Mode {
		case "off":
			off, gotOff = v.Summary, true
		case mode:
			arm, gotArm = v.Summary, true
		}
	}
	return off, arm, gotOff && gotArm
}
