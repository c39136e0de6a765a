package coldstart

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestLoad_CountsAnsweredRequestsAndLatency(t *testing.T) {
	srv := httptest.NewServer(BaselineHandler())
	defer srv.Close()
	res, err := Load(context.Background(), LoadConfig{URL: srv.URL + "/echo", Body: []byte(`{"a":1}`),
		Clients: 4, Warmup: 20 * time.Millisecond, Duration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors != 0 || res.RPS <= 0 || res.P50 <= 0 || res.P99 < res.P50 || res.Max < res.P99 {
		t.Fatalf("implausible result %+v", res)
	}
	if res.Elapsed < 150*time.Millisecond || res.Elapsed > 300*time.Millisecond {
		t.Fatalf("measured window %v, want about 200ms", res.Elapsed)
	}
}

func TestLoad_BoundedByMaxRequests(t *testing.T) {
	srv := httptest.NewServer(BaselineHandler())
	defer srv.Close()
	res, err := Load(context.Background(), LoadConfig{URL: srv.URL, Body: []byte(`{}`), Clients: 8,
		Duration: 10 * time.Second, MaxRequests: 50})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 50 {
		t.Fatalf("%d requests, want exactly 50", res.Requests)
	}
}

func TestLoad_CountsErrorsAndRefusesABrokenTarget(t *testing.T) {
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++ // one client: no race
		if n%2 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	res, err := Load(context.Background(), LoadConfig{URL: srv.URL, Clients: 1, Duration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors == 0 || len(res.FirstErrors) == 0 {
		t.Fatalf("errors not counted: %+v", res)
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer bad.Close()
	if _, err := Load(context.Background(), LoadConfig{URL: bad.URL, Clients: 2, Duration: time.Second}); err == nil {
		t.Fatal("a target that refuses the probe request must fail the run at once")
	}
}
