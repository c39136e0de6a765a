package coldstart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// LoadConfig is one bounded load run: Clients concurrent clients, each sending the same request back
// to back on its own keep-alive connection, for Warmup (not counted) and then Duration, or until
// MaxRequests have been counted.
type LoadConfig struct {
	URL         string
	Header      http.Header
	Body        []byte
	Clients     int
	Warmup      time.Duration
	Duration    time.Duration
	MaxRequests int // 0: no bound beyond Duration
	WantStatus  int // 0: 200
}

// LoadResult is what a load run measured.
type LoadResult struct {
	Clients     int
	Requests    int // counted requests: answered with WantStatus, or failed
	Errors      int // transport errors and other statuses
	Elapsed     time.Duration
	RPS         float64
	P50, P99    time.Duration
	Max         time.Duration
	FirstErrors []string // up to 5, for the report
}

// Load runs cfg and reports throughput and latency.
func Load(ctx context.Context, cfg LoadConfig) (LoadResult, error) {
	if cfg.Clients < 1 || cfg.Duration <= 0 {
		return LoadResult{}, errors.New("coldstart: Load needs Clients ≥ 1 and a Duration")
	}
	want := cfg.WantStatus
	if want == 0 {
		want = http.StatusOK
	}
	tr := &http.Transport{
		Proxy:               nil, // loopback only, whatever the environment says
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Clients * 2,
		MaxIdleConnsPerHost: cfg.Clients * 2,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	// One request first: a misconfigured run fails here, with the answer, instead of as N errors.
	if status, body, err := do(ctx, client, cfg); err != nil || status != want {
		return LoadResult{}, fmt.Errorf("probe request: status %d, error %v, body %.200q", status, err, body)
	}

	start := time.Now()
	measureFrom := start.Add(cfg.Warmup)
	end := measureFrom.Add(cfg.Duration)
	ctx, cancel := context.WithDeadline(ctx, end.Add(15*time.Second)) // a stuck request cannot hold us
	defer cancel()

	type worker struct {
		lat    []time.Duration
		errors int
		first  []string
	}
	workers := make([]worker, cfg.Clients)
	var (
		mu      sync.Mutex
		counted int
	)
	budget := func() bool { // reserves a slot in MaxRequests
		if cfg.MaxRequests <= 0 {
			return true
		}
		mu.Lock()
		defer mu.Unlock()
		if counted >= cfg.MaxRequests {
			return false
		}
		counted++
		return true
	}
	var wg sync.WaitGroup
	for i := range workers {
		w := &workers[i]
		w.lat = make([]time.Duration, 0, 1<<14)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				t0 := time.Now()
				if !t0.Before(end) || ctx.Err() != nil {
					return
				}
				measuring := !t0.Before(measureFrom)
				if measuring && !budget() {
					return
				}
				status, body, err := do(ctx, client, cfg)
				took := time.Since(t0)
				if !measuring {
					continue
				}
				if err != nil || status != want {
					w.errors++
					if len(w.first) < 5 {
						w.first = append(w.first, fmt.Sprintf("status %d, error %v, body %.120q", status, err, body))
					}
					continue
				}
				w.lat = append(w.lat, took)
			}
		}()
	}
	wg.Wait()
	stop := time.Now()
	if stop.After(end) {
		stop = end // requests still in flight at the end were started inside the window
	}
	var res LoadResult
	res.Clients = cfg.Clients
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.lat...)
		res.Errors += w.errors
		for _, e := range w.first {
			if len(res.FirstErrors) < 5 {
				res.FirstErrors = append(res.FirstErrors, e)
			}
		}
	}
	res.Requests = len(all) + res.Errors
	res.Elapsed = stop.Sub(measureFrom)
	if res.Elapsed > 0 {
		res.RPS = float64(len(all)) / res.Elapsed.Seconds()
	}
	if len(all) > 0 {
		res.P50, res.P99, res.Max = Quantile(all, 0.50), Quantile(all, 0.99), slices.Max(all)
	}
	return res, ctx.Err()
}

func do(ctx context.Context, client *http.Client, cfg LoadConfig) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(cfg.Body))
	if err != nil {
		return 0, nil, err
	}
	for k, vs := range cfg.Header {
		req.Header[k] = vs
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

// BaselineHandler is the throughput baseline: the least a Go HTTP server can do for POST /echo (read
// the body, answer it in a JSON object), with none of the gateway's work (no token check, no proxy
// event, no function, no logging).
func BaselineHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || r.Method != http.MethodPost {
			http.Error(w, `{"message":"Bad Request"}`, http.StatusBadRequest)
			return
		}
		out := make([]byte, 0, len(body)+32)
		out = append(out, `{"body":`...)
		out = append(out, body...)
		out = append(out, `,"claims":{}}`...)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	})
}
