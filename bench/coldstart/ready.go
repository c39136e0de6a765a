package coldstart

import (
	"fmt"
	"time"
)

// LocalReadyRatioMax bounds the local stack's start with a warm Go build cache as a multiple of the
// same run's builds of its functions alone (`make build-<Function>`, side by side as cmd/local runs
// them). The rest of the start is mostly the SAM translator in Python, which the baseline does not
// run: on 2026-12-04, with other processes at 6 % of the machine, the start measured 7.5× (2.6 s
// against 0.35 s), so the limit leaves a third of headroom.
const LocalReadyRatioMax = 10.0

// ReadyResult is how long the local stack takes to be ready: from the start of cmd/local to its
// outputs.json, which includes building the functions with `make build-<Function>`.
type ReadyResult struct {
	Warm []time.Duration // with this machine's Go build cache, warm from the runs before
	// Builds is the baseline: the functions' `make build-<Function>` alone, side by side, with the
	// same cache, one before each warm start.
	Builds []time.Duration
	// Others is the highest share of the machine's CPU other processes used during a warm start or
	// its builds (OthersShare): past OthersMax the ratio is void.
	Others float64 `json:",omitempty"`
	// Cold is one start with GOCACHE pointed at an empty directory: what a first run on a fresh
	// machine pays (reported, not budgeted). Zero when not measured.
	Cold    time.Duration
	ColdErr string
}

// Budget is the warm median against LocalReadyRatioMax times the builds' median.
func (r *ReadyResult) Budget() Budget {
	b := Budget{Name: "`make local` ready (cmd/local start to outputs.json) vs its functions' builds alone, warm build cache",
		Limit: fmt.Sprintf("≤ %.1f×", LocalReadyRatioMax), Measured: "not measured"}
	if r == nil || len(r.Warm) == 0 || len(r.Builds) == 0 || Median(r.Builds) <= 0 {
		return b
	}
	m, base := Median(r.Warm), Median(r.Builds)
	x := float64(m) / float64(base)
	b.Measured = fmt.Sprintf("%.2f× (%s, median of %d, %s–%s; builds %s)", x, fmtDur(m), len(r.Warm),
		fmtDur(minDur(r.Warm)), fmtDur(maxDur(r.Warm)), fmtDur(base))
	b.Pass = x <= LocalReadyRatioMax
	b.Void = Busy(r.Others, "the local stack started")
	return b
}

func minDur(ds []time.Duration) time.Duration { return Quantile(ds, 0) }
func maxDur(ds []time.Duration) time.Duration { return Quantile(ds, 1) }
