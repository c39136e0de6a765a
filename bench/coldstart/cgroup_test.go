package coldstart

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCPUQuota_IsMemoryOver1769OfThePeriodAndNeverBelowTheKernelMinimum(t *testing.T) {
	for _, tc := range []struct {
		mb     int
		period time.Duration
		want   time.Duration
	}{
		{128, 20 * time.Millisecond, 1447 * time.Microsecond},
		{256, 20 * time.Millisecond, 2894 * time.Microsecond},
		{512, 20 * time.Millisecond, 5789 * time.Microsecond},
		{1024, 20 * time.Millisecond, 11577 * time.Microsecond},
		{1769, 20 * time.Millisecond, 20 * time.Millisecond},
		{3538, 20 * time.Millisecond, 40 * time.Millisecond}, // two vCPUs
		{128, 10 * time.Millisecond, time.Millisecond},       // 0.72 ms, raised to the kernel's minimum
	} {
		if got := CPUQuota(tc.mb, tc.period); got != tc.want {
			t.Errorf("CPUQuota(%d MB, %v) = %v, want %v", tc.mb, tc.period, got, tc.want)
		}
	}
}

func TestFindCgroups_ReadsTheControllersAndThisProcesssGroup(t *testing.T) {
	const v1Mounts = `25 20 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
27 25 0:24 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
28 25 0:25 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`
	for _, tc := range []struct {
		name, mounts, self string
		want               CgroupRoot
		wantErr            string
	}{
		{name: "v1 nested memory group", mounts: v1Mounts, self: "4:memory:/process_api/abc\n1:cpu:/\n0::/\n",
			want: CgroupRoot{Version: 1, CPU: "/sys/fs/cgroup/cpu", Memory: "/sys/fs/cgroup/memory/process_api/abc"}},
		{name: "v1 co-mounted cpu,cpuacct", self: "3:cpu,cpuacct:/user.slice\n2:memory:/user.slice\n",
			mounts: "26 25 0:23 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n27 25 0:24 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
			want:   CgroupRoot{Version: 1, CPU: "/sys/fs/cgroup/cpu,cpuacct/user.slice", Memory: "/sys/fs/cgroup/memory/user.slice"}},
		{name: "v1 in a container whose mount root is its own group", self: "5:cpu:/docker/x\n6:memory:/docker/x\n",
			mounts: "26 25 0:23 /docker/x /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n27 25 0:24 /docker/x /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
			want:   CgroupRoot{Version: 1, CPU: "/sys/fs/cgroup/cpu", Memory: "/sys/fs/cgroup/memory"}},
		{name: "v2 unified", self: "0::/user.slice/bench.scope\n",
			mounts: `30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate`,
			want:   CgroupRoot{Version: 2, CPU: "/sys/fs/cgroup/user.slice/bench.scope", Memory: "/sys/fs/cgroup/user.slice/bench.scope"}},
		{name: "v1 without memory and no v2", self: "1:cpu:/\n", wantErr: "no cgroup v1 hierarchy",
			mounts: "26 25 0:23 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu"},
		{name: "no cgroup filesystem", mounts: "1 0 8:1 / / rw - ext4 /dev/sda1 rw", self: "", wantErr: "no cgroup v1 hierarchy"},
		{name: "group outside the mount", self: "1:cpu:/other\n2:memory:/other\n", wantErr: "not visible",
			mounts: "26 25 0:23 /docker/x /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n27 25 0:24 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findCgroups(tc.mounts, tc.self)
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, ErrNoCgroups) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want ErrNoCgroups with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("findCgroups = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestCgroupNew_WritesTheShareAndTheLimitAndRemoveDeletesTheGroup(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version int
		mb      int
		files   map[string]string // relative to the group's directory, "parent/" for the root's
	}{
		{name: "v1 128 MB", version: 1, mb: 128, files: map[string]string{
			"cpu/cpu.cfs_period_us": "20000", "cpu/cpu.cfs_quota_us": "1447",
			"memory/memory.limit_in_bytes": "134217728", "memory/memory.memsw.limit_in_bytes": "134217728"}},
		{name: "v1 1024 MB", version: 1, mb: 1024, files: map[string]string{
			"cpu/cpu.cfs_quota_us": "11577", "memory/memory.limit_in_bytes": "1073741824"}},
		{name: "v2 512 MB", version: 2, mb: 512, files: map[string]string{
			"unified/cpu.max": "5789 20000", "unified/memory.max": "536870912", "unified/memory.swap.max": "0",
			"parent/cgroup.subtree_control": "+cpu +memory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			root := CgroupRoot{Version: tc.version, CPU: filepath.Join(dir, "cpu"), Memory: filepath.Join(dir, "memory")}
			if tc.version == 2 {
				root.CPU, root.Memory = filepath.Join(dir, "unified"), filepath.Join(dir, "unified")
			}
			for _, d := range []string{root.CPU, root.Memory} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			g, err := root.New("echo", tc.mb)
			if err != nil {
				t.Fatal(err)
			}
			if g.Quota != CPUQuota(tc.mb, CFSPeriod) || g.Period != CFSPeriod {
				t.Errorf("quota %v per %v", g.Quota, g.Period)
			}
			for rel, want := range tc.files {
				ctl, file, _ := strings.Cut(rel, "/")
				path := filepath.Join(map[string]string{"cpu": g.CPUDir, "memory": g.MemDir, "unified": g.CPUDir, "parent": root.CPU}[ctl], file)
				got, err := os.ReadFile(path)
				if err != nil || string(got) != want {
					t.Errorf("%s = %q (%v), want %q", rel, got, err, want)
				}
			}
			if !strings.HasPrefix(filepath.Base(g.CPUDir), "coldstart-") || filepath.Dir(g.CPUDir) != root.CPU {
				t.Errorf("group %s is not a coldstart- child of %s", g.CPUDir, root.CPU)
			}
			if err := g.Remove(); err != nil {
				t.Fatal(err)
			}
			for _, d := range []string{g.CPUDir, g.MemDir} {
				if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s still there after Remove (%v)", d, err)
				}
			}
		})
	}
}

