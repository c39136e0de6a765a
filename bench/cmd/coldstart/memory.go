package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/example/cognito-sam-go/bench/coldstart"
)

// templateIDs are the functions' logical ids in api-stack/template.yaml.
var templateIDs = map[string]string{"echo": "EchoFunction", "login": "LoginFunction"}

// bench is what the cold-start runs share: the events, the Cognito emulation and its HTTPS fronts.
type bench struct {
	c                     config
	echoEvent, loginEvent []byte
	cognito               *benchCognito
	fronts                map[time.Duration]*coldstart.TLSFront // by one-way delay
	opts                  coldstart.Options
}

func newBench(c config) (*bench, error) {
	b := &bench{c: c, fronts: map[time.Duration]*coldstart.TLSFront{}}
	var err error
	if b.echoEvent, err = readEvent(c.root, "internal/echo/testdata/echo-request.json"); err != nil {
		return nil, err
	}
	if b.loginEvent, err = readEvent(c.root, "internal/login/testdata/login-request.json"); err != nil {
		return nil, err
	}
	if b.cognito, err = startCognito(context.Background()); err != nil {
		return nil, err
	}
	sharedConfig := filepath.Join(c.work, "aws")
	if err := coldstart.WriteSharedConfig(sharedConfig); err != nil {
		b.close()
		return nil, err
	}
	b.opts = coldstart.Options{Warm: c.warm, Timeout: 30 * time.Second, LogDir: mkdir(c.work, "functions"),
		Region: benchRegion, MemoryMB: 128, SharedConfigDir: sharedConfig}
	return b, nil
}

func (b *bench) close() {
	for _, f := range b.fronts {
		f.Close()
	}
	b.cognito.close()
}

// front is the HTTPS front with an emulated round trip of rtt (half of it each way).
func (b *bench) front(rtt time.Duration) (*coldstart.TLSFront, error) {
	if f, ok := b.fronts[rtt/2]; ok {
		return f, nil
	}
	f, err := coldstart.NewTLSFront(b.cognito.backend(), rtt/2, mkdir(b.c.work, "tls-"+strconv.FormatInt(rtt.Microseconds(), 10)+"us"))
	if err != nil {
		return nil, err
	}
	b.fronts[rtt/2] = f
	return f, nil
}

func (b *bench) bin(name string) string { return filepath.Join(b.c.binDir, name, "bootstrap") }

// function is hello, echo, login or loginwarm (with LOGIN_PREWARM=arm), login's against rtt.
func (b *bench) function(name string, rtt time.Duration, arm string) (coldstart.Function, error) {
	switch name {
	case "hello":
		return coldstart.Function{Name: "hello", Binary: b.bin("hello"), Event: b.echoEvent}, nil
	case "echo":
		return coldstart.Function{Name: "echo", Binary: b.bin("echo"), Event: b.echoEvent, Env: map[string]string{"CORS_ALLOW_ORIGIN": ""}}, nil
	}
	f, err := b.front(rtt)
	if err != nil {
		return coldstart.Function{}, err
	}
	env := map[string]string{
		"USER_POOL_CLIENT_ID":  b.cognito.clientID,
		"COGNITO_CALL_TIMEOUT": "5s",
		// Required by the login function; the bench only signs in, which no password policy checks.
		"PASSWORD_POLICY":                            `{"MinimumLength":6}`,
		"CORS_ALLOW_ORIGIN":                          "",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": f.URL,
		"SSL_CERT_FILE":                              f.CAFile,
		"SSL_CERT_DIR":                               f.CertDir,
	}
	if name == "loginwarm" {
		env["LOGIN_PREWARM"] = arm
		return coldstart.Function{Name: "loginwarm-" + arm, Binary: b.bin("loginwarm"), Event: b.loginEvent, Env: env, Check: loginOK}, nil
	}
	return coldstart.Function{Name: "login", Binary: b.bin("login"), Event: b.loginEvent, Env: env, Check: loginOK}, nil
}

