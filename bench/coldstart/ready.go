package coldstart

import (
	"fmt"
	"time"
)

// LocalReadyMax is the budget for the local stack's start with a warm Go build cache (issue 10).
const LocalReadyMax = 5 * time.Second

// ReadyResult is how long the local stack takes to be ready: from the start of cmd/local to its
// outputs.json, which includes building the functions with `make build-<Function>`.
type ReadyResult struct {
	Warm []time.Duration // with this machine's Go build cache, warm from the runs before
	// Cold is one start with GOCACHE pointed at an empty directory: what a first run on a fresh
	// machine pays (reported, not budgeted). Zero when not measured.
	Cold    time.Duration
	ColdErr string
}

// Budget is the warm median against LocalReadyMax.
func (r *ReadyResult) Budget() Budget {
	b := Budget{Name: "`make local` ready (cmd/local start to outputs.json), warm build cache", Limit: "≤ " + fmtDur(LocalReadyMax)}
	if r == nil || len(r.Warm) == 0 {
		b.Measured = "not measured"
		return b
	}
	m := Median(r.Warm)
	b.Measured = fmt.Sprintf("%s (median of %d; %s–%s)", fmtDur(m), len(r.Warm), fmtDur(minDur(r.Warm)), fmtDur(maxDur(r.Warm)))
	b.Pass = m <= LocalReadyMax
	return b
}

func minDur(ds []time.Duration) time.Duration { return Quantile(ds, 0) }
func maxDur(ds []time.Duration) time.Duration { return Quantile(ds, 1) }
