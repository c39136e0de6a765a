package cognito_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/emulator/cognito"
	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkSignInHeapGrowth: after a warm-up, b.N more sign-ins (with refresh tokens, on a journaled
// state) must grow the live heap by less than 2 MB per 1,500 (the memory budget): the
// emulation keeps nothing per sign-in. Run with -benchtime=1500x.
func BenchmarkSignInHeapGrowth(b *testing.B) {
	// The emulator alone (cognitotest would keep every call for Calls()).
	e, err := cognito.New(cognito.Options{Region: "us-east-1", StateDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	srv, err := cognito.Listen(e, "127.0.0.1:0", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: staticCreds{}})
	ctx := context.Background()
	pool, err := c.CreateUserPool(ctx, cognitotest.PoolInput("bench"))
	if err != nil {
		b.Fatal(err)
	}
	client, err := c.CreateUserPoolClient(ctx, cognitotest.ClientInput(*pool.UserPool.Id))
	if err != nil {
		b.Fatal(err)
	}
	name := "bench@example.com"
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool.UserPool.Id, Username: &name, MessageAction: types.MessageActionTypeSuppress}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool.UserPool.Id, Username: &name, Password: aws.String(statePassword), Permanent: true}); err != nil {
		b.Fatal(err)
	}
	signIn := func() {
		if _, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: client.UserPoolClient.ClientId, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": statePassword}}); err != nil {
			b.Fatal(err)
		}
	}
	for range 200 {
		signIn()
	}
	before := heapAfterGC()
	b.ResetTimer()
	for range b.N {
		signIn()
	}
	b.StopTimer()
	growth := float64(heapAfterGC()) - float64(before)
	per1500 := growth / float64(b.N) * 1500
	b.ReportMetric(per1500, "heap-bytes/1500-sign-ins")
	if b.N >= 1500 && per1500 > 2<<20 {
		b.Fatalf("heap grew %.0f bytes over %d sign-ins: past the 2 MB budget per 1,500", growth, b.N)
	}
}

// BenchmarkStartWith1000UsersVsEmpty loads a state of 1,000 users and starts on an empty one (which
// makes its keys), alternately in the same run, and reports warm/empty: the budget is at most 1.2.
func BenchmarkStartWith1000UsersVsEmpty(b *testing.B) {
	warm := b.TempDir()
	seed(b, warm, 1000)
	var tWarm, tEmpty time.Duration
	for i := range b.N {
		empty := filepath.Join(b.TempDir(), fmt.Sprint(i))
		start := time.Now()
		e, err := cognito.New(cognito.Options{Region: "us-east-1", StateDir: empty})
		if err != nil {
			b.Fatal(err)
		}
		tEmpty += time.Since(start)
		e.Close()
		start = time.Now()
		e, err = cognito.New(cognito.Options{Region: "us-east-1", StateDir: warm})
		if err != nil {
			b.Fatal(err)
		}
		tWarm += time.Since(start)
		e.Close()
	}
	ratio := float64(tWarm) / float64(tEmpty)
	b.ReportMetric(ratio, "warm/empty")
	b.ReportMetric(float64(tWarm.Microseconds())/float64(b.N), "warm-µs")
	b.ReportMetric(float64(tEmpty.Microseconds())/float64(b.N), "empty-µs")
	if b.N >= 5 && ratio > 1.2 {
		b.Errorf("a start with 1,000 users took %.2f× an empty start: past the 1.2× budget", ratio)
	}
}

// seed makes a pool with n confirmed users in dir (cheap hashes: loading never verifies them).
func seed(b *testing.B, dir string, n int) {
	b.Helper()
	e, err := cognito.New(cognito.Options{Region: "us-east-1", StateDir: dir, HashIterations: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	srv, err := cognito.Listen(e, "127.0.0.1:0", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: staticCreds{}})
	ctx := context.Background()
	pool, err := c.CreateUserPool(ctx, cognitotest.PoolInput("bench"))
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		name := fmt.Sprintf("user-%04d@example.com", i)
		if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool.UserPool.Id, Username: &name,
			TemporaryPassword: aws.String(statePassword), MessageAction: types.MessageActionTypeSuppress}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "journal.jsonl")); err != nil {
		b.Fatal(err)
	}
}

type staticCreds struct{}

func (staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, nil
}
