package lambda

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"time"
)

// initLimit is Lambda's bound on the Init phase of an on-demand environment
// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib).
// Lambda then retries init once inside the invocation under the function's timeout; here an init
// that takes longer is answered as a timeout straight away (the stricter side).
const initLimit = 10 * time.Second

// waitDelay bounds how long reaping a killed process may wait for its output pipes (which a
// grandchild outside its process group could hold open).
const waitDelay = 2 * time.Second

// environment is one execution environment: a bootstrap process and its Runtime API endpoint.
type environment struct {
	fn  *function
	api *runtimeAPI
	cmd *exec.Cmd
	pid int

	exited  chan struct{} // closed once the process has been reaped
	waitErr error         // cmd.Wait's, readable after exited
	pidSeen atomic.Int64  // pid, for the Runtime API's goroutines

	discarded bool // under fn.mu: no longer counted against the concurrency limit
	gen       int  // the function's generation (see Replace) whose binary it runs
}

// startEnvironment execs bin, the bootstrap of generation gen, with vars (the function's baseEnv) against
// a fresh Runtime API endpoint.
func startEnvironment(f *function, s *Service, bin string, vars map[string]string, gen int) (*environment, error) {
	e := &environment{fn: f, exited: make(chan struct{}), gen: gen}
	api, err := newRuntimeAPI(f.arn, func(kind EventKind, id string, at time.Time, answered int) {
		s.emit(Event{Kind: kind, Function: f.cfg.Name, PID: int(e.pidSeen.Load()), RequestID: id, At: at, Answered: answered})
	})
	if err != nil {
		return nil, err
	}
	e.api = api
	stdout, stderr := newLineWriter(f.cfg.Name, s.out), newLineWriter(f.cfg.Name, s.out)
	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = environ(vars, api.addr)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = procAttr()
	cmd.WaitDelay = waitDelay
	var started time.Time // just before exec; written by whichever goroutine start runs on
	execCmd := func() error {
		started = time.Now()
		return cmd.Start()
	}
	start := execCmd
	if s.startFn != nil {
		start = func() error {
			if err := s.startFn(f.cfg.Name, cmd, execCmd); err != nil {
				return err
			}
			if cmd.Process == nil {
				return errors.New("Options.StartProcess returned without starting the process")
			}
			return nil
		}
	}
	if err := start(); err != nil {
		api.close()
		return nil, fmt.Errorf("lambda: %s: start %s: %w", f.cfg.Name, bin, err)
	}
	e.cmd, e.pid = cmd, cmd.Process.Pid
	e.pidSeen.Store(int64(e.pid))
	s.logger.Debug("lambda environment started", "function", f.cfg.Name, "pid", e.pid)
	s.emit(Event{Kind: EventStarted, Function: f.cfg.Name, PID: e.pid, At: started})
	s.procs.Add(1)
	go func() {
		defer s.procs.Done()
		e.waitErr = cmd.Wait()
		stdout.flush()
		stderr.flush()
		api.close()
		close(e.exited)
		s.emit(Event{Kind: EventStopped, Function: f.cfg.Name, PID: e.pid, At: time.Now(), State: cmd.ProcessState})
		f.gone(e)
	}()
	return e, nil
}

// kill stops the environment's process group, unless the process has been reaped (its group id
// could then belong to another process).
func (e *environment) kill() {
	select {
	case <-e.exited:
	default:
		killGroup(e.cmd.Process)
	}
}

func (e *environment) isReady() bool {
	select {
	case <-e.api.ready:
		return true
	default:
		return false
	}
}

// invoke runs one invocation to its end: a response, a posted error, the process's exit, the
// deadline or the Service's Close. It kills the process whenever the environment cannot serve again.
func (e *environment) invoke(inv *invocation, closing <-chan struct{}) outcome {
	e.api.queue <- inv // the environment is reserved for this invocation: the slot is free
	wasReady := e.isReady()
	limit := inv.timeout // a warm runtime comes back to GET /next at once
	if !wasReady {
		limit = initLimit
	}
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-inv.handed:
	case fe := <-e.api.initFailed:
		e.kill()
		return outcome{err: fe, discard: true}
	case <-e.exited:
		select {
		case <-inv.handed:
			return e.exitOutcome(inv)
		default:
		}
		// The event never reached the function: a warm environment that went away between two
		// invocations (aws-lambda-go exits after a panic) is replaced, as Lambda resets it.
		return outcome{err: exitError(inv.id, e.waitErr), discard: true, retry: wasReady}
	case <-timer.C:
		e.kill()
		return outcome{err: timeoutError(inv.id, limit), discard: true}
	case <-closing:
		e.kill()
		return outcome{err: ErrClosed, discard: true}
	}

	timer.Reset(time.Until(inv.deadline))
	select {
	case o := <-inv.result:
		return e.answer(o)
	case <-e.exited:
		return e.exitOutcome(inv)
	case <-timer.C:
		e.kill()
		return outcome{err: timeoutError(inv.id, inv.timeout), discard: true}
	case <-closing:
		e.kill()
		return outcome{err: ErrClosed, discard: true}
	}
}

func (e *environment) answer(o outcome) outcome {
	if o.discard {
		e.kill()
	}
	return o
}

// exitOutcome is the answer when the process exited after the event was handed out: a response it
// posted just before exiting still counts.
func (e *environment) exitOutcome(inv *invocation) outcome {
	select {
	case o := <-inv.result:
		o = e.answer(o)
		o.discard = true
		return o
	default:
		return outcome{err: exitError(inv.id, e.waitErr), discard: true}
	}
}
