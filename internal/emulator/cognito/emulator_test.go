package cognito_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/example/cognito-sam-go/internal/emulator/cognito"
	"github.com/example/cognito-sam-go/internal/mototest"
	"github.com/example/cognito-sam-go/internal/testlog"
)

func TestStartServesCognitoOnItsPortAndStopEndsIt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := &testlog.Buffer{}
	em, err := cognito.Start(ctx, cognito.Options{Mailbox: filepath.Join(t.TempDir(), "mail.jsonl"), MailOutput: out, Region: mototest.Region})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			em.Stop()
		}
	}()
	client := cip.New(cip.Options{Region: mototest.Region, BaseEndpoint: aws.String(em.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	pool, err := client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("start")})
	if err != nil {
		t.Fatalf("a call through the emulator: %v", err)
	}
	resp, err := http.Get(em.URL + "/" + aws.ToString(pool.UserPool.Id) + "/.well-known/jwks.json")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("JWKS: %v %v", resp, err)
	}
	resp.Body.Close()

	// The port is the emulator's: a second one on it fails with a clear message.
	_, port, _ := net.SplitHostPort(em.URL[len("http://"):])
	p, _ := strconv.Atoi(port)
	if _, err := cognito.Start(ctx, cognito.Options{Port: p, Mailbox: filepath.Join(t.TempDir(), "m.jsonl"), Region: mototest.Region}); err == nil {
		t.Fatal("a second emulator started on a taken port")
	}

	em.Stop()
	stopped = true
	if _, err := http.Get(em.URL + "/"); err == nil {
		t.Error("the emulator still answers after Stop")
	}
}

func TestStartFailsClearlyWithoutMotoServer(t *testing.T) {
	_, err := cognito.Start(context.Background(), cognito.Options{MotoServer: "no-such-moto-server", Mailbox: filepath.Join(t.TempDir(), "m.jsonl"), Region: mototest.Region})
	if !errors.Is(err, cognito.ErrMotoMissing) {
		t.Fatalf("got %v, want ErrMotoMissing", err)
	}
}
