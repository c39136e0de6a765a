package coldstart

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"
)

// Markdown renders the memory table, its calibration, the decisions and the experiment.
func (t *MemoryTable) Markdown(chart string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("### Memory size: latency and cost under Lambda's CPU share\n\n")
	if t.Unavailable != "" {
		p("**Not measured: %s.** No figures are given without the emulated share: a whole core would make every size look alike.\n\n",
			strings.ReplaceAll(t.Unavailable, "|", "\\|"))
		return b.String()
	}
	p("Each cold start runs in its own %s: CPU quota = memory/%d of one vCPU per %s period, memory limit = the size, no swap. "+
		"Medians of %d cold starts per cell (brackets: interquartile range); warm p50 and p99 over every warm invocation of every cold start "+
		"(%d per cold start). *First answer*: exec to the first response (init + first invoke). Cost: Lambda arm64 requests and duration "+
		"from the measured billed durations (each rounded up to 1 ms; init billed with the first invocation), %.0f%% of requests cold; "+
		"API Gateway REST beside it. Prices: %s (%s).\n\n",
		t.Cgroup, MBPerVCPU, fmtDur(t.Period), t.rounds(), t.warm(), 100*ColdRatio, AWSPrices.Source, AWSPrices.Checked)
	p("| function | MB | init | first invoke | first answer | warm p50 | warm p99 | peak RSS | billed warm / cold | Lambda $/M | + API GW $/M |\n")
	p("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, c := range t.Cells {
		s := c.Summary
		p("| %s | %d | %s [%s–%s] | %s [%s–%s] | %s [%s–%s] | %s | %s | %s | %.1f / %.0f ms | %.4f | %.2f |\n",
			c.Label(), c.MemoryMB, fmtDur(s.Init.Median), fmtDur(s.Init.P25), fmtDur(s.Init.P75),
			fmtDur(s.First.Median), fmtDur(s.First.P25), fmtDur(s.First.P75),
			fmtDur(s.ColdTotal.Median), fmtDur(s.ColdTotal.P25), fmtDur(s.ColdTotal.P75),
			fmtDur(s.WarmP50), fmtDur(s.WarmP99), fmtMB(s.PeakRSSMax), c.Cost.WarmBilledMS, c.Cost.ColdBilledMS,
			c.Cost.LambdaPerMillion, c.Cost.LambdaPerMillion+c.Cost.APIGatewayPerMillion)
	}
	p("\n")
	if chart != "" {
		p("![Latency and cost per memory size](%s)\n\n", chart)
	}
	p("**Calibration** (a single-threaded SHA-256 loop, median of %d runs per size, alternating with runs outside any group; "+
		"unlimited speed from the loop's CPU time, so that other work on the machine does not count):\n\n", t.calRuns())
	p("*Waited*: the loop's wall time in the group less its CPU time; *throttled*: cpu.stat's throttled time over the same "+
		"interval; *contention*: the share of the wall time throttling does not explain, time spent waiting for a core held by "+
		"other work. Past %.0f%% the size is measured again (up to %d attempts) and then declared void, neither pass nor fail.\n\n",
		100*ContentionMax, CalibrationAttempts)
	p("| MB | expected share of a vCPU | measured | error | loop alone (CPU / wall) | loop in the group (wall) | periods throttled | waited / throttled | contention | attempts | within ±%.0f%% |\n|---|---|---|---|---|---|---|---|---|---|---|\n", 100*CalibrationTolerance)
	for _, c := range t.Calibration {
		status := passMark(c.OK())
		if c.Contended() {
			status = "⚪ void (contended)"
		}
		p("| %d | %.3f | %.3f | %+.1f%% | %s / %s | %s | %d | %s / %s | %.0f%% | %d | %s |\n", c.MemoryMB, c.Expected, c.Measured, 100*c.Error(),
			fmtDur(c.Free), fmtDur(c.FreeWall), fmtDur(c.Limited), c.Throttled, fmtDur(c.Waited), fmtDur(c.ThrottledTime),
			100*c.Contention, c.Attempts, status)
	}
	p("\n**Decisions** (the cheapest size whose warm p99 and first answer stay within %.1f× of %d MB's; login at every round trip):\n\n",
		DecisionSlack, MemorySizes[len(MemorySizes)-1])
	p("| function | this run recommends | api-stack/template.yaml | |\n|---|---|---|---|\n")
	for _, d := range t.Decisions {
		note := d.Reason
		if tm := t.Template[d.Function]; d.MemoryMB != 0 && tm != d.MemoryMB {
			note = fmt.Sprintf("differs from the template (%d MB): %s", tm, d.Reason)
		}
		p("| %s | %d MB | %d MB | %s |\n", d.Function, d.MemoryMB, t.Template[d.Function], note)
	}
	p("\n")
	if len(t.Experiments) > 0 {
		p("**Connecting to Cognito during init, under the share** (login at the size this run recommends, %d MB; `bench/coldstart/testdata/loginwarm`):\n\n", t.Experiments[0].MemoryMB)
		p("| RTT | connect during init | init | first login | init + first login | billed cold start | connections |\n|---|---|---|---|---|---|---|\n")
		for _, e := range t.Experiments {
			for _, v := range e.Variants {
				p("| %s | %s | %s | %s | %s [%s–%s] | %.1f ms | %.1f |\n", fmtDur(e.RTT), v.Mode, fmtDur(v.Summary.Init.Median),
					fmtDur(v.Summary.First.Median), fmtDur(v.Summary.ColdTotal.Median), fmtDur(v.Summary.ColdTotal.P25),
					fmtDur(v.Summary.ColdTotal.P75), v.Summary.ColdBilledMS, v.Conns)
			}
		}
		a := AdoptPrewarm(t.Experiments)
		verdict := "**not adopted**: the login function dials nothing during init"
		if a.Adopt {
			verdict = "**adopted (" + a.Mode + ")**"
		}
		p("\nVerdict: %s. Rule: adopt an arm only if at every round trip it lowers init + first login by more than 5%% or 0.5 ms "+
			"and does not raise the billed cold start by more than 1 ms. Best arm: %s.\n\n", verdict, a.Why)
	}
	return b.String()
}

