package coldstart

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Lambda's CPU share: "Lambda allocates CPU power in proportion to the amount of memory configured.
// [...] At 1,769 MB, a function has the equivalent of one vCPU (one vCPU-second of credits per
// second)." (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html)
const MBPerVCPU = 1769

// CFSPeriod is the scheduler period the CPU quota is enforced over. AWS does not document Lambda's;
// within a period a throttled process runs at full speed until its quota is spent and then waits for
// the next one, so a long period lets short bursts (a TLS handshake) run unthrottled. 20 ms is the
// shortest period at which 128 MB's quota (1.45 ms) stays above the kernel's 1 ms minimum, which makes
// the share the closest to a uniformly slower CPU: the pessimistic side for latency.
const CFSPeriod = 20 * time.Millisecond

// minQuota is the kernel's least cfs_quota_us (kernel/sched/core.c, min_cfs_quota_period).
const minQuota = time.Millisecond

// CPUFraction is the share of one vCPU Lambda gives a function of memoryMB.
func CPUFraction(memoryMB int) float64 { return float64(memoryMB) / MBPerVCPU }

// CPUQuota is the CPU time per period for memoryMB, never below the kernel's minimum. Above 1,769 MB
// it exceeds the period: more than one vCPU, as Lambda gives.
func CPUQuota(memoryMB int, period time.Duration) time.Duration {
	q := time.Duration(float64(period) * CPUFraction(memoryMB))
	return max(q.Round(time.Microsecond), minQuota)
}

// CgroupRoot is where the harness may create cgroups: for cgroup v1 the directories of this process's
// own cgroup in the cpu and memory hierarchies, for v2 its own cgroup in the unified hierarchy (CPU and
// Memory then name the same directory). New groups are children of these, so that whatever limits
// this process already has still bind them.
type CgroupRoot struct {
	Version     int // 1 or 2
	CPU, Memory string
}

// ErrNoCgroups wraps every reason the CPU share cannot be emulated.
var ErrNoCgroups = errors.New("cgroups cannot be used to emulate Lambda's CPU share")

// DetectCgroups finds this process's cgroups from /proc/self/mountinfo and /proc/self/cgroup and
// checks that a child group can be created in them; the error says why not.
func DetectCgroups() (CgroupRoot, error) {
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return CgroupRoot{}, fmt.Errorf("%w: %v", ErrNoCgroups, err)
	}
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return CgroupRoot{}, fmt.Errorf("%w: %v", ErrNoCgroups, err)
	}
	root, err := findCgroups(string(mounts), string(self))
	if err != nil {
		return CgroupRoot{}, err
	}
	if err := root.probe(); err != nil {
		return CgroupRoot{}, err
	}
	return root, nil
}

// findCgroups reads a mountinfo and a /proc/<pid>/cgroup: v1 when both the cpu and the memory
// controllers are mounted as v1 hierarchies, else v2 when the unified hierarchy offers both.
func findCgroups(mountinfo, self string) (CgroupRoot, error) {
	type mount struct{ point, root string }
	v1 := map[string]mount{} // controller -> its hierarchy's mount
	var v2 *mount
	for _, line := range strings.Split(mountinfo, "\n") {
		// id parent major:minor root mountpoint options [optional...] - fstype source superoptions
		pre, post, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 5 || len(g) < 3 {
			continue
		}
		m := mount{point: unescapeMount(f[4]), root: unescapeMount(f[3])}
		switch g[0] {
		case "cgroup":
			for _, opt := range strings.Split(g[2], ",") {
				if opt == "cpu" || opt == "memory" {
					v1[opt] = m
				}
			}
		case "cgroup2":
			v2 = &m
		}
	}
	paths := map[string]string{} // v1 controller, or "" for v2 -> this process's cgroup path
	for _, line := range strings.Split(self, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			paths[""] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			paths[c] = parts[2]
		}
	}
	join := func(m mount, path string) (string, bool) {
		rel, err := filepath.Rel(m.root, path)
		if err != nil || strings.HasPrefix(rel, "..") {
			return "", false // this process's cgroup is outside what is mounted here
		}
		return filepath.Join(m.point, rel), true
	}
	cpuM, okC := v1["cpu"]
	memM, okM := v1["memory"]
	if okC && okM {
		cpu, ok1 := join(cpuM, paths["cpu"])
		mem, ok2 := join(memM, paths["memory"])
		if ok1 && ok2 && paths["cpu"] != "" && paths["memory"] != "" {
			return CgroupRoot{Version: 1, CPU: cpu, Memory: mem}, nil
		}
		return CgroupRoot{}, fmt.Errorf("%w: this process's cpu and memory cgroups are not visible under their mounts", ErrNoCgroups)
	}
	if v2 != nil && !okC && !okM {
		dir, ok := join(*v2, paths[""])
		if !ok || paths[""] == "" {
			return CgroupRoot{}, fmt.Errorf("%w: this process's cgroup is not visible under %s", ErrNoCgroups, v2.point)
		}
		return CgroupRoot{Version: 2, CPU: dir, Memory: dir}, nil
	}
	return CgroupRoot{}, fmt.Errorf("%w: no cgroup v1 hierarchy with both the cpu and memory controllers, and no cgroup v2 hierarchy offering them", ErrNoCgroups)
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// probe creates and removes a child group, with the controllers a v2 group needs enabled.
func (r CgroupRoot) probe() error {
	if r.Version == 2 {
		ctl, err := os.ReadFile(filepath.Join(r.CPU, "cgroup.controllers"))
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNoCgroups, err)
		}
		have := strings.Fields(string(ctl))
		if !contains(have, "cpu") || !contains(have, "memory") {
			return fmt.Errorf("%w: %s offers controllers %q, not both cpu and memory (delegate them, e.g. systemd-run --user -p Delegate=yes)",
				ErrNoCgroups, r.CPU, have)
		}
	}
	g, err := r.New("probe", 128)
	if err != nil {
		return err
	}
	return g.Remove()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Cgroup is one group with Lambda's CPU share and memory limit for a memory size.
