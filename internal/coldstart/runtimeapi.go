// Package coldstart measures the functions as Lambda runs them, on this machine: a Lambda Runtime API
// server (the real 2018-06-01 protocol the aws-lambda-go runtime client speaks) hands events to the
// real bootstrap binaries, so that init, first and warm invocations and peak memory are measured on
// the same binaries `make build` produces, next to a hello-world Go function built the same way. It
// also holds the bounded load generator for the local stack and writes the performance report.
// cmd/coldstart drives it; `make bench` (scripts/bench.sh) runs that.
package coldstart

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Runtime API paths (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
const (
	pathNext      = "/2018-06-01/runtime/invocation/next"
	pathResponse  = "/2018-06-01/runtime/invocation/{id}/response"
	pathError     = "/2018-06-01/runtime/invocation/{id}/error"
	pathInitError = "/2018-06-01/runtime/init/error"

	// maxResponse is Lambda's synchronous response payload limit.
	maxResponse = 6 << 20
)

// invocation is one event handed to the function and what came back.
type invocation struct {
	id       string
	handedAt time.Time // just before the event was written to GET /next's answer
	postedAt time.Time // the response body had been read in full
	response []byte
}

// runtimeAPI serves one function process: it hands out the same event count times, records when each
// was handed out and answered, and then holds the next GET /next open, as Lambda does between
// invocations, so that the process is idle when its memory is read.
type runtimeAPI struct {
	Addr string // host:port for AWS_LAMBDA_RUNTIME_API

	payload     []byte
	functionARN string
	timeout     time.Duration // the function's timeout, for Lambda-Runtime-Deadline-Ms
	srv         *http.Server
	ln          net.Listener

	// idle is closed when every invocation has been answered and the function asks for another;
	// failed is closed on an init or invocation error, or a request the protocol does not have.
	idle, failed         chan struct{}
	idleOnce, failedOnce sync.Once
	stop                 chan struct{} // closed by close: releases the held GET /next
	closeOnce            sync.Once

	mu        sync.Mutex
	firstNext time.Time // arrival of the first GET /next: the end of init
	invokes   []invocation
	byID      map[string]int
	handed    int
	failure   string
}

func newRuntimeAPI(payload []byte, count int, functionARN string, timeout time.Duration) (*runtimeAPI, error) {
	if count < 1 {
		return nil, errors.New("coldstart: at least one invocation")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API listener: %w", err)
	}
	api := &runtimeAPI{
		Addr: ln.Addr().String(), payload: payload, functionARN: functionARN, timeout: timeout, ln: ln,
		idle: make(chan struct{}), failed: make(chan struct{}), stop: make(chan struct{}),
		invokes: make([]invocation, count), byID: make(map[string]int, count),
	}
	// Request ids as Lambda forms them (UUIDs); unique per process so that a late post cannot match.
	base := strconv.FormatInt(time.Now().UnixNano()&0xffffffffffff, 16)
	for i := range api.invokes {
		id := fmt.Sprintf("8f5c1a2e-%04x-4d6b-9e1f-%012s", i, base)
		api.invokes[i].id = id
		api.byID[id] = i
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathNext, api.next)
	mux.HandleFunc("POST "+pathResponse, api.response)
	mux.HandleFunc("POST "+pathError, api.invokeError)
	mux.HandleFunc("POST "+pathInitError, api.initError)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		api.fail(fmt.Sprintf("unexpected runtime API request %s %s", r.Method, r.URL.Path))
		http.Error(w, `{"errorMessage":"not found","errorType":"InvalidRequest"}`, http.StatusNotFound)
	})
	api.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = api.srv.Serve(ln) }()
	return api, nil
}

func (a *runtimeAPI) next(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	a.mu.Lock()
	if a.firstNext.IsZero() {
		a.firstNext = now
	}
	i := a.handed
	if i >= len(a.invokes) {
		a.mu.Unlock()
		a.idleOnce.Do(func() { close(a.idle) })
		// Lambda freezes the environment here; the process stays blocked in this call until killed.
		select {
		case <-r.Context().Done():
		case <-a.stop:
		}
		return
	}
	a.handed++
	id := a.invokes[i].id
	a.mu.Unlock()

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(a.timeout).UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", a.functionARN)
	h.Set("Lambda-Runtime-Trace-Id", fmt.Sprintf("Root=1-%08x-%024x;Parent=%016x;Sampled=0;Lineage=1:abcdef12:0",
		now.Unix(), now.UnixNano(), i+1))
	h.Set("Content-Length", strconv.Itoa(len(a.payload)))
	handed := time.Now()
	a.mu.Lock()
	a.invokes[i].handedAt = handed
	a.mu.Unlock()
	_, _ = w.Write(a.payload)
}

func (a *runtimeAPI) response(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponse+1))
	now := time.Now()
	if err != nil || len(body) > maxResponse {
		a.fail(fmt.Sprintf("reading the function's response: %v (%d bytes)", err, len(body)))
		http.Error(w, `{"errorMessage":"bad response","errorType":"InvalidRequest"}`, http.StatusRequestEntityTooLarge)
		return
	}
	a.mu.Lock()
	i, ok := a.byID[r.PathValue("id")]
	if ok && a.invokes[i].postedAt.IsZero() && i < a.handed {
		a.invokes[i].postedAt = now
		a.invokes[i].response = body
	} else {
		ok = false
	}
	a.mu.Unlock()
	if !ok {
		a.fail("response for an unknown or already answered request id")
		http.Error(w, `{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (a *runtimeAPI) invokeError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	a.fail(fmt.Sprintf("invocation %s failed: %s", r.PathValue("id"), body))
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (a *runtimeAPI) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	a.fail(fmt.Sprintf("init failed: %s", body))
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (a *runtimeAPI) fail(msg string) {
	a.mu.Lock()
	if a.failure == "" {
		a.failure = msg
	}
	a.mu.Unlock()
	a.failedOnce.Do(func() { close(a.failed) })
}

// failureMessage is the first failure recorded.
func (a *runtimeAPI) failureMessage() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.failure
}

// snapshot returns the end of init and the invocations, for after the process has gone idle.
func (a *runtimeAPI) snapshot() (time.Time, []invocation) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.firstNext, append([]invocation(nil), a.invokes...)
}

func (a *runtimeAPI) close() {
	a.closeOnce.Do(func() {
		close(a.stop)
		_ = a.srv.Close()
	})
}
