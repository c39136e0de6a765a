package coldstart

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ProcessCPU is the CPU time a running child of this process has used, with the children it has
// waited for (proc(5): utime, stime, cutime, cstime), or 0 when it cannot be read. Added to a
// CPUSnapshot's Own, it keeps a running cmd/local's own work (a hot reload's build) from counting
// as other processes' work.
func ProcessCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	d, err := parsePIDStat(string(b))
	if err != nil {
		return 0
	}
	return d
}

// parsePIDStat sums fields 14 to 17 of /proc/<pid>/stat, in USER_HZ ticks; the command name
// (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
func parsePIDStat(s string) (time.Duration, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/<pid>/stat: no command name in %q", s)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3, the state
	if len(f) < 15 {
		return 0, fmt.Errorf("/proc/<pid>/stat: %d fields after the name", len(f))
	}
	var ticks int64
	for _, v := range f[11:15] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/<pid>/stat: %q: %w", v, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}
