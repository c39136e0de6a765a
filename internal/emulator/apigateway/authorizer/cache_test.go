package authorizer_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer"
	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
)

// A verified token's claims are remembered, and never past its exp: the same token is still refused
// as expired once exp passes.
func TestVerifiedTokensAreCachedButNeverPastTheirExp(t *testing.T) {
	var offset atomic.Int64
	clock := func() time.Time { return now.Add(time.Duration(offset.Load())) }
	ks := authtest.NewKeySet(t)
	a := newAuthorizer(t, ks, func(c *authorizer.Config) { c.Now = clock })
	key := ks.Key()

	soon := authtest.Sign(t, key, claimsWith(map[string]any{"exp": now.Add(30 * time.Second).Unix()}))
	long := authtest.Sign(t, key, claimsWith(nil)) // exp an hour away
	for _, tok := range []string{soon, long} {
		first, err := a.Authorize(tok)
		if err != nil {
			t.Fatal(err)
		}
		again, err := a.Authorize(tok)
		if err != nil || again["sub"] != first["sub"] || len(again) != len(first) {
			t.Fatalf("second call: %v %v, want the first's claims %v", again, err, first)
		}
	}

	offset.Store(int64(31 * time.Second))
	if _, err := a.Authorize(soon); !errors.Is(err, authorizer.ErrExpired) {
		t.Fatalf("past its exp a cached token gives %v, want ErrExpired", err)
	}
}