func (t *MemoryTable) rounds() int {
	if len(t.Cells) == 0 {
		return 0
	}
	return t.Cells[0].Summary.N
}

func (t *MemoryTable) warm() int {
	if len(t.Cells) == 0 || t.Cells[0].Summary.N == 0 {
		return 0
	}
	return t.Cells[0].Summary.WarmN / t.Cells[0].Summary.N
}

func (t *MemoryTable) calRuns() int {
	if len(t.Calibration) == 0 {
		return 0
	}
	return t.Calibration[0].Runs
}

// SVG draws, per function row, the first answer (median) and the warm p99 against memory size on a
// logarithmic time axis, and the Lambda cost per million on a second panel.
func (t *MemoryTable) SVG(date time.Time, machine Machine) string {
	const (
		w, h              = 900, 420
		left, top, bottom = 70, 60, 70
		panelW, gap       = 360, 90
	)
	colors := []string{"#4C78A8", "#F58518", "#54A24B", "#B279A2", "#E45756", "#72B7B2"}
	type row struct {
		label string
		cells []MemoryCell
	}
	var rows []row
	for _, c := range t.Cells {
		i := len(rows) - 1
		if i < 0 || rows[i].label != c.Label() {
			rows = append(rows, row{label: c.Label()})
			i++
		}
		rows[i].cells = append(rows[i].cells, c)
	}
	var lo, hi, costHi float64 = math.Inf(1), 0, 0
	for _, c := range t.Cells {
		for _, d := range []time.Duration{c.Summary.ColdTotal.Median, c.Summary.WarmP99} {
			if ms := ms2(d); ms > 0 {
				lo, hi = math.Min(lo, ms), math.Max(hi, ms)
			}
		}
		costHi = math.Max(costHi, c.Cost.LambdaPerMillion)
	}
	if hi == 0 {
		lo, hi = 1, 10
	}
	lo, hi = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	costMax := niceCeil(costHi * 1.1)
	plotH := float64(h - top - bottom)
	xs := func(panel, i int) float64 {
		return float64(left+panel*(panelW+gap)) + (float64(i)+0.5)*float64(panelW)/float64(len(MemorySizes))
	}
	yLog := func(ms float64) float64 {
		return float64(top) + plotH*(1-(math.Log10(ms)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo)))
	}
	yCost := func(v float64) float64 { return float64(top) + plotH*(1-v/costMax) }

	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	p(`<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", w, h)
	p(`<text x="%d" y="22" font-size="15" font-weight="bold">Latency and cost per memory size, under Lambda's emulated CPU share (memory/%d of a vCPU)</text>`+"\n", left, MBPerVCPU)
	p(`<text x="%d" y="40" fill="#555">medians of %d cold starts; %s, %d cores, %s, %s</text>`+"\n", left, t.rounds(),
		html.EscapeString(machine.CPU), machine.Cores, html.EscapeString(machine.Go), date.UTC().Format("2006-01-02"))
	for panel, title := range []string{"first answer (solid) and warm p99 (dashed), ms, log scale", "Lambda $ per million requests (1% cold)"} {
		x0 := left + panel*(panelW+gap)
		p(`<text x="%d" y="%d" fill="#333">%s</text>`+"\n", x0, top-6, title)
		p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`+"\n", x0, h-bottom, x0+panelW, h-bottom)
		for i, mb := range MemorySizes {
			p(`<text x="%.1f" y="%d" text-anchor="middle">%d MB</text>`+"\n", xs(panel, i), h-bottom+16, mb)
		}
	}
	for v := lo; v <= hi*1.0001; v *= 10 {
		p(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end" fill="#555">%s</text>`+"\n",
			left, yLog(v), left+panelW, yLog(v), left-6, yLog(v)+4, trimFloat(v))
	}
	step := costMax / 4
	for i := 0; i <= 4; i++ {
		v := step * float64(i)
		x0 := left + panelW + gap
		p(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end" fill="#555">%.3f</text>`+"\n",
			x0, yCost(v), x0+panelW, yCost(v), x0-6, yCost(v)+4, v)
	}
	line := func(pts []string, color, dash string) {
		if len(pts) > 1 {
			p(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), color, dash)
		}
	}
	for ri, r := range rows {
		color := colors[ri%len(colors)]
		var first, p99, cost []string
		for _, c := range r.cells {
			i := indexOf(MemorySizes, c.MemoryMB)
			if i < 0 {
				continue
			}
			if ms := ms2(c.Summary.ColdTotal.Median); ms > 0 {
				first = append(first, fmt.Sprintf("%.1f,%.1f", xs(0, i), yLog(ms)))
			}
			if ms := ms2(c.Summary.WarmP99); ms > 0 {
				p99 = append(p99, fmt.Sprintf("%.1f,%.1f", xs(0, i), yLog(ms)))
			}
			cost = append(cost, fmt.Sprintf("%.1f,%.1f", xs(1, i), yCost(c.Cost.LambdaPerMillion)))
		}
		line(first, color, "")
		line(p99, color, ` stroke-dasharray="5 4"`)
		line(cost, color, "")
		lx := left + (ri%3)*260
		ly := h - 30 + (ri/3)*16
		p(`<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", lx, ly-10, color, lx+16, ly, html.EscapeString(r.label))
	}
	p("</svg>\n")
	return b.String()
}

func indexOf(xs []int, v int) int {
	for i, x := range xs {
		if x == v {
			return i
		}
	}
	return -1
}
