package authorizer

import (
	"crypto/sha256"
	"maps"
	"sync"
	"time"
)

// Verifying an RS256 signature is most of a request's cost in the local gateway, and a client sends
// the same ID token again and again. The cache keeps what a verified token's claims formatted to, by
// the token's SHA-256 (never the token itself), for at most verifiedTTL and never past the token's own
// exp, so an expired token is refused as before. API Gateway does not document whether it caches
// Cognito verifications; a minute bounds how long a key removed from the JWKS keeps verifying.
const (
	verifiedTTL     = time.Minute
	verifiedEntries = 10000 // a bound on memory: past it the cache starts over
)

type verified struct {
	claims map[string]string
	until  time.Time
}

type verifiedCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]verified
}

func (c *verifiedCache) get(raw string, now time.Time) (map[string]string, bool) {
	key := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	return maps.Clone(e.claims), true
}

func (c *verifiedCache) put(raw string, claims map[string]string, exp, now time.Time) {
	until := now.Add(verifiedTTL)
	if exp.Before(until) {
		until = exp
	}
	key := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= verifiedEntries {
		c.entries = make(map[[sha256.Size]byte]verified)
	}
	c.entries[key] = verified{claims: maps.Clone(claims), until: until}
}
