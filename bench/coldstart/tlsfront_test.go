package coldstart

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

const (
	frontUser     = "front@example.com"
	frontPassword = "Correct-Horse-9!"
)

// clientFor trusts only the front's CA bundle, as SSL_CERT_FILE makes the function do.
func clientFor(t *testing.T, f *TLSFront) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(f.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("CA bundle holds no certificate")
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// signIn posts a USER_PASSWORD_AUTH InitiateAuth for the stack's confirmed user through c to url.
func signIn(t *testing.T, c *http.Client, url string, cog *cognitotest.Stack) int {
	t.Helper()
	body := fmt.Sprintf(`{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":%q,"AuthParameters":{"USERNAME":%q,"PASSWORD":%q}}`,
		cog.ClientID, frontUser, frontPassword)
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestTLSFront_ServesTheBackendOverVerifiedTLSAndKeepsConnections(t *testing.T) {
	cog := cognitotest.Start(t)
	cog.ConfirmedUser(t, frontUser, frontPassword)
	f, err := NewTLSFront(strings.TrimPrefix(cog.URL, "http://"), 0, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := clientFor(t, f)
	for range 3 {
		if got := signIn(t, c, f.URL+"/", cog); got != http.StatusOK {
			t.Fatalf("status %d", got)
		}
	}
	if n := f.Accepts(); n != 1 {
		t.Fatalf("%d connections for 3 keep-alive requests, want 1", n)
	}
	signIns := 0
	for _, call := range cog.Calls() {
		if call.Operation == "InitiateAuth" {
			signIns++
		}
	}
	if signIns != 3 {
		t.Fatalf("the emulation got %d InitiateAuth calls, want 3", signIns)
	}
}

func TestTLSFront_DelaysEachRoundTrip(t *testing.T) {
	cog := cognitotest.Start(t)
	cog.ConfirmedUser(t, frontUser, frontPassword)
	const oneWay = 10 * time.Millisecond
	f, err := NewTLSFront(strings.TrimPrefix(cog.URL, "http://"), oneWay, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := clientFor(t, f)
	start := time.Now()
	signIn(t, c, f.URL+"/", cog) // TLS 1.3 handshake (one round trip) plus the request (one)
	if took := time.Since(start); took < 4*oneWay {
		t.Fatalf("first request took %v, want at least two round trips (%v)", took, 4*oneWay)
	}
	start = time.Now()
	signIn(t, c, f.URL+"/", cog) // the request alone
	if took := time.Since(start); took < 2*oneWay {
		t.Fatalf("second request took %v, want at least one round trip (%v)", took, 2*oneWay)
	}
}
