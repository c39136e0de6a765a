package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Defaults for what a function's configuration leaves out, as Lambda's CreateFunction fills them in
// (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html).
const (
	DefaultTimeout  = 3 * time.Second
	DefaultMemoryMB = 128
	DefaultRuntime  = "provided.al2023"
	DefaultHandler  = "bootstrap"
	// DefaultMaxConcurrency stands for a function without reserved concurrency: Lambda's default
	// account quota of concurrent executions
	// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
	DefaultMaxConcurrency = 1000
)

// accountID is the account the emulated functions' ARNs name.
const accountID = "123456789012"

// Function is one function's configuration, as the template declares it.
type Function struct {
	Name   string // the function's name: Invoke's key, AWS_LAMBDA_FUNCTION_NAME, the log prefix
	Binary string // the bootstrap executable, built for this host
	// Env is the template's Environment.Variables after parameter overrides. Lambda's reserved names
	// are refused, as Lambda refuses them.
	Env      map[string]string
	MemoryMB int           // AWS_LAMBDA_FUNCTION_MEMORY_SIZE; not enforced; 0 means 128
	Timeout  time.Duration // each invocation's bound (Lambda-Runtime-Deadline-Ms); 0 means 3 s
	Handler  string        // _HANDLER; empty means "bootstrap"
	Runtime  string        // decides AWS_EXECUTION_ENV; empty means provided.al2023
	// MaxConcurrency is the function's reserved concurrency: how many environments may serve it at
	// once. 0 means DefaultMaxConcurrency.
	MaxConcurrency int
}

// Options apply to every function of a Service.
type Options struct {
	Region string    // AWS_REGION and the functions' ARNs; required
	Output io.Writer // the functions' stdout and stderr, "[Name] "-prefixed lines; nil discards
	Logger *slog.Logger
	// OnEvent, when set, is told of each environment's life (see EventKind), synchronously from the
	// goroutine where it happens: it must return quickly. The cold-start harness measures with it.
	OnEvent func(Event)
	// StartProcess, when set, starts each environment's process, with cmd fully configured: the
	// cold-start harness uses it to start the bootstrap inside a cgroup (Lambda's CPU share and memory
	// limit). It prepares what it needs, then calls start (cmd.Start, timed for EventStarted, so that
	// the preparation, such as a cgroup v1 move that waits for an RCU grace period, is not counted as
	// the environment's init) and returns its error, or returns an error of its own, which Invoke
	// returns wrapped. It must start nothing else.
	StartProcess func(function string, cmd *exec.Cmd, start func() error) error
}

// EventKind names a moment in an execution environment's life.
type EventKind int

// The moments OnEvent reports.
const (
	EventStarted EventKind = iota + 1 // the process was started; At is taken just before exec
	EventReady                        // the runtime's first GET /next: the end of the Init phase
	EventHanded                       // an event is about to be written to GET /next's answer
	EventPosted                       // the runtime's response or error for RequestID was read in full
	EventIdle                         // a GET /next with nothing to hand out: Lambda would freeze it here
	EventStopped                      // the process exited and was reaped; State says how
)

// Event is one moment of one environment, for Options.OnEvent.
type Event struct {
	Kind      EventKind
	Function  string
	PID       int
	RequestID string    // EventHanded, EventPosted
	At        time.Time // when it happened
	Answered  int       // EventPosted, EventIdle: invocations the environment has answered so far
	State     *os.ProcessState
}

// Service runs functions as Lambda does. It is safe for concurrent use.
type Service struct {
	fns     map[string]*function
	logger  *slog.Logger
	out     *syncWriter
	onEvent func(Event)
	startFn func(string, *exec.Cmd, func() error) error

	closing   chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex // guards closed, so that no invocation begins once Close waits
	closed    bool
	calls     sync.WaitGroup // one per invocation, from acquiring an environment to its end
	procs     sync.WaitGroup // one per started process, until it is reaped; Added within a call
}

