package e2e_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestEcho_Load2000Calls32AtATimeAllCorrect is a bounded load test: every answer must be a 200 that
// echoes its own request's body with the caller's claims.
func TestEcho_Load2000Calls32AtATimeAllCorrect(t *testing.T) {
	// The stage's throttling (100 requests/s by default) raised for a load test, as the contract says.
	s := startStack(t, "-parameter-overrides", "ThrottlingRateLimit=100000 ThrottlingBurstLimit=100000")
	email, password := newEmail(), newPassword()
	s.createUser(t, email, password)
	token := login(t, s, email, password)["id_token"].(string)

	const total, workers = 2000, 32
	jobs := make(chan int)
	errs := make(chan error, total)
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				errs <- echoOnce(client, s.Out.ApiUrl, token, email, i)
			}
		}()
	}
	for i := 0; i < total; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			if failed < 5 {
				t.Error(err)
			}
			failed++
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d calls failed", failed, total)
	}
	t.Logf("%d calls, %d concurrent, in %s", total, workers, time.Since(start).Round(time.Millisecond))
}

func echoOnce(client *http.Client, apiURL, token, email string, i int) error {
	body := fmt.Sprintf(`{"i":%d}`, i)
	req, err := http.NewRequest("POST", apiURL+"/echo", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("call %d: %w", i, err)
	}
	defer resp.Body.Close()
	var got struct {
		Body   map[string]int    `json:"body"`
		Claims map[string]string `json:"claims"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
		return fmt.Errorf("call %d: status %d, decode %v", i, resp.StatusCode, err)
	}
	if got.Body["i"] != i || got.Claims["email"] != email {
		return fmt.Errorf("call %d: answer belongs to another request: %+v", i, got)
	}
	return nil
}

// TestCognitoOutage_LoginFailsFastAndEchoKeepsServingCachedKeys stops the emulator mid-run.
func TestCognitoOutage_LoginFailsFastAndEchoKeepsServingCachedKeys(t *testing.T) {
	s := startStack(t)
	email, password := newEmail(), newPassword()
	s.createUser(t, email, password)
	token := login(t, s, email, password)["id_token"].(string)

	stopEmulator(t, s)

	start := time.Now()
	r := call(t, s, "POST", "/login", mustJSON(map[string]string{"username": email, "password": password}))
	elapsed := time.Since(start)
	if r.status != http.StatusServiceUnavailable && r.status != http.StatusGatewayTimeout {
		t.Fatalf("login during the outage: status %d, want 503 or 504; body %s", r.status, r.body)
	}
	if r.message(t) == "" {
		t.Fatalf("no message: %s", r.body)
	}
	// The login function's timeout in the template is 10 s; the answer must come well inside it.
	if elapsed > 10*time.Second {
		t.Fatalf("login took %s during the outage, past the function's timeout", elapsed)
	}
	echo := call(t, s, "POST", "/echo", `{"still":"here"}`, "Authorization", token)
	assertStatus(t, echo, http.StatusOK)
}

// stopEmulator kills the stack's moto_server (its child, found through /proc on Linux), leaving the
// Cognito layer in front of it answering with nothing behind.
func stopEmulator(t testing.TB, s *stack) {
	t.Helper()
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		raw, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || !strings.Contains(string(raw), "moto_server") {
			continue
		}
		status, err := os.ReadFile(filepath.Join(d, "status"))
		if err != nil || !strings.Contains(string(status), "\nPPid:\t"+strconv.Itoa(s.PID())+"\n") {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill moto_server %d: %v", pid, err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(d); err != nil {
				return
			}
			if st, _ := os.ReadFile(filepath.Join(d, "status")); strings.Contains(string(st), "State:\tZ") {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("moto_server %d still running 5 s after SIGKILL", pid)
	}
	t.Fatalf("no moto_server child of the stack (pid %d)", s.PID())
}
