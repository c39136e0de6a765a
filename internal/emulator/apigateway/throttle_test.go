package apigateway_test

import (
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway"
	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
)

// clock is a gateway clock the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestThrottlingPerMethod: /login has its own MethodSettings (rate 10, burst 20 in the fixture),
// which beat the stage's /* (rate 100, burst 200) that /echo uses; past the bucket the answer is
// THROTTLED's 429. The gateway's clock stands still unless the test moves it, so the counts are exact.
func TestThrottlingPerMethod(t *testing.T) {
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	keys := authtest.NewKeySet(t)
	g, err := apigateway.New(t.Context(), apigateway.Config{
		Body: readFile(t, "cors-on.body.json"), Stage: readFile(t, "cors-on.stage.json"), // limits as strings
		Invoker: defaultFuncs(), Pools: map[string]apigateway.Pool{poolARN: {Issuer: issuer, JWKSURL: keys.URL()}},
		Logger: slog.New(slog.DiscardHandler), Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	token := authtest.Sign(t, keys.Key(), authtest.IDClaims(issuer, clk.Now()))
	count := func(path string, n int) (ok, throttled int) {
		for range n {
			req := httptest.NewRequest("POST", path, strings.NewReader("{}"))
			req.Header.Set("Authorization", token)
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, req)
			switch rec.Code {
			case 200:
				ok++
			case 429:
				var body map[string]any
				_ = json.Unmarshal(rec.Body.Bytes(), &body)
				if body["message"] != "Too Many Requests" || rec.Header().Get("Access-Control-Allow-Origin") != origin {
					t.Fatalf("429 body %v, headers %v", body, rec.Header())
				}
				throttled++
			default:
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
		return ok, throttled
	}
	steps := []struct {
		name    string
		advance time.Duration
		path    string
		n, ok   int
	}{
		{"/login: the burst", 0, "/login", 25, 20},
		{"/login: 100 ms refill one token", 100 * time.Millisecond, "/login", 3, 1},
		{"/login: a second refills the rate", time.Second, "/login", 15, 10},
		{"/login: two seconds refill no more than the burst", 2 * time.Second, "/login", 25, 20},
		{"/echo: the stage's burst, untouched by /login's", 0, "/echo", 30, 30},
	}
	for _, s := range steps {
		clk.advance(s.advance)
		if ok, throttled := count(s.path, s.n); ok != s.ok || throttled != s.n-s.ok {
			t.Errorf("%s: %d passed, %d throttled; want %d and %d", s.name, ok, throttled, s.ok, s.n-s.ok)
		}
	}
}

func TestThrottlingSettingsMustBeComplete(t *testing.T) {
	stage := `{"StageName":"v1","MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","ThrottlingRateLimit":5}]}`
	body := string(readFile(t, "cors-off.body.json"))
	_, err := newGatewayErr(t, body, stage)
	if err == nil || !strings.Contains(err.Error(), "ThrottlingBurstLimit") {
		t.Fatalf("error %v", err)
	}
}
