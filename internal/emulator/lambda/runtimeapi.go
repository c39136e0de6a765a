package lambda

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The Lambda Runtime API, version 2018-06-01, as one execution environment sees it
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html). This is the project's only
// implementation: the emulated Service and the cold-start harness (bench/coldstart) both use it.
const (
	pathNext      = "/2018-06-01/runtime/invocation/next"
	pathResponse  = "/2018-06-01/runtime/invocation/{id}/response"
	pathError     = "/2018-06-01/runtime/invocation/{id}/error"
	pathInitError = "/2018-06-01/runtime/init/error"
)

// invocation is one event on its way through an environment.
type invocation struct {
	id      string
	payload []byte
	traceID string
	timeout time.Duration
	// handed is closed once the event has been taken for GET /next's answer; deadline is then set.
	handed   chan struct{}
	deadline time.Time
	result   chan outcome // buffered: the runtime's response or error, delivered once
}

// outcome is how an invocation ended, and what it means for its environment.
type outcome struct {
	payload []byte
	err     error // a *FunctionError, ErrClosed or nil
	discard bool  // the environment must not serve again
	retry   bool  // the event never reached the function: another environment may take it
}

func newInvocation(payload []byte, timeout time.Duration) *invocation {
	now := time.Now()
	return &invocation{
		id: newRequestID(), payload: payload, timeout: timeout,
		// X-Ray's trace header format (https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader).
		traceID: fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), randomHex(12), randomHex(8)),
		handed:  make(chan struct{}), result: make(chan outcome, 1),
	}
}

// newRequestID is a random (version 4) UUID, the form of Lambda's request ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// runtimeAPI serves one execution environment, on its own loopback port as each Lambda sandbox has
// its own endpoint: one invocation at a time, handed to the runtime's GET /next and answered by its
// POST .../response or .../error.
type runtimeAPI struct {
	addr    string
	arn     string
	srv     *http.Server
	observe func(kind EventKind, requestID string, at time.Time, answered int)

	queue      chan *invocation    // capacity 1: the event waiting for the next GET /next
	ready      chan struct{}       // closed by the first GET /next: init is over
	initFailed chan *FunctionError // capacity 1: the runtime posted /init/error
	stop       chan struct{}       // closed by close: releases a held GET /next
	readyOnce  sync.Once
	closeOnce  sync.Once

	mu       sync.Mutex
	current  *invocation // handed out, not yet answered
	answered int         // invocations answered so far
}

func newRuntimeAPI(arn string, observe func(EventKind, string, time.Time, int)) (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambda: runtime API listener: %w", err)
	}
	a := &runtimeAPI{
		addr: ln.Addr().String(), arn: arn, observe: observe,
		queue: make(chan *invocation, 1), ready: make(chan struct{}), initFailed: make(chan *FunctionError, 1),
		stop: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathNext, a.next)
	mux.HandleFunc("POST "+pathResponse, a.response)
	mux.HandleFunc("POST "+pathError, a.invokeError)
	mux.HandleFunc("POST "+pathInitError, a.initError)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusNotFound, "InvalidRequest", "unknown runtime API request "+r.Method+" "+r.URL.Path)
	})
	// No write timeout: GET /next is held for as long as the environment has nothing to do.
	a.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

// next hands the queued event out, or holds the request until there is one: in Lambda the
// environment is frozen inside this call between invocations.
func (a *runtimeAPI) next(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	a.readyOnce.Do(func() {
		a.observe(EventReady, "", now, 0)
		close(a.ready)
	})
	var inv *invocation
	select {
	case inv = <-a.queue:
	default:
		a.mu.Lock()
		answered := a.answered
		a.mu.Unlock()
		a.observe(EventIdle, "", now, answered)
		select {
		case inv = <-a.queue:
		case <-r.Context().Done():
			return
		case <-a.stop:
			return
		}
	}
	a.mu.Lock()
	a.current = inv
	a.mu.Unlock()
	inv.deadline = time.Now().Add(inv.timeout)
	close(inv.handed)

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", a.arn)
	h.Set("Lambda-Runtime-Trace-Id", inv.traceID)
	h.Set("Content-Length", strconv.Itoa(len(inv.payload)))
	a.observe(EventHanded, inv.id, time.Now(), 0)
	_, _ = w.Write(inv.payload)
}

// take returns the invocation id names, if it is the one handed out, clears it and counts it
// answered, with the count.
func (a *runtimeAPI) take(id string) (*invocation, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	inv := a.current
	if inv == nil || inv.id != id {
		return nil, a.answered
	}
	a.current = nil
	a.answered++
	return inv, a.answered
}

func (a *runtimeAPI) response(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload+1))
	if err != nil {
		return // the runtime went away mid-request; its exit answers the invocation
	}
	now := time.Now()
	inv, answered := a.take(r.PathValue("id"))
	if inv == nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or already answered request id")
		return
	}
	a.observe(EventPosted, inv.id, now, answered)
	if len(body) > MaxPayload {
		// Lambda refuses the response and the caller gets a function error instead; the environment
		// is not trusted again (aws-lambda-go exits after a refused post).
		apiError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxPayload))
		inv.result <- outcome{discard: true, err: newFunctionError(ErrorTypeResponseTooLarge,
			fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxPayload))}
		return
	}
	accepted(w)
	inv.result <- outcome{payload: body}
}

func (a *runtimeAPI) invokeError(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload))
	if err != nil {
		return
	}
	now := time.Now()
	inv, answered := a.take(r.PathValue("id"))
	if inv == nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or already answered request id")
		return
	}
	a.observe(EventPosted, inv.id, now, answered)
	accepted(w)
	inv.result <- outcome{err: postedError(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"))}
}

func (a *runtimeAPI) initError(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload))
	if err != nil {
		return
	}
	accepted(w)
	select {
	case a.initFailed <- postedError(body, r.Header.Get("Lambda-Runtime-Function-Error-Type")):
	default: // a second report changes nothing
	}
}

func (a *runtimeAPI) close() {
	a.closeOnce.Do(func() {
		close(a.stop)
		_ = a.srv.Close()
	})
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

// apiError answers as the Runtime API does: {"errorMessage", "errorType"}.
func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{msg, typ})
	_, _ = w.Write(body)
}
