package authorizer_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer"
	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
	"github.com/example/cognito-sam-go/internal/testlog"
)

// The background key refresh runs on the real clock inside keyfunc/jwkset. These tests never sleep to
// let it happen: they wait for what it does (a fetch, a logged failure), and a "did not happen" is
// only asserted over a window in which a control authorizer with the same interval did refresh.

// hangGuard bounds every wait: reaching it is a failure (a hang), never a measurement.
const hangGuard = 20 * time.Second

// counter counts events from other goroutines and wakes its one waiter on each.
type counter struct {
	n       atomic.Int64
	changed chan struct{}
}

func newCounter() *counter { return &counter{changed: make(chan struct{}, 1)} }

func (c *counter) add() {
	c.n.Add(1)
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

func (c *counter) load() int64 { return c.n.Load() }

// waitFor blocks until at least n events were counted.
func (c *counter) waitFor(t testing.TB, n int64, what string) {
	t.Helper()
	guard := time.NewTimer(hangGuard)
	defer guard.Stop()
	for c.n.Load() < n {
		select {
		case <-c.changed:
		case <-guard.C:
			t.Fatalf("%s: %d of %d events after %s", what, c.n.Load(), n, hangGuard)
		}
	}
}

// countingHandler counts the records logged with one message.
type countingHandler struct {
	slog.Handler
	message string
	count   *counter
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.message {
		h.count.add()
	}
	return h.Handler.Handle(ctx, r)
}

func (h countingHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return countingHandler{h.Handler.WithAttrs(a), h.message, h.count}
}

func (h countingHandler) WithGroup(name string) slog.Handler {
	return countingHandler{h.Handler.WithGroup(name), h.message, h.count}
}

// refreshFailures is a logger that counts the authorizer's refresh-failure lines into c, writing
// them to w.
func refreshFailures(c *counter, w *testlog.Buffer) *slog.Logger {
	return slog.New(countingHandler{slog.NewTextHandler(w, nil), "authorizer: JWKS refresh failed; cached keys keep serving", c})
}

// flakyJWKS serves its keys, counts the fetches, and can be told to fail, for the outage tests.
type flakyJWKS struct {
	srv      *httptest.Server
	key      authtest.Key
	mode     atomic.Int32
	hits     *counter
	lastPath atomic.Pointer[string]
	mu       sync.Mutex
	keys     []authtest.Key
}

const (
	modeOK int32 = iota
	modeError
	modeGarbage
)

func newFlakyJWKS(t *testing.T) *flakyJWKS {
	t.Helper()
	s := &flakyJWKS{key: authtest.NewKey(t, "key-1"), hits: newCounter()}
	s.keys = []authtest.Key{s.key}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Counted on arrival, before any answer: a caller that got the answer sees the count.
		s.hits.add()
		p := r.URL.Path
		s.lastPath.Store(&p)
		s.mu.Lock()
		body, err := authtest.JWKS(s.keys...)
		s.mu.Unlock()
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		case s.mode.Load() == modeError:
			http.Error(w, "boom", http.StatusInternalServerError)
		case s.mode.Load() == modeGarbage:
			_, _ = w.Write([]byte("<html>not json"))
		default:
			_, _ = w.Write(body)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *flakyJWKS) url() string { return s.srv.URL + "/pool/.well-known/jwks.json" }

// publish adds a key to the set, as Cognito does when it rotates.
func (s *flakyJWKS) publish(k authtest.Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, k)
}

