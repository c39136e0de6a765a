package coldstart

import (
	"fmt"
	"time"
)

// Hot reload budgets (issue 20): a save must reach the new code in about the time the compiler
// needs, and watching must not slow the start it runs beside.
const (
	// ReloadBuildRatioMax and ReloadSlack bound a hot reload, from the save to the new code
	// answering, against the same run's plain build of that function: the watcher's debounce, the
	// swap of execution environments and the first request fit in the slack.
	ReloadBuildRatioMax = 1.5
	ReloadSlack         = time.Second
	// WatchStartRatioMax bounds the warm start with -watch against the same run's start without it.
	WatchStartRatioMax = 1.1
)

// ReloadResult is how long a saved change to a function's code takes to be served by cmd/local
// -watch, with its baseline: `make build-<Function>` of that function alone, with the same cache.
type ReloadResult struct {
	Reloads []time.Duration // save to the first answer from the new code
	Builds  []time.Duration // the function's build alone, one before each reload
	// Others is the highest share of the machine's CPU other processes used (OthersShare): past
	// OthersMax the budget is void.
	Others float64 `json:",omitempty"`
}

// Budget is the reloads' median against ReloadBuildRatioMax times the builds' median plus ReloadSlack.
func (r *ReloadResult) Budget() Budget {
	b := Budget{Name: "hot reload (save to the new code answering) vs a plain build of that function",
		Limit: fmt.Sprintf("≤ %.1f× + %s", ReloadBuildRatioMax, fmtDur(ReloadSlack)), Measured: "not measured"}
	if r == nil || len(r.Reloads) == 0 || len(r.Builds) == 0 || Median(r.Builds) <= 0 {
		return b
	}
	m, base := Median(r.Reloads), Median(r.Builds)
	limit := time.Duration(ReloadBuildRatioMax*float64(base)) + ReloadSlack
	b.Measured = fmt.Sprintf("%s (median of %d, %s–%s; build %s, limit %s)", fmtDur(m), len(r.Reloads),
		fmtDur(minDur(r.Reloads)), fmtDur(maxDur(r.Reloads)), fmtDur(base), fmtDur(limit))
	b.Pass = m <= limit
	b.Void = Busy(r.Others, "the function was reloaded")
	return b
}

// WatchStartResult pairs warm starts of cmd/local with -watch and without, alternating so that a
// drift in the machine's load falls on both.
type WatchStartResult struct {
	Watch, NoWatch []time.Duration // round i is Watch[i] and NoWatch[i]
	Others         float64         `json:",omitempty"` // as in ReloadResult
}

// Budget is the median of the rounds' ratios (with -watch over without) against WatchStartRatioMax.
func (r *WatchStartResult) Budget() Budget {
	b := Budget{Name: "`make local` warm start with watching vs `WATCH=0`",
		Limit: fmt.Sprintf("≤ %.1f×", WatchStartRatioMax), Measured: "not measured"}
	if r == nil || len(r.Watch) == 0 || len(r.Watch) != len(r.NoWatch) {
		return b
	}
	ratios := make([]float64, 0, len(r.Watch))
	for i, w := range r.Watch {
		if r.NoWatch[i] <= 0 {
			return b
		}
		ratios = append(ratios, float64(w)/float64(r.NoWatch[i]))
	}
	x := Median(ratios)
	b.Measured = fmt.Sprintf("%.2f× (median of %d rounds; with %s, without %s)", x, len(ratios),
		fmtDur(Median(r.Watch)), fmtDur(Median(r.NoWatch)))
	b.Pass = x <= WatchStartRatioMax
	b.Void = Busy(r.Others, "the local stack started")
	return b
}