// coldStart runs one cold start and counts the connections it opened to the Cognito front.
func (b *bench) coldStart(ctx context.Context, fn coldstart.Function, rtt time.Duration, opts coldstart.Options) (coldstart.Sample, int64, error) {
	var before int64
	f := b.fronts[rtt/2]
	if f != nil {
		before = f.Accepts()
	}
	s, err := coldstart.ColdStart(ctx, fn, opts)
	if f == nil {
		return s, 0, err
	}
	return s, f.Accepts() - before, err
}

// memoryRow is one row of the memory table: a function, with login's round trip.
type memoryRow struct {
	name string
	rtt  time.Duration
}

// memoryTable measures every function at every size in cgroups with Lambda's share, calibrates the
// share, reads the template's sizes, decides, and reruns the connect-during-init experiment at
// login's template size. Without cgroups it records why and measures nothing.
func memoryTable(ctx context.Context, b *bench, res *coldstart.Results) error {
	c := b.c
	t := &coldstart.MemoryTable{Period: coldstart.CFSPeriod}
	res.Memory = t
	root, err := coldstart.DetectCgroups()
	if err != nil {
		t.Unavailable = err.Error()
		return err
	}
	t.Cgroup = fmt.Sprintf("cgroup v%d under %s", root.Version, root.CPU)
	if root.Memory != root.CPU {
		t.Cgroup += " and " + root.Memory
	}
	logf("memory table: %s, CPU quota per %v period = memory/%d of one vCPU", t.Cgroup, coldstart.CFSPeriod, coldstart.MBPerVCPU)

	self, err := os.Executable()
	if err != nil {
		return err
	}
	spin := func(rounds int) *exec.Cmd {
		cmd := exec.Command(self, "-spin", strconv.Itoa(rounds))
		cmd.Env = []string{"GOMAXPROCS=1"} // one thread: the loop measures one vCPU's share
		cmd.SysProcAttr = coldstart.ChildProcAttr()
		return cmd
	}
	rounds := coldstart.SpinRounds(c.calibrate)
	if t.Calibration, err = coldstart.Calibrate(ctx, root, coldstart.MemorySizes, spin, rounds, 3); err != nil {
		return fmt.Errorf("calibration: %w", err)
	}
	for _, k := range t.Calibration {
		logf("  calibration %4d MB: expected %.3f of a vCPU, measured %.3f (%+.1f%%), %d periods throttled, waited %v of which throttled %v (contention %.0f%%, %d attempt(s))",
			k.MemoryMB, k.Expected, k.Measured, 100*k.Error(), k.Throttled, k.Waited, k.ThrottledTime, 100*k.Contention, k.Attempts)
	}

	if t.Template, err = readTemplateSizes(c.root); err != nil {
		return err
	}
	rows := []memoryRow{{"hello", 0}, {"echo", 0}}
	for _, rtt := range c.rtts {
		rows = append(rows, memoryRow{"login", rtt})
	}
	type key struct {
		row memoryRow
		mb  int
	}
	samples := map[key][]coldstart.Sample{}
	var cells []key
	for _, mb := range coldstart.MemorySizes {
		for _, r := range rows {
			cells = append(cells, key{r, mb})
		}
	}
	logf("memory table: %d rounds of %d cells (%d sizes), %d warm invocations each", c.memRounds, len(cells), len(coldstart.MemorySizes), c.warm)
	opts := b.opts
	opts.Cgroups = &root
	for r := range c.memRounds {
		for k := range cells {
			cell := cells[(r+k)%len(cells)] // each cell takes each position in turn
			fn, err := b.function(cell.row.name, cell.row.rtt, "")
			if err != nil {
				return err
			}
			opts.MemoryMB = cell.mb
			s, _, err := b.coldStart(ctx, fn, cell.row.rtt, opts)
			if err != nil {
				return fmt.Errorf("%d MB: %w", cell.mb, err)
			}
			samples[cell] = append(samples[cell], s)
		}
	}
	for _, k := range cells {
		sum := coldstart.Summarize(k.row.name, samples[k])
		cell := coldstart.MemoryCell{Function: k.row.name, RTT: k.row.rtt, MemoryMB: k.mb, Summary: sum,
			Cost: coldstart.AWSPrices.CostOf(k.mb, sum.WarmBilledMS, sum.ColdBilledMS)}
		t.Cells = append(t.Cells, cell)
		logf("  %-18s %4d MB: init %v, first %v, warm p50 %v p99 %v, RSS %.1f MB, $%.4f/M", cell.Label(), k.mb,
			sum.Init.Median, sum.First.Median, sum.WarmP50, sum.WarmP99, float64(sum.PeakRSSMax)/1e6, cell.Cost.LambdaPerMillion)
	}
	t.Decisions = t.Decide([]string{"echo", "login"})
	for _, d := range t.Decisions {
		logf("  decision %s: %d MB (template: %d MB): %s", d.Function, d.MemoryMB, t.Template[d.Function], d.Reason)
	}
	if c.skipExperiment {
		return nil
	}
	return shareExperiment(ctx, b, t, opts)
}