// function is one function's pool of environments.
type function struct {
	cfg Function
	arn string
	env map[string]string // baseEnv

	mu     sync.Mutex
	idle   []*environment // warm, most recently used last
	count  int            // environments counted against cfg.MaxConcurrency
	gen    int            // bumped by Replace: environments of an older one serve no new invocation
	all    map[*environment]struct{}
	closed bool
}

// New checks the functions' configuration; no process starts before a function's first invocation.
func New(fns []Function, opts Options) (*Service, error) {
	if opts.Region == "" {
		return nil, errors.New("lambda: Options.Region is required")
	}
	s := &Service{fns: make(map[string]*function, len(fns)), logger: opts.Logger, onEvent: opts.OnEvent,
		out: &syncWriter{w: opts.Output}, closing: make(chan struct{}), startFn: opts.StartProcess}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.out.w == nil {
		s.out.w = io.Discard
	}
	for _, fn := range fns {
		if fn.Name == "" || fn.Binary == "" {
			return nil, fmt.Errorf("lambda: function %q: Name and Binary are required", fn.Name)
		}
		if _, dup := s.fns[fn.Name]; dup {
			return nil, fmt.Errorf("lambda: function %s declared twice", fn.Name)
		}
		bin, err := filepath.Abs(fn.Binary)
		if err == nil {
			_, err = os.Stat(bin)
		}
		if err != nil {
			return nil, fmt.Errorf("lambda: function %s: bootstrap: %w", fn.Name, err)
		}
		if err := checkEnv(fn.Env); err != nil {
			return nil, fmt.Errorf("lambda: function %s: %w", fn.Name, err)
		}
		fn.Binary = bin
		fn.Timeout = cmpOr(fn.Timeout, DefaultTimeout)
		fn.MemoryMB = cmpOr(fn.MemoryMB, DefaultMemoryMB)
		fn.Handler = cmpOr(fn.Handler, DefaultHandler)
		fn.Runtime = cmpOr(fn.Runtime, DefaultRuntime)
		fn.MaxConcurrency = cmpOr(fn.MaxConcurrency, DefaultMaxConcurrency)
		if fn.Timeout < 0 || fn.MemoryMB < 0 || fn.MaxConcurrency < 0 {
			return nil, fmt.Errorf("lambda: function %s: negative Timeout, MemoryMB or MaxConcurrency", fn.Name)
		}
		s.fns[fn.Name] = &function{cfg: fn, env: baseEnv(fn, opts.Region), all: map[*environment]struct{}{},
			arn: "arn:aws:lambda:" + opts.Region + ":" + accountID + ":function:" + fn.Name}
	}
	return s, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func (s *Service) emit(e Event) {
	if s.onEvent != nil {
		s.onEvent(e)
	}
}

// Invoke runs the function name on payload in a warm environment, or a new one, and returns its
// response. A function error is a *FunctionError; the other errors are ErrUnknownFunction,
// ErrTooManyRequests, ErrRequestTooLarge, ErrInvalidPayload, ErrClosed and ctx's. Like Lambda's own,
// an invocation goes on when ctx ends: Invoke returns, its environment stays busy until it is answered
// or times out.
func (s *Service) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	f, ok := s.fns[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownFunction, name)
	}
	if len(payload) > MaxPayload {
		return nil, fmt.Errorf("%w: %s, %d bytes", ErrRequestTooLarge, name, len(payload))
	}
	if !json.Valid(payload) {
		return nil, fmt.Errorf("%w: %s", ErrInvalidPayload, name)
	}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !s.begin() {
			return nil, ErrClosed
		}
		env, err := f.acquire(s)
		if err != nil {
			s.calls.Done()
			return nil, err
		}
		inv := newInvocation(payload, f.cfg.Timeout)
		done := make(chan outcome, 1)
		go func() {
			defer s.calls.Done()
			o := env.invoke(inv, s.closing)
			f.release(env, o, s.logger)
			done <- o
		}()
		var o outcome
		select {
		case o = <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if o.retry && attempt == 0 {
			continue
		}
		if o.err != nil {
			return nil, o.err
		}
		return o.payload, nil
	}
}

