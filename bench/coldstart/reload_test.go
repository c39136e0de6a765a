package coldstart

import (
	"strings"
	"testing"
	"time"
)

func TestReloadBudget_LimitIsOneAndAHalfBuildsPlusASecond(t *testing.T) {
	builds := []time.Duration{2 * time.Second, 2 * time.Second}
	for name, tc := range map[string]struct {
		reload time.Duration
		pass   bool
	}{
		"at the limit":     {4 * time.Second, true},
		"just past it":     {4*time.Second + time.Millisecond, false},
		"well within":      {2500 * time.Millisecond, true},
		"ratio alone fits": {3100 * time.Millisecond, true}, // 1.55× the build, inside the slack
	} {
		b := (&ReloadResult{Reloads: []time.Duration{tc.reload}, Builds: builds}).Budget()
		if b.Pass != tc.pass || b.Void != "" {
			t.Errorf("%s: reload %v against builds of 2 s: %+v, want pass=%v", name, tc.reload, b, tc.pass)
		}
	}
}

func TestReloadBudget_ABusyMachineVoidsIt(t *testing.T) {
	r := &ReloadResult{Reloads: []time.Duration{9 * time.Second}, Builds: []time.Duration{2 * time.Second}, Others: 0.1}
	if b := r.Budget(); b.Pass || b.Void != "" {
		t.Errorf("9 s against 2 s builds, others at 10%%: %+v, want a fail", b)
	}
	r.Others = 0.6
	if b := r.Budget(); b.Void == "" || len(Failed([]Budget{b})) != 0 || !strings.Contains(b.Void, "60%") {
		t.Errorf("others at 60%%: %+v, want void with the share in the reason", b)
	}
}

func TestWatchStartBudget_MedianOfTheRoundsRatios(t *testing.T) {
	s := func(ms ...int) []time.Duration {
		out := make([]time.Duration, len(ms))
		for i, m := range ms {
			out[i] = time.Duration(m) * time.Millisecond
		}
		return out
	}
	for name, tc := range map[string]struct {
		watch, noWatch []time.Duration
		pass           bool
	}{
		// One slow watched round (a load spike) does not decide: the median ratio is 1.05×.
		"one outlier":       {s(2100, 4000, 2100), s(2000, 2000, 2000), true},
		"consistently slow": {s(2300, 2300, 2200), s(2000, 2000, 2000), false},
		"at the limit":      {s(2200), s(2000), true},
	} {
		b := (&WatchStartResult{Watch: tc.watch, NoWatch: tc.noWatch}).Budget()
		if b.Pass != tc.pass || b.Void != "" {
			t.Errorf("%s: %+v, want pass=%v", name, b, tc.pass)
		}
	}
}

func TestWatchStartBudget_UnpairedOrBusyIsNotAPass(t *testing.T) {
	unpaired := (&WatchStartResult{Watch: []time.Duration{time.Second, time.Second}, NoWatch: []time.Duration{time.Second}}).Budget()
	if unpaired.Pass || unpaired.Measured != "not measured" {
		t.Errorf("unpaired rounds: %+v, want not measured", unpaired)
	}
	busy := (&WatchStartResult{Watch: []time.Duration{3 * time.Second}, NoWatch: []time.Duration{time.Second}, Others: 0.6}).Budget()
	if busy.Void == "" || len(Failed([]Budget{busy})) != 0 {
		t.Errorf("others at 60%%: %+v, want void", busy)
	}
}

func TestParsePIDStat_SumsOwnAndWaitedChildrenTimesAfterTheName(t *testing.T) {
	// A recorded line of a running cmd/local (2026-12-04), its name changed to hold ") (" and a space.
	const line = "4242 (lo) (cal x) S 4200 4242 4200 0 -1 4194560 9921 51234 0 0 130 27 412 96 20 0 9 0 81234 1289003008 5120 18446744073709551615 1 1 0 0 0 0 0 0 2 0 0 0 17 1 0 0 0 0 0"
	got, err := parsePIDStat(line)
	if want := (130 + 27 + 412 + 96) * clockTick; err != nil || got != want {
		t.Errorf("parsePIDStat = %v, %v; want %v", got, err, want)
	}
	if _, err := parsePIDStat("4242 (local S 1"); err == nil {
		t.Error("a line with no closing parenthesis parsed")
	}
}
