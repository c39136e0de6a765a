package coldstart

import (
	"strings"
	"testing"
	"time"
)

// Two first lines of /proc/stat read about 2 s apart on the project's 2-core machine on 2026-12-04,
// while other engineers' builds ran: no idle tick in between.
const (
	statBefore = "cpu  524774 52 181918 116806 961 0 1342 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"
	statAfter  = "cpu  525070 52 182036 116806 961 0 1342 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"
)

func TestOthersShare_TellsAMachineOthersHeldFromOneTheMeasurementHeld(t *testing.T) {
	before, err := parseProcStat(statBefore)
	if err != nil {
		t.Fatal(err)
	}
	after, err := parseProcStat(statAfter)
	if err != nil {
		t.Fatal(err)
	}
	if busy := after - before; busy != 4140*time.Millisecond {
		t.Fatalf("busy %v between the recorded lines, want 4.14 s (296 user + 118 system ticks)", busy)
	}
	t0 := time.Date(2026, 12, 4, 10, 20, 0, 0, time.UTC)
	a := CPUSnapshot{At: t0, Machine: before, Own: time.Second}
	for _, tc := range []struct {
		name string
		own  time.Duration // this tree's CPU time over the 2.07 s
		void bool
	}{
		{"others held the cores", 300 * time.Millisecond, true},
		{"the measurement held them", 4 * time.Second, false},
	} {
		b := CPUSnapshot{At: t0.Add(2070 * time.Millisecond), Machine: after, Own: time.Second + tc.own}
		others := OthersShare(a, b, 2)
		if reason := Busy(others, "testing"); (reason != "") != tc.void || (tc.void && !strings.Contains(reason, "testing")) {
			t.Errorf("%s: others %.2f, reason %q, want void %v", tc.name, others, reason, tc.void)
		}
	}
	if OthersShare(a, CPUSnapshot{Unsupported: true}, 2) != 0 {
		t.Error("without /proc/stat the share should be unknown (0), not a guess")
	}
}

func TestParseProcStat_RefusesWhatIsNotTheAggregateLine(t *testing.T) {
	for _, in := range []string{"", "cpu0 1 2 3 4 5 6 7 8 9", "cpu  1 2 3", "cpu  x 2 3 4 5 6 7 8 9"} {
		if _, err := parseProcStat(in); err == nil {
			t.Errorf("parseProcStat(%q): no error", in)
		}
	}
}
