package localstack

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// The stack watches its in-process Cognito: when the emulator stops serving, stopped() says so,
// naming it, and Run returns that error (the stack stops as one).
func TestCognitoThatStopsServingStopsTheStackNamingIt(t *testing.T) {
	lc, err := startCognito(Options{Region: "us-east-1", StateDir: t.TempDir(), CognitoHost: "127.0.0.1",
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer lc.close()
	stopped := lc.stopped()
	lc.srv.Close()
	select {
	case err := <-stopped:
		if !strings.Contains(err.Error(), "Cognito emulator") || !strings.Contains(err.Error(), "stack stops") {
			t.Errorf("error %q does not name the Cognito emulator", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no report 10 s after the emulator stopped serving")
	}
}