type Cgroup struct {
	Version  int
	MemoryMB int
	Period   time.Duration
	Quota    time.Duration
	CPUDir   string // v2: the same as MemDir
	MemDir   string
}

var cgroupSeq atomic.Int64

// New creates a child group named coldstart-<pid>-<seq>-<name> with the CPU quota and memory limit of
// memoryMB (no swap: Lambda has none), over CFSPeriod.
func (r CgroupRoot) New(name string, memoryMB int) (*Cgroup, error) {
	if memoryMB <= 0 {
		return nil, fmt.Errorf("coldstart: cgroup for %d MB", memoryMB)
	}
	base := fmt.Sprintf("coldstart-%d-%d-%s", os.Getpid(), cgroupSeq.Add(1), name)
	g := &Cgroup{Version: r.Version, MemoryMB: memoryMB, Period: CFSPeriod, Quota: CPUQuota(memoryMB, CFSPeriod),
		CPUDir: filepath.Join(r.CPU, base), MemDir: filepath.Join(r.Memory, base)}
	limit := strconv.FormatInt(int64(memoryMB)<<20, 10)
	us := func(d time.Duration) string { return strconv.FormatInt(d.Microseconds(), 10) }
	var writes [][2]string // file, value, in order
	switch r.Version {
	case 1:
		writes = [][2]string{
			{filepath.Join(g.CPUDir, "cpu.cfs_period_us"), us(g.Period)},
			{filepath.Join(g.CPUDir, "cpu.cfs_quota_us"), us(g.Quota)},
			{filepath.Join(g.MemDir, "memory.limit_in_bytes"), limit},
			{filepath.Join(g.MemDir, "memory.memsw.limit_in_bytes"), limit}, // only with swap accounting
		}
	case 2:
		// Children get the controllers only when the parent enables them for its subtree.
		if err := writeFile(filepath.Join(r.CPU, "cgroup.subtree_control"), "+cpu +memory"); err != nil {
			return nil, fmt.Errorf("%w: enable cpu and memory for %s's children: %v", ErrNoCgroups, r.CPU, err)
		}
		writes = [][2]string{
			{filepath.Join(g.CPUDir, "cpu.max"), us(g.Quota) + " " + us(g.Period)},
			{filepath.Join(g.MemDir, "memory.max"), limit},
			{filepath.Join(g.MemDir, "memory.swap.max"), "0"},
		}
	default:
		return nil, fmt.Errorf("coldstart: cgroup version %d", r.Version)
	}
	for _, d := range g.dirs() {
		if err := os.Mkdir(d, 0o755); err != nil {
			_ = g.Remove()
			return nil, fmt.Errorf("%w: %v", ErrNoCgroups, err)
		}
	}
	for _, w := range writes {
		err := writeFile(w[0], w[1])
		if err != nil && optional(w[0]) && errors.Is(err, os.ErrNotExist) && g.onCgroupFS() {
			continue
		}
		if err != nil {
			_ = g.Remove()
			return nil, fmt.Errorf("%w: %s: %v", ErrNoCgroups, w[0], err)
		}
	}
	return g, nil
}

// optional files exist only with swap (accounting) configured.
func optional(path string) bool {
	b := filepath.Base(path)
	return b == "memory.memsw.limit_in_bytes" || b == "memory.swap.max"
}

// writeFile writes to an existing cgroup file; in a plain directory (tests' fake roots) it creates it.
func writeFile(path, value string) error {
	flags := os.O_WRONLY | os.O_TRUNC
	if !onCgroupFS(filepath.Dir(path)) {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (g *Cgroup) dirs() []string {
	if g.CPUDir == g.MemDir {
		return []string{g.CPUDir}
	}
	return []string{g.CPUDir, g.MemDir}
}

// parents are the groups of this process the group was created in.
func (g *Cgroup) parents() []string {
	var out []string
	for _, d := range g.dirs() {
		out = append(out, filepath.Dir(d))
	}
	return out
}

func (g *Cgroup) onCgroupFS() bool { return onCgroupFS(g.CPUDir) }

// removeWait bounds how long Remove waits for the group to empty: the thread Start moved into a v1
// group leaves it only when Go has destroyed it, a moment after the start.
const removeWait = 3 * time.Second

// Remove deletes the group once its processes have exited. On a cgroup filesystem rmdir removes a
// group with its interface files (EBUSY while a task is left: retried); anywhere else (a test's fake
// root) they are ordinary files.
func (g *Cgroup) Remove() error {
	var errs []error
	for _, d := range g.dirs() {
		if !onCgroupFS(d) {
			errs = append(errs, os.RemoveAll(d))
			continue
		}
		deadline := time.Now().Add(removeWait)
		for {
			err := os.Remove(d)
			if err == nil || errors.Is(err, os.ErrNotExist) {
				break
			}
			if !errors.Is(err, syscall.EBUSY) || time.Now().After(deadline) {
				errs = append(errs, fmt.Errorf("remove cgroup: %w", err))
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return errors.Join(errs...)
}

// Throttled is how many periods the group's processes were throttled in, from cpu.stat.
func (g *Cgroup) Throttled() (int64, error) {
	st, err := readCPUStat(filepath.Join(g.CPUDir, "cpu.stat"))
	return st.Throttled, err
}