func TestCgroupNew_FailsWithErrNoCgroupsWhenTheRootCannotBeWritten(t *testing.T) {
	for _, tc := range []struct {
		name string
		root CgroupRoot
		mb   int
	}{
		{name: "missing root", root: CgroupRoot{Version: 1, CPU: "/nonexistent/cpu", Memory: "/nonexistent/memory"}, mb: 128},
		{name: "v2 without subtree control", root: CgroupRoot{Version: 2, CPU: "/nonexistent", Memory: "/nonexistent"}, mb: 128},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.root.New("x", tc.mb); !errors.Is(err, ErrNoCgroups) {
				t.Fatalf("New: %v, want ErrNoCgroups", err)
			}
		})
	}
}

func TestCgroupStartAndCalibrate_OnThisMachinesCgroups(t *testing.T) {
	root, err := DetectCgroups()
	if err != nil {
		t.Fatalf("cgroups are needed for `make bench`'s memory table: %v (run as root with a writable cgroup v1 cpu and memory hierarchy, or cgroup v2 with both controllers delegated)", err)
	}
	g, err := root.New("test", 128)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Remove(); err != nil {
			t.Error(err)
		}
	})
	// The child reports its own cgroups: it must be born in the group.
	cmd := exec.Command("cat", "/proc/self/cgroup")
	var out strings.Builder
	cmd.Stdout = &out
	if err := g.Start(cmd, cmd.Start); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), filepath.Base(g.CPUDir)) {
		t.Errorf("the child's /proc/self/cgroup does not name the group %s:\n%s", filepath.Base(g.CPUDir), out.String())
	}
	self, _ := os.ReadFile("/proc/thread-self/cgroup")
	if strings.Contains(string(self), "coldstart-") {
		t.Errorf("this thread stayed in a group:\n%s", self)
	}
}

func TestParseSpin_TimesAndTheGroupsCounters(t *testing.T) {
	for _, tc := range []struct {
		in       string
		withStat bool
		want     SpinRun
		ok       bool
	}{
		{"1500 1000\n", false, SpinRun{Wall: 1500, CPU: 1000}, true},
		{"1500 1000 36 31 400\n", true, SpinRun{Wall: 1500, CPU: 1000, Stat: CPUStat{Periods: 36, Throttled: 31, ThrottledTime: 400}}, true},
		{"1500 1000 0 0 0", true, SpinRun{Wall: 1500, CPU: 1000}, true},
		{"1500 1000", true, SpinRun{}, false},
		{"1500", false, SpinRun{}, false},
		{"x 1", false, SpinRun{}, false},
		{"0 5", false, SpinRun{}, false},
		{"1500 1000 1 -1 5", true, SpinRun{}, false},
	} {
		got, err := parseSpin(tc.in, tc.withStat)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseSpin(%q, %v) = %+v, %v", tc.in, tc.withStat, got, err)
		}
	}
}

func TestCalibration_OKWithinTolerance(t *testing.T) {
	for _, tc := range []struct {
		expected, measured float64
		ok                 bool
	}{
		{0.0724, 0.0724, true}, {0.0724, 0.0724 * 1.149, true}, {0.0724, 0.0724 * 0.851, true},
		{0.0724, 0.0724 * 1.16, false}, {0.579, 0.579 * 0.84, false}, {0.579, 0, false},
	} {
		c := Calibration{Expected: tc.expected, Measured: tc.measured}
		if c.OK() != tc.ok {
			t.Errorf("expected %.4f measured %.4f (error %+.3f): OK %v", tc.expected, tc.measured, c.Error(), c.OK())
		}
	}
}
