package e2e_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/localstack/launch"
	"github.com/example/cognito-sam-go/internal/testlog"
)

// rssKiB is the resident memory of process pid (VmRSS, Linux).
func rssKiB(b *testing.B, pid int) int {
	b.Helper()
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// BenchmarkLocalStack_SignInRSSGrowth: after a warm-up, b.N more sign-ins (InitiateAuth on the stack's
// Cognito, which runs in the stack's process) grow the stack's resident memory by less than 2 MB per
// 1,500 (the budget). Run with -benchtime=1500x.
func BenchmarkLocalStack_SignInRSSGrowth(b *testing.B) {
	ls := startAt(b, benchBinary(b), b.TempDir())
	email, password := newEmail(), newPassword()
	if err := ls.CreateUser(context.Background(), email, password); err != nil {
		b.Fatal(err)
	}
	s := &stack{Stack: ls}
	c := s.Admin()
	signIn := func() {
		_, err := c.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: aws.String(s.Out.UserPoolClientId),
			AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password}})
		if err != nil {
			b.Fatal(err)
		}
	}
	// Warm-up: the Go heap of the gateway and the emulator reaches its steady size first.
	for range 1500 {
		signIn()
	}
	before := rssKiB(b, s.PID())
	b.ResetTimer()
	for range b.N {
		signIn()
	}
	b.StopTimer()
	growth := float64(rssKiB(b, s.PID())-before) * 1024
	per1500 := growth / float64(b.N) * 1500
	b.ReportMetric(per1500, "rss-bytes/1500-sign-ins")
	if b.N >= 1500 && per1500 > 2<<20 {
		b.Errorf("the stack's RSS grew %.0f bytes over %d sign-ins: past the 2 MB budget per 1,500", growth, b.N)
	}
}

// BenchmarkLocalStack_WarmStartWith1000UsersVsEmpty starts the stack on an empty Cognito state and on
// one holding 1,000 users, alternately in the same run, until outputs.json (ready), and reports
// warm/empty: the budget is at most 1.2. The empty state is the warm one after `make local-reset`
// (its function builds kept), so that only the Cognito state differs.
func BenchmarkLocalStack_WarmStartWith1000UsersVsEmpty(b *testing.B) {
	bin := benchBinary(b)
	warm := b.TempDir()
	seeded := startAt(b, bin, warm)
	ctx := context.Background()
	for i := range 1000 {
		if err := seeded.CreateUser(ctx, fmt.Sprintf("warm-%04d@example.com", i), "Warm-Start-Pass-1"); err != nil {
			b.Fatal(err)
		}
	}
	if err := seeded.Stop(); err != nil {
		b.Fatal(err)
	}
	var tWarm, tEmpty time.Duration
	for range b.N {
		empty := filepath.Join(b.TempDir(), "state")
		if out, err := exec.Command("cp", "-a", warm, empty).CombinedOutput(); err != nil {
			b.Fatalf("copy the state: %v\n%s", err, out)
		}
		if err := os.RemoveAll(filepath.Join(empty, "cognito")); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		s := startAt(b, bin, empty)
		tEmpty += time.Since(start)
		if err := s.Stop(); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		s = startAt(b, bin, warm)
		tWarm += time.Since(start)
		if err := s.Stop(); err != nil {
			b.Fatal(err)
		}
	}
	ratio := float64(tWarm) / float64(tEmpty)
	b.ReportMetric(ratio, "warm/empty")
	b.ReportMetric(tWarm.Seconds()/float64(b.N), "warm-s")
	b.ReportMetric(tEmpty.Seconds()/float64(b.N), "empty-s")
	if ratio > 1.2 {
		b.Errorf("a start with 1,000 users took %.2f× an empty start: past the 1.2× budget", ratio)
	}
}

func startAt(b *testing.B, bin, state string) *launch.Stack {
	b.Helper()
	logs := &testlog.Buffer{}
	s, err := launch.Start(context.Background(), bin, "../..", state, logs)
	if err != nil {
		b.Fatalf("%v\n%s", err, logs.String())
	}
	b.Cleanup(func() { _ = s.Stop() })
	return s
}

// benchBinary builds cmd/local as `make local` does (no race detector, whose shadow memory and
// slowdown the budgets are not about), once per run.
func benchBinary(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bench-local-")
		if err != nil {
			benchErr = err
			return
		}
		benchBin = filepath.Join(dir, "local")
		if out, err := exec.Command("go", "build", "-o", benchBin, "../../cmd/local").CombinedOutput(); err != nil {
			benchErr = fmt.Errorf("go build ./cmd/local: %v\n%s", err, out)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchBin
}

var (
	benchOnce sync.Once
	benchBin  string
	benchErr  error
)
