package coldstart

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Spin is the calibration's CPU-bound loop: n rounds of SHA-256 over its own output, no allocation,
// no system call. It returns the digest so that the work cannot be optimised away.
func Spin(n int) [32]byte {
	var h [32]byte
	for range n {
		h = sha256.Sum256(h[:])
	}
	return h
}

// SpinRounds is how many rounds of Spin take about d on this machine, unthrottled.
func SpinRounds(d time.Duration) int {
	const probe = 20000
	start := time.Now()
	Spin(probe)
	per := time.Since(start) / probe
	return max(1, int(d/max(per, time.Nanosecond)))
}

// CalibrationTolerance is how far the measured CPU fraction may be from the expected one.
const CalibrationTolerance = 0.15

// Calibration is the CPU-bound loop's speed inside a memory size's group against outside any.
//
// The unlimited speed is taken from the loop's CPU time outside any group rather than its wall time:
// on a machine shared with other work the wall time also counts waiting for a core, which would make
// the group look more generous than it is. Inside the group the loop waits either because the quota
// throttles it (cpu.stat's throttled time) or because other work holds the cores; Contention tells
// the two apart.
type Calibration struct {
	MemoryMB  int
	Expected  float64       // CPUFraction
	Measured  float64       // unlimited CPU time / wall time in the group, medians
	Free      time.Duration // the loop's median CPU time outside any group
	FreeWall  time.Duration // and its wall time there
	Limited   time.Duration // the loop's median wall time in the group
	Runs      int
	Throttled int64 // periods the group throttled the loop in, over every run
	// Of the run with the median contention: the loop's wall minus CPU time in the group, cpu.stat's
	// throttled time over the same interval, and the unexplained rest as a share of the wall time.
	Waited        time.Duration
	ThrottledTime time.Duration
	Contention    float64
	Attempts      int // measurements of this size, counting reruns after contention
}

// Error is how far Measured is from Expected, relative to Expected (+0.1: 10 % faster than Lambda).
func (c Calibration) Error() float64 { return c.Measured/c.Expected - 1 }

// OK says whether the emulation gives the expected share within CalibrationTolerance.
func (c Calibration) OK() bool {
	return c.Expected > 0 && c.Measured > 0 && math.Abs(c.Error()) <= CalibrationTolerance
}

// SpinCommand builds the command that runs TimeSpin(rounds) once and prints its wall and CPU times in
// nanoseconds (timed inside the process, so that exec and the runtime's start are not counted).
type SpinCommand func(rounds int) *exec.Cmd

// TimeSpin runs Spin(n) and prints its wall time, this process's CPU time over it and, when
// CPUStatEnv names its group's cpu.stat, that file's growth over the same interval:
// "<wall ns> <cpu ns> [<periods> <throttled periods> <throttled ns>]".
func TimeSpin(n int) (string, error) {
	stat := os.Getenv(CPUStatEnv)
	var s0 CPUStat
	var err error
	if stat != "" {
		if s0, err = readCPUStat(stat); err != nil {
			return "", err
		}
	}
	c0, err := processCPU()
	if err != nil {
		return "", err
	}
	start := time.Now()
	Spin(n)
	wall := time.Since(start)
	c1, err := processCPU()
	if err != nil {
		return "", err
	}
	out := fmt.Sprintf("%d %d", wall.Nanoseconds(), (c1 - c0).Nanoseconds())
	if stat == "" {
		return out, nil
	}
	s1, err := readCPUStat(stat)
	if err != nil {
		return "", err
	}
	d := s1.Sub(s0)
	return fmt.Sprintf("%s %d %d %d", out, d.Periods, d.Throttled, d.ThrottledTime.Nanoseconds()), nil
}

