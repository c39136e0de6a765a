package authorizer

import (
	"strconv"
	"testing"
	"time"
)

// An entry lives until the token's exp or a minute, whichever comes first, and the cache never grows
// past its bound.
func TestVerifiedCacheKeepsAnEntryUntilExpOrAMinuteAtMost(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	claims := map[string]string{"sub": "s"}
	tests := []struct {
		name  string
		exp   time.Duration // after t0
		at    time.Duration // lookup after t0
		found bool
	}{
		{"fresh", time.Hour, 59 * time.Second, true},
		{"a minute at most", time.Hour, 61 * time.Second, false},
		{"before exp", 30 * time.Second, 29 * time.Second, true},
		{"never past exp", 30 * time.Second, 30 * time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c verifiedCache
			c.put("tok", claims, t0.Add(tc.exp), t0)
			got, ok := c.get("tok", t0.Add(tc.at))
			if ok != tc.found || (ok && got["sub"] != "s") {
				t.Fatalf("get = %v, %v; want found %v", got, ok, tc.found)
			}
			if _, ok := c.get("other", t0); ok {
				t.Fatal("a token never put is found")
			}
		})
	}
	var c verifiedCache
	for i := range verifiedEntries + 1 {
		c.put(strconv.Itoa(i), claims, t0.Add(time.Hour), t0)
	}
	if len(c.entries) == 0 || len(c.entries) > verifiedEntries {
		t.Fatalf("%d entries, bound %d", len(c.entries), verifiedEntries)
	}
}