// begin counts an invocation in, unless the Service is closed.
func (s *Service) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.calls.Add(1)
	return true
}

// acquire reserves a warm environment, or starts one when every environment is busy and the
// function's concurrency allows another. Beyond it Lambda throttles a synchronous invocation at
// once, rather than queueing it (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html).
func (f *function) acquire(s *Service) (*environment, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrClosed
	}
	if n := len(f.idle); n > 0 {
		env := f.idle[n-1]
		f.idle = f.idle[:n-1]
		f.mu.Unlock()
		return env, nil
	}
	if f.count >= f.cfg.MaxConcurrency {
		f.mu.Unlock()
		return nil, fmt.Errorf("%w: %s has %d busy environments", ErrTooManyRequests, f.cfg.Name, f.count)
	}
	f.count++
	bin, vars, gen := f.cfg.Binary, f.env, f.gen
	f.mu.Unlock()

	env, err := startEnvironment(f, s, bin, vars, gen)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.count--
		return nil, err
	}
	select {
	case <-env.exited: // already reaped, and gone has run or will find nothing to delete
	default:
		f.all[env] = struct{}{}
	}
	if f.closed { // Close ran while the process started: it did not see this one
		env.discarded = true
		f.count--
		env.kill()
		return nil, ErrClosed
	}
	return env, nil
}

// release returns env to the warm pool after an invocation, or discards it.
func (f *function) release(env *environment, o outcome, logger *slog.Logger) {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-env.exited:
		o.discard = true
	default:
	}
	if !o.discard && !f.closed && env.gen == f.gen {
		f.idle = append(f.idle, env)
		return
	}
	if fe := (*FunctionError)(nil); errors.As(o.err, &fe) {
		logger.Info("lambda environment discarded", "function", f.cfg.Name, "pid", env.pid, "errorType", fe.Type)
	}
	f.discard(env)
	env.kill()
}

// Replace makes binary the bootstrap of function name's new environments, as a Lambda deployment of new
// code does: its idle environments stop now, busy ones finish their invocation on the old code and stop
// then. The local stack's hot reload calls it after a rebuild.
func (s *Service) Replace(name, binary string) error {
	f, ok := s.fns[name]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownFunction, name)
	}
	bin, err := filepath.Abs(binary)
	if err == nil {
		_, err = os.Stat(bin)
	}
	if err != nil {
		return fmt.Errorf("lambda: function %s: bootstrap: %w", name, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg.Binary = bin
	env := maps.Clone(f.env) // a new map: environments starting now read the old one without f.mu
	env["LAMBDA_TASK_ROOT"], env["LAMBDA_RUNTIME_DIR"] = filepath.Dir(bin), filepath.Dir(bin)
	f.env = env
	f.gen++
	for _, env := range slices.Clone(f.idle) {
		f.discard(env)
		env.kill()
	}
	return nil
}

// discard stops counting env; f.mu is held.
func (f *function) discard(env *environment) {
	if env.discarded {
		return
	}
	env.discarded = true
	f.count--
	for i, e := range f.idle {
		if e == env {
			f.idle = append(f.idle[:i], f.idle[i+1:]...)
			break
		}
	}
}

// gone is called once env's process has been reaped, whatever ended it.
func (f *function) gone(env *environment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.discard(env)
	delete(f.all, env)
}

// closeTimeout bounds Close: processes are killed, so this is only reached when reaping hangs.
const closeTimeout = 10 * time.Second

// Close kills every environment, ends the invocations still running with ErrClosed and waits,
// boundedly, until every process has been reaped. Later Invokes return ErrClosed.
func (s *Service) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.closing)
		for _, f := range s.fns {
			f.mu.Lock()
			f.closed = true
			for env := range f.all {
				env.kill()
			}
			f.mu.Unlock()
		}
		done := make(chan struct{})
		go func() {
			s.calls.Wait()
			s.procs.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(closeTimeout):
			err = fmt.Errorf("lambda: processes not reaped %s after Close killed them", closeTimeout)
		}
	})
	return err
}
