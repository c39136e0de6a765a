package coldstart

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// OthersMax is the share of the machine's CPU capacity (cores × wall time) other processes may have
// used during a wall-time measurement before its figure is void: past it, the measured processes and
// their baseline competed with work neither controls.
const OthersMax = 0.25

// clockTick is USER_HZ, the unit of /proc/stat: 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// CPUSnapshot is the machine's busy CPU time (/proc/stat) and this process tree's (itself and every
// child it has waited for, which includes theirs), at one moment.
type CPUSnapshot struct {
	At           time.Time
	Machine, Own time.Duration
	Unsupported  bool // no /proc/stat: nothing can be said about other work
}

// TakeCPUSnapshot reads both counters now.
func TakeCPUSnapshot() CPUSnapshot {
	s := CPUSnapshot{At: time.Now()}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return CPUSnapshot{Unsupported: true}
	}
	s.Machine, err = parseProcStat(string(b))
	if err != nil {
		return CPUSnapshot{Unsupported: true}
	}
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) != nil {
			return CPUSnapshot{Unsupported: true}
		}
		s.Own += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return s
}

// parseProcStat is the busy time of the aggregate "cpu" line: user, nice, system, irq, softirq and
// steal (guest time is already inside user), in USER_HZ ticks (proc(5)).
func parseProcStat(s string) (time.Duration, error) {
	line, _, _ := strings.Cut(s, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("/proc/stat: first line %q", line)
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system [idle iowait] irq softirq steal
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat: %q: %w", line, err)
		}
		busy += n
	}
	return time.Duration(busy) * clockTick, nil
}

// OthersShare is the share of the machine's capacity between a and b that processes outside this
// tree used. A child not yet waited for counts as other work: the error is on the side of void.
func OthersShare(a, b CPUSnapshot, cores int) float64 {
	wall := b.At.Sub(a.At)
	if a.Unsupported || b.Unsupported || cores <= 0 || wall <= 0 {
		return 0
	}
	return max(float64((b.Machine-a.Machine)-(b.Own-a.Own))/(float64(cores)*float64(wall)), 0)
}

// Busy is the reason a wall-time figure measured while others used the given share of the machine is
// void, or "" when they left it to the measurement.
func Busy(others float64, while string) string {
	if others <= OthersMax {
		return ""
	}
	return fmt.Sprintf("other processes used %.0f%% of the machine's CPU capacity while %s (limit %.0f%%): they, not the code, set the pace",
		100*others, while, 100*OthersMax)
}
