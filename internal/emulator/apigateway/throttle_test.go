package apigateway_test

import (
	"strings"
	"testing"
)

// TestThrottlingPerMethod: /login has its own MethodSettings (burst 20 in the fixture), which beat
// the stage's /* (burst 200) that /echo uses; past the bucket the answer is THROTTLED's 429.
func TestThrottlingPerMethod(t *testing.T) {
	s := start(t, options{fixture: "cors-on"}) // its stage gives the limits as strings
	token := s.idToken(t, nil)
	count := func(path string, n int) (ok, throttled int) {
		for range n {
			resp, body := s.do(t, "POST", path, "{}", "Authorization", token)
			switch resp.StatusCode {
			case 200:
				ok++
			case 429:
				if body["message"] != "Too Many Requests" || resp.Header.Get("Access-Control-Allow-Origin") != origin {
					t.Fatalf("429 body %v, headers %v", body, resp.Header)
				}
				throttled++
			default:
				t.Fatalf("status %d: %v", resp.StatusCode, body)
			}
		}
		return ok, throttled
	}
	// 30 requests take far less than the 1 s that refills 10 tokens: 20 to 22 pass.
	if ok, throttled := count("/login", 30); ok < 20 || ok > 22 || throttled == 0 {
		t.Fatalf("/login: %d passed, %d throttled; want the burst of 20 (+ refill) to pass", ok, throttled)
	}
	if ok, throttled := count("/echo", 30); throttled != 0 || ok != 30 {
		t.Fatalf("/echo: %d passed, %d throttled; the stage burst is 200", ok, throttled)
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