// readTemplateSizes is the MemorySize of each measured function in api-stack/template.yaml.
func readTemplateSizes(root string) (map[string]int, error) {
	all, err := coldstart.TemplateMemory(filepath.Join(root, "api-stack", "template.yaml"))
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for name, id := range templateIDs {
		mb, ok := all[id]
		if !ok {
			return nil, fmt.Errorf("api-stack/template.yaml has no %s", id)
		}
		out[name] = mb
	}
	return out, nil
}

// shareExperiment is connect-during-init at the size the table recommends for login (the template's
// when it recommends none), at each round trip.
func shareExperiment(ctx context.Context, b *bench, t *coldstart.MemoryTable, opts coldstart.Options) error {
	c := b.c
	opts.MemoryMB = t.Template["login"]
	for _, d := range t.Decisions {
		if d.Function == "login" && d.MemoryMB > 0 {
			opts.MemoryMB = d.MemoryMB
		}
	}
	arms := []string{"off", "sync", "async"}
	for _, rtt := range c.rtts {
		exp := coldstart.Experiment{RTT: rtt, MemoryMB: opts.MemoryMB}
		samples := map[string][]coldstart.Sample{}
		conns := map[string]int64{}
		logf("experiment: connect during init at %d MB, RTT %v, %d rounds of %d arms", opts.MemoryMB, rtt, c.expRounds, len(arms))
		for r := range c.expRounds {
			for k := range arms {
				arm := arms[(r+k)%len(arms)]
				fn, err := b.function("loginwarm", rtt, arm)
				if err != nil {
					return err
				}
				s, n, err := b.coldStart(ctx, fn, rtt, opts)
				if err != nil {
					return err
				}
				conns[arm] += n
				samples[arm] = append(samples[arm], s)
			}
		}
		for _, arm := range arms {
			v := coldstart.Variant{Mode: arm, Summary: coldstart.Summarize(arm, samples[arm]),
				Conns: float64(conns[arm]) / float64(len(samples[arm]))}
			exp.Variants = append(exp.Variants, v)
			logf("  %-5s init %v, first login %v, init+first %v, billed cold %.1f ms, %.1f connections", arm, v.Summary.Init.Median,
				v.Summary.First.Median, v.Summary.ColdTotal.Median, v.Summary.ColdBilledMS, v.Conns)
		}
		t.Experiments = append(t.Experiments, exp)
	}
	a := coldstart.AdoptPrewarm(t.Experiments)
	logf("experiment: adopt=%v (%s)", a.Adopt, a.Why)
	return nil
}

// errNoCgroups marks a run whose memory table could not be measured.
var errNoCgroups = coldstart.ErrNoCgroups

func isNoCgroups(err error) bool { return errors.Is(err, errNoCgroups) }