// control starts an authorizer refreshing every interval from a healthy JWKS of its own: the clock
// for the negative checks. It runs until the test ends.
func control(t *testing.T, interval time.Duration) *counter {
	t.Helper()
	s := newFlakyJWKS(t)
	if _, err := authorizer.New(t.Context(), authorizer.Config{Issuer: issuer, JWKSURL: s.url(), RefreshInterval: interval, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	return s.hits
}

// After an unknown kid's refetch, the next unknown kid refetches again once the limit has passed:
// here by waiting for the limiter, as a request may when the wait fits its deadline. The second
// refetch comes at least the limit after the first request began (a lower bound, which load cannot
// break).
func TestUnknownKIDRefetchAllowedAgainAfterLimit(t *testing.T) {
	s := newFlakyJWKS(t)
	const limit = 100 * time.Millisecond
	a, err := authorizer.New(t.Context(), authorizer.Config{
		Issuer: issuer, JWKSURL: s.url(), Now: clock, Logger: quiet, UnknownKIDRefreshLimit: limit,
	})
	if err != nil {
		t.Fatal(err)
	}
	stranger := authtest.Sign(t, authtest.NewKey(t, "unknown"), claimsWith(nil))

	first := time.Now() // before the first refetch takes the limiter's token
	_, _ = a.Authorize(stranger)
	if got := s.hits.load(); got != 2 {
		t.Fatalf("JWKS fetched %d times, want 2 (New + the first refetch)", got)
	}
	_, _ = a.Authorize(stranger)
	if got := s.hits.load(); got != 3 {
		t.Errorf("JWKS fetched %d times, want 3 (New + one refetch per elapsed limit)", got)
	}
	if gap := time.Since(first); gap < limit {
		t.Errorf("second refetch %v after the first: the limit of %v did not hold", gap, limit)
	}
}

func TestPeriodicRefreshPicksUpNewKeys(t *testing.T) {
	s := newFlakyJWKS(t)
	a, err := authorizer.New(t.Context(), authorizer.Config{
		Issuer: issuer, JWKSURL: s.url(), Now: clock, Logger: quiet,
		RefreshInterval: 20 * time.Millisecond, UnknownKIDRefreshLimit: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Use up the one unknown-kid refetch, so only the periodic refresh can find key-2.
	_, _ = a.Authorize(authtest.Sign(t, authtest.NewKey(t, "unknown"), claimsWith(nil)))
	rotated := authtest.NewKey(t, "key-2")
	s.publish(rotated)
	// Fetches are counted as they arrive and the refresh loop makes one at a time: a fetch may have
	// been under way while key-2 was published, the next one has key-2, and the one after that
	// starts only once the authorizer has stored it.
	s.hits.waitFor(t, s.hits.load()+3, "periodic refreshes after the rotation")

	if _, err := a.Authorize(authtest.Sign(t, rotated, claimsWith(nil))); err != nil {
		t.Errorf("new key after a periodic refresh: %v", err)
	}
}

func TestCachedKeysServeWhenJWKSFails(t *testing.T) {
	tests := []struct {
		name string
		fail func(s *flakyJWKS)
	}{
		{"server stopped", func(s *flakyJWKS) { s.srv.Close() }},
		{"server answers 500", func(s *flakyJWKS) { s.mode.Store(modeError) }},
		{"server answers garbage", func(s *flakyJWKS) { s.mode.Store(modeGarbage) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newFlakyJWKS(t)
			var logs testlog.Buffer
			failures := newCounter()
			a, err := authorizer.New(t.Context(), authorizer.Config{
				Issuer: issuer, JWKSURL: s.url(), Now: clock, Logger: refreshFailures(failures, &logs),
				RefreshInterval:        10 * time.Millisecond,
				UnknownKIDRefreshLimit: time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			token := authtest.Sign(t, s.key, claimsWith(nil))
			tc.fail(s)
			failures.waitFor(t, 2, "failed background refreshes")

			// An unknown kid makes it refetch on the request path too; that fails as well.
			if _, err := a.Authorize(authtest.Sign(t, authtest.NewKey(t, "unknown"), claimsWith(nil))); err != authorizer.ErrUnauthorized {
				t.Errorf("unknown kid while the JWKS is down: %v, want ErrUnauthorized", err)
			}
			if _, err := a.Authorize(token); err != nil {
				t.Errorf("cached key stopped verifying: %v", err)
			}
			if strings.Contains(logs.String(), strings.Split(token, ".")[2]) {
				t.Error("a token appears in the logs")
			}
		})
	}
}

func TestNewFailsWithoutJWKS(t *testing.T) {
	tests := []struct {
		name  string
		setup func(s *flakyJWKS)
	}{
		{"server stopped", func(s *flakyJWKS) { s.srv.Close() }},
		{"server answers 500", func(s *flakyJWKS) { s.mode.Store(modeError) }},
		{"server answers garbage", func(s *flakyJWKS) { s.mode.Store(modeGarbage) }},
	}
	const interval = 10 * time.Millisecond
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newFlakyJWKS(t)
			tc.setup(s)
			failures := newCounter()
			a, err := authorizer.New(t.Context(), authorizer.Config{
				Issuer: issuer, JWKSURL: s.url(), RefreshInterval: interval, Logger: refreshFailures(failures, &testlog.Buffer{}),
			})
			if err == nil || a != nil {
				t.Fatalf("New() = %v, %v; want an error", a, err)
			}
			// The library's refresh goroutine starts before the first fetch; a failed New must stop it
			// rather than leak it. A leaked one would fetch (or, from a stopped server, log a failure)
			// every interval. A tick already due when New gave up may still run (and log) within a
			// first window of three control refreshes; none may follow in the next five.
			attempts := func() int64 { return s.hits.load() + failures.load() }
			ticks := control(t, interval)
			ticks.waitFor(t, ticks.load()+3, "control refreshes")
			before := attempts()
			ticks.waitFor(t, ticks.load()+5, "control refreshes")
			if got := attempts(); got != before {
				t.Errorf("JWKS still fetched after New failed (%d -> %d attempts)", before, got)
			}
		})
	}
}

// The background refresh stops when New's ctx is done.
func TestRefreshStopsWithContext(t *testing.T) {
	const interval = 10 * time.Millisecond
	s := newFlakyJWKS(t)
	ctx, cancel := context.WithCancel(t.Context())
	if _, err := authorizer.New(ctx, authorizer.Config{Issuer: issuer, JWKSURL: s.url(), RefreshInterval: interval, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	s.hits.waitFor(t, 2, "a background refresh")
	cancel()
	ticks := control(t, interval)
	// A tick already under way when ctx ended may finish within the first window; none may follow.
	ticks.waitFor(t, ticks.load()+3, "control refreshes")
	after := s.hits.load()
	ticks.waitFor(t, ticks.load()+5, "control refreshes")
	if got := s.hits.load(); got != after {
		t.Errorf("refresh continued after ctx was done (%d -> %d fetches)", after, got)
	}
}
