package coldstart

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ContentionMax is how much of the loop's wall time in a group may go unexplained by the group's own
// throttling before the calibration counts as contended: past it, other processes held the cores,
// and the measured share says nothing about the quota.
const ContentionMax = 0.10

// CalibrationAttempts bounds how often a contended size is measured again before its figures are
// declared void.
const CalibrationAttempts = 3

// CPUStatEnv names the variable through which the calibration loop learns its group's cpu.stat, to
// read the throttling counters over exactly the loop's own interval.
const CPUStatEnv = "COLDSTART_CPU_STAT"

// CPUStat holds a group's CFS bandwidth counters from cpu.stat: the periods the group was active in,
// those it was throttled in, and the total time it spent throttled (cgroup v1 throttled_time in ns,
// v2 throttled_usec; Documentation/scheduler/sched-bwc.rst).
type CPUStat struct {
	Periods, Throttled int64
	ThrottledTime      time.Duration
}

// ParseCPUStat reads a cgroup v1 or v2 cpu.stat.
func ParseCPUStat(s string) (CPUStat, error) {
	var st CPUStat
	var seen int
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return CPUStat{}, fmt.Errorf("cpu.stat: %q: %w", line, err)
		}
		switch k {
		case "nr_periods":
			st.Periods, seen = n, seen|1
		case "nr_throttled":
			st.Throttled, seen = n, seen|2
		case "throttled_time": // v1, nanoseconds
			st.ThrottledTime, seen = time.Duration(n), seen|4
		case "throttled_usec": // v2, microseconds
			st.ThrottledTime, seen = time.Duration(n)*time.Microsecond, seen|4
		}
	}
	if seen != 7 {
		return CPUStat{}, fmt.Errorf("cpu.stat lacks nr_periods, nr_throttled or the throttled time (no CPU quota on the group?): %q", s)
	}
	return st, nil
}

// Sub is the counters' growth from earlier to s.
func (s CPUStat) Sub(earlier CPUStat) CPUStat {
	return CPUStat{Periods: s.Periods - earlier.Periods, Throttled: s.Throttled - earlier.Throttled,
		ThrottledTime: s.ThrottledTime - earlier.ThrottledTime}
}

func readCPUStat(path string) (CPUStat, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return CPUStat{}, err
	}
	return ParseCPUStat(string(b))
}

// SpinRun is one run of the loop inside a group: its wall and CPU time, and the growth of the group's
// cpu.stat over the same interval.
type SpinRun struct {
	Wall, CPU time.Duration
	Stat      CPUStat
}

// Waited is the time the loop was runnable or throttled rather than running.
func (r SpinRun) Waited() time.Duration { return max(r.Wall-r.CPU, 0) }

// Contention is the share of the loop's wall time that its group's throttling does not explain: time
// it waited for a core held by other work. Near 0 when the quota alone paced it.
func (r SpinRun) Contention() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return max(float64(r.Waited()-r.Stat.ThrottledTime)/float64(r.Wall), 0)
}

// Contended says whether the calibration's runs were paced by other work rather than the quota:
// then its error is noise, neither a pass nor a fail.
func (c Calibration) Contended() bool { return c.Contention > ContentionMax }

// VoidReason says why the calibration's figures are void, or "" when they stand.
func (c Calibration) VoidReason() string {
	if !c.Contended() {
		return ""
	}
	return fmt.Sprintf("contended at %d MB after %d attempt(s): the loop waited %s per run of %s, of which cpu.stat's "+
		"throttled time explains %s; the other %.0f%% of its wall time it waited for a core held by other processes, "+
		"not for the quota", c.MemoryMB, max(c.Attempts, 1), fmtDur(c.Waited), fmtDur(c.Limited), fmtDur(c.ThrottledTime), 100*c.Contention)
}

// medianRun is the run whose contention is the median of runs (the lower middle for an even count).
func medianRun(runs []SpinRun) SpinRun {
	if len(runs) == 0 {
		return SpinRun{}
	}
	sorted := slices.SortedFunc(slices.Values(runs), func(a, b SpinRun) int { return cmp.Compare(a.Contention(), b.Contention()) })
	return sorted[(len(sorted)-1)/2]
}