// RunSpin runs the command, in g unless g is nil (then with g's cpu.stat named by CPUStatEnv), and
// returns the loop's figures.
func RunSpin(ctx context.Context, mk SpinCommand, rounds int, g *Cgroup) (SpinRun, error) {
	cmd := mk(rounds)
	var out strings.Builder
	cmd.Stdout = &out
	start := cmd.Start
	if g != nil {
		cmd.Env = append(cmd.Env, CPUStatEnv+"="+filepath.Join(g.CPUDir, "cpu.stat"))
		start = func() error { return g.Start(cmd, cmd.Start) }
	}
	if err := start(); err != nil {
		return SpinRun{}, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return SpinRun{}, fmt.Errorf("spin: %w", err)
		}
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		return SpinRun{}, ctx.Err()
	}
	return parseSpin(out.String(), g != nil)
}

// parseSpin reads "<wall ns> <cpu ns>", followed by the three cpu.stat figures when withStat.
func parseSpin(s string, withStat bool) (SpinRun, error) {
	f := strings.Fields(s)
	want := 2
	if withStat {
		want = 5
	}
	if len(f) != want {
		return SpinRun{}, fmt.Errorf("spin printed %q, want %d numbers", s, want)
	}
	n := make([]int64, want)
	for i, v := range f {
		var err error
		if n[i], err = strconv.ParseInt(v, 10, 64); err != nil || n[i] < 0 || (i < 2 && n[i] == 0) {
			return SpinRun{}, fmt.Errorf("spin printed %q, want positive times and counts", s)
		}
	}
	r := SpinRun{Wall: time.Duration(n[0]), CPU: time.Duration(n[1])}
	if withStat {
		r.Stat = CPUStat{Periods: n[2], Throttled: n[3], ThrottledTime: time.Duration(n[4])}
	}
	return r, nil
}

// Calibrate measures, for each size, the loop's speed in a fresh group against its speed outside
// any, runs times each, interleaved so that a busy moment of the machine hits both. A size whose
// runs were contended (Calibration.Contended) is measured again, up to CalibrationAttempts times.
func Calibrate(ctx context.Context, root CgroupRoot, sizes []int, mk SpinCommand, rounds, runs int) ([]Calibration, error) {
	var out []Calibration
	for _, mb := range sizes {
		var c Calibration
		for attempt := 1; attempt <= CalibrationAttempts; attempt++ {
			var err error
			if c, err = calibrateSize(ctx, root, mb, mk, rounds, runs); err != nil {
				return nil, fmt.Errorf("calibration at %d MB: %w", mb, err)
			}
			c.Attempts = attempt
			if !c.Contended() {
				break
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// calibrateSize is one attempt at one size, in a fresh group.
func calibrateSize(ctx context.Context, root CgroupRoot, mb int, mk SpinCommand, rounds, runs int) (Calibration, error) {
	g, err := root.New("calibrate", mb)
	if err != nil {
		return Calibration{}, err
	}
	var free, in []SpinRun
	for range runs {
		f, err := RunSpin(ctx, mk, rounds, nil)
		if err == nil {
			free = append(free, f)
			var l SpinRun
			l, err = RunSpin(ctx, mk, rounds, g)
			in = append(in, l)
		}
		if err != nil {
			_ = g.Remove()
			return Calibration{}, err
		}
	}
	return newCalibration(mb, free, in), g.Remove()
}

// newCalibration sums up the runs of the loop outside any group (free) and in the size's group (in).
func newCalibration(mb int, free, in []SpinRun) Calibration {
	var freeCPU, freeWall, limited []time.Duration
	for _, r := range free {
		freeCPU, freeWall = append(freeCPU, r.CPU), append(freeWall, r.Wall)
	}
	c := Calibration{MemoryMB: mb, Expected: CPUFraction(mb), Free: Median(freeCPU), FreeWall: Median(freeWall), Runs: len(in)}
	for _, r := range in {
		limited = append(limited, r.Wall)
		c.Throttled += r.Stat.Throttled
	}
	c.Limited = Median(limited)
	if c.Limited > 0 {
		c.Measured = float64(c.Free) / float64(c.Limited)
	}
	m := medianRun(in)
	c.Waited, c.ThrottledTime, c.Contention = m.Waited(), m.Stat.ThrottledTime, m.Contention()
	return c
}
