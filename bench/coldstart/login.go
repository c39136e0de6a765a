package coldstart

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Login signs in through the POST /login of the API at apiURL and returns the ID token.
func Login(ctx context.Context, apiURL, email, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL+"/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		return "", fmt.Errorf("POST /login: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var out struct {
		IDToken string `json:"id_token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil || out.IDToken == "" {
		return "", fmt.Errorf("POST /login: status %d", resp.StatusCode) // the body holds tokens: not shown
	}
	return out.IDToken, nil
}
