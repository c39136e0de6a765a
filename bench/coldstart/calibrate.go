package coldstart

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"os/exec"
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
// the group look more generous than it is.
type Calibration struct {
	MemoryMB  int
	Expected  float64       // CPUFraction
	Measured  float64       // unlimited CPU time / wall time in the group, medians
	Free      time.Duration // the loop's median CPU time outside any group
	FreeWall  time.Duration // and its wall time there
	Limited   time.Duration // the loop's median wall time in the group
	Runs      int
	Throttled int64 // periods the group throttled the loop in, over every run
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

// TimeSpin runs Spin(n) and returns its wall time and this process's CPU time over it.
func TimeSpin(n int) (wall, cpu time.Duration, err error) {
	c0, err := processCPU()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	Spin(n)
	wall = time.Since(start)
	c1, err := processCPU()
	return wall, c1 - c0, err
}

// RunSpin runs the command, in g unless g is nil, and returns the loop's wall and CPU times.
func RunSpin(ctx context.Context, mk SpinCommand, rounds int, g *Cgroup) (wall, cpu time.Duration, err error) {
	cmd := mk(rounds)
	var out strings.Builder
	cmd.Stdout = &out
	start := cmd.Start
	if g != nil {
		start = func() error { return g.Start(cmd, cmd.Start) }
	}
	if err := start(); err != nil {
		return 0, 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return 0, 0, fmt.Errorf("spin: %w", err)
		}
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		return 0, 0, ctx.Err()
	}
	return parseSpin(out.String())
}

// parseSpin reads "<wall ns> <cpu ns>".
func parseSpin(s string) (wall, cpu time.Duration, err error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("spin printed %q, want two numbers", s)
	}
	w, err1 := strconv.ParseInt(f[0], 10, 64)
	c, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || w <= 0 || c <= 0 {
		return 0, 0, fmt.Errorf("spin printed %q, want two positive numbers", s)
	}
	return time.Duration(w), time.Duration(c), nil
}

// Calibrate measures, for each size, the loop's speed in a fresh group against its speed outside
// any, runs times each, interleaved so that a busy moment of the machine hits both.
func Calibrate(ctx context.Context, root CgroupRoot, sizes []int, mk SpinCommand, rounds, runs int) ([]Calibration, error) {
	var out []Calibration
	for _, mb := range sizes {
		g, err := root.New("calibrate", mb)
		if err != nil {
			return nil, err
		}
		var free, freeWall, limited []time.Duration
		for range runs {
			fw, fc, err := RunSpin(ctx, mk, rounds, nil)
			if err == nil {
				free, freeWall = append(free, fc), append(freeWall, fw)
				var l time.Duration
				l, _, err = RunSpin(ctx, mk, rounds, g)
				limited = append(limited, l)
			}
			if err != nil {
				_ = g.Remove()
				return nil, fmt.Errorf("calibration at %d MB: %w", mb, err)
			}
		}
		c := Calibration{MemoryMB: mb, Expected: CPUFraction(mb), Free: Median(free), FreeWall: Median(freeWall),
			Limited: Median(limited), Runs: runs}
		if c.Limited > 0 {
			c.Measured = float64(c.Free) / float64(c.Limited)
		}
		c.Throttled, _ = g.Throttled()
		if err := g.Remove(); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
