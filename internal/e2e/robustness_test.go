package e2e_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
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
