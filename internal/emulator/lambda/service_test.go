package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestInvoke_GivesTheFunctionLambdasEnvironmentAndNothingOfOurs(t *testing.T) {
	t.Setenv("HOST_ONLY_SECRET", "must-not-leak")
	svc, _ := start(t, []Function{
		{Name: "HelloFunction", Binary: bin("hello"), MemoryMB: 256, Timeout: 7 * time.Second,
			Env: map[string]string{"USER_POOL_CLIENT_ID": "abc123", "TZ": ":Europe/Paris"}},
		{Name: "ManagedRuntime", Binary: bin("hello"), Runtime: "go1.x", Handler: "main"},
	}, nil)

	before := time.Now()
	r := invokeHello(t, svc, "HelloFunction", `{}`)
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "HelloFunction",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/HelloFunction",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      testRegion,
		"AWS_DEFAULT_REGION":              testRegion,
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                binDir,
		"LANG":                            "en_US.UTF-8",
		"TZ":                              ":Europe/Paris", // unreserved: the template's value wins
		"USER_POOL_CLIENT_ID":             "abc123",
		"AWS_ACCESS_KEY_ID":               fakeAccessKeyID,
	}
	for k, v := range want {
		if got, ok := r.Env[k]; !ok || got != v {
			t.Errorf("%s = %q (set: %v), want %q", k, got, ok, v)
		}
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(r.Env["AWS_LAMBDA_RUNTIME_API"]) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", r.Env["AWS_LAMBDA_RUNTIME_API"])
	}
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(r.Env["AWS_LAMBDA_LOG_STREAM_NAME"]) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", r.Env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	for _, k := range []string{"HOST_ONLY_SECRET", "HOME", "AWS_PROFILE", "AWS_EXECUTION_ENV"} {
		if v, ok := r.Env[k]; ok {
			t.Errorf("%s=%q reached the function", k, v)
		}
	}
	if want := "arn:aws:lambda:" + testRegion + ":123456789012:function:HelloFunction"; r.ARN != want {
		t.Errorf("invoked function ARN %q, want %q", r.ARN, want)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(r.RequestID) {
		t.Errorf("request id %q is not a UUID", r.RequestID)
	}
	// The deadline is the hand-out time plus the timeout.
	deadline := time.UnixMilli(r.DeadlineMS)
	if deadline.Before(before.Add(7*time.Second-time.Millisecond)) || deadline.After(time.Now().Add(7*time.Second)) {
		t.Errorf("deadline %v, want about 7 s after %v", deadline, before)
	}

	m := invokeHello(t, svc, "ManagedRuntime", `{}`)
	if m.Env["AWS_EXECUTION_ENV"] != "AWS_Lambda_go1.x" || m.Env["_HANDLER"] != "main" {
		t.Errorf("managed runtime: AWS_EXECUTION_ENV=%q _HANDLER=%q", m.Env["AWS_EXECUTION_ENV"], m.Env["_HANDLER"])
	}
}

func TestNew_RefusesWhatCreateFunctionRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		fns  []Function
		opts Options
		want string
	}{
		{"reserved variable", []Function{{Name: "F", Binary: bin("hello"), Env: map[string]string{"AWS_REGION": "us-east-1"}}},
			Options{Region: testRegion}, "reserved"},
		{"credentials", []Function{{Name: "F", Binary: bin("hello"), Env: map[string]string{"AWS_SECRET_ACCESS_KEY": "x"}}},
			Options{Region: testRegion}, "reserved"},
		{"bad variable name", []Function{{Name: "F", Binary: bin("hello"), Env: map[string]string{"1ABC": "x"}}},
			Options{Region: testRegion}, "not [a-zA-Z]"},
		{"missing bootstrap", []Function{{Name: "F", Binary: filepath.Join(t.TempDir(), "bootstrap")}},
			Options{Region: testRegion}, "bootstrap"},
		{"duplicate", []Function{{Name: "F", Binary: bin("hello")}, {Name: "F", Binary: bin("hello")}},
			Options{Region: testRegion}, "twice"},
		{"no region", []Function{{Name: "F", Binary: bin("hello")}}, Options{}, "Region"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, err := New(tc.fns, tc.opts)
			if err == nil {
				svc.Close()
				t.Fatal("New accepted it")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestInvoke_RefusesBadRequestsWithoutStartingAProcess(t *testing.T) {
	svc, rec := start(t, []Function{{Name: "F", Binary: bin("hello")}}, nil)
	for _, tc := range []struct {
		name, function string
		payload        []byte
		want           error
	}{
		{"unknown function", "Nope", []byte(`{}`), ErrUnknownFunction},
		{"payload not JSON", "F", []byte(`{"a":`), ErrInvalidPayload},
		{"payload over 6 MB", "F", []byte(`"` + strings.Repeat("a", MaxPayload) + `"`), ErrRequestTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := svc.Invoke(context.Background(), tc.function, tc.payload); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if n := len(rec.pids(EventStarted)); n != 0 {
		t.Fatalf("%d processes started", n)
	}
}

func TestInvoke_ReusesTheWarmEnvironment(t *testing.T) {
	svc, rec := start(t, []Function{{Name: "F", Binary: bin("hello")}}, nil)
	first := invokeHello(t, svc, "F", `{}`)
	for range 3 {
		if r := invokeHello(t, svc, "F", `{}`); r.PID != first.PID {
			t.Fatalf("warm invocation ran in process %d, the first in %d", r.PID, first.PID)
		}
	}
	if started := rec.pids(EventStarted); len(started) != 1 {
		t.Fatalf("started %d processes, want 1", len(started))
	}
}

func TestInvoke_ConcurrencyAddsEnvironmentsUpToTheLimitNeverTwoRequestsInOne(t *testing.T) {
	svc, rec := start(t, []Function{{Name: "F", Binary: bin("hello"), MaxConcurrency: 2}}, nil)
	var (
		mu       sync.Mutex
		inFlight = map[int]int{}
		overlap  bool
	)
	// Track, per process, invocations handed out and not yet answered, from the Runtime API's view.
	svc.onEvent = func(e Event) {
		rec.observe(e)
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case EventHanded:
			inFlight[e.PID]++
			overlap = overlap || inFlight[e.PID] > 1
		case EventPosted:
			inFlight[e.PID]--
		}
	}
	pids := make(chan int, 8)
	var wg sync.WaitGroup
	// In the first round each invocation holds its environment until the test opens its gate.
	gates := []string{fifo(t, "gate-1"), fifo(t, "gate-2")}
	for round := range 2 {
		for i := range 2 {
			payload := `{"sleep_ms":200}`
			if round == 0 {
				payload = `{"wait_fifo":"` + gates[i] + `"}`
			}
			wg.Go(func() { pids <- invokeHello(t, svc, "F", payload).PID })
		}
		if round == 0 {
			// Both environments busy: a third invocation is throttled at once, as Lambda does past
			// reserved concurrency. "At once" is an order, not a time: it is refused while both are
			// still held (nothing posted), and were it queued it would wait for a gate only this test
			// opens, after it (the hang guard's deadline then fails it).
			rec.waitFor(t, 15*time.Second, "two invocations handed out", func(ev []Event) bool { return count(ev, EventHanded) == 2 })
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, err := svc.Invoke(ctx, "F", []byte(`{}`))
			cancel()
			if !errors.Is(err, ErrTooManyRequests) {
				t.Errorf("third concurrent invocation: err = %v, want ErrTooManyRequests", err)
			}
			if posted := len(rec.pids(EventPosted)); posted != 0 {
				t.Errorf("third invocation answered after %d of the busy ones: Lambda does not queue", posted)
			}
			for _, g := range gates {
				release(t, g)
			}
		}
		wg.Wait()
	}
	close(pids)
	seen := map[int]int{}
	for pid := range pids {
		seen[pid]++
	}
	if len(seen) != 2 {
		t.Fatalf("4 invocations in 2 rounds of 2 ran in processes %v, want exactly 2 processes", seen)
	}
	if overlap {
		t.Fatal("an environment was handed a second event before answering the first")
	}
}

func TestInvoke_TimeoutKillsTheEnvironmentAndTheNextInvocationStartsAnother(t *testing.T) {
	svc, rec := start(t, []Function{{Name: "F", Binary: bin("hello"), Timeout: 500 * time.Millisecond}}, nil)
	warm := invokeHello(t, svc, "F", `{}`)

	began := time.Now()
	_, err := svc.Invoke(context.Background(), "F", []byte(`{"sleep_ms":60000}`))
	took := time.Since(began)
	fe := functionError(t, err, ErrorTypeTimeout)
	if !strings.Contains(fe.Message, "Task timed out after 0.50 seconds") {
		t.Errorf("message %q", fe.Message)
	}
	if took < 500*time.Millisecond || took > 3*time.Second {
		t.Errorf("timed out after %v, want just over 500ms", took)
	}
	rec.waitFor(t, 5*time.Second, "the timed-out process reaped", func(ev []Event) bool {
		for _, e := range ev {
			if e.Kind == EventStopped && e.PID == warm.PID {
				return true
			}
		}
		return false
	})
	if next := invokeHello(t, svc, "F", `{}`); next.PID == warm.PID {
		t.Fatal("the invocation after a timeout ran in the killed environment")
	}
}

func TestInvoke_FailuresAreFunctionErrorsAndTheNextInvocationWorks(t *testing.T) {
	for _, tc := range []struct {
		name, binary, payload string
		wantType, wantMsg     string
		freshAfter            bool // the failing environment is gone: the next invocation starts a process
	}{
		{"returned error keeps the environment", "crash", `{"Mode":"error"}`, "errorString", "handled failure", false},
		{"panic", "crash", `{"Mode":"panic"}`, "string", "boom from the handler", true},
		{"exit during invocation", "crash", `{"Mode":"exit"}`, ErrorTypeExit, "exit status 3", true},
		{"exit during init", "initexit", `{}`, ErrorTypeExit, "exit status 3", true},
		{"init error posted", "initerror", `{}`, "Test.InitError", "cannot load settings", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, rec := start(t, []Function{{Name: "F", Binary: bin(tc.binary), Timeout: 5 * time.Second}}, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if tc.binary == "crash" { // warm first, so that the failure hits a warm environment
				if _, err := svc.Invoke(ctx, "F", []byte(`{}`)); err != nil {
					t.Fatal(err)
				}
			}
			began := time.Now()
			_, err := svc.Invoke(ctx, "F", []byte(tc.payload))
			fe := functionError(t, err, tc.wantType)
			if !strings.Contains(fe.Message, tc.wantMsg) {
				t.Errorf("message %q, want it to contain %q", fe.Message, tc.wantMsg)
			}
			if d := time.Since(began); d > 5*time.Second {
				t.Errorf("answered after %v", d)
			}
			startedBefore := len(rec.pids(EventStarted))
			_, err = svc.Invoke(ctx, "F", []byte(`{}`))
			if tc.binary == "crash" && err != nil {
				t.Fatalf("the invocation after the failure: %v", err)
			}
			if tc.binary != "crash" {
				functionError(t, err, tc.wantType) // it fails again, in a fresh process
			}
			if fresh := len(rec.pids(EventStarted)) > startedBefore; fresh != tc.freshAfter {
				t.Fatalf("next invocation started a process: %v, want %v", fresh, tc.freshAfter)
			}
		})
	}
}

func TestInvoke_ResponseOver6MBIsAFunctionError(t *testing.T) {
	// Not Lambda's default 3 s: a cold start sending 6 MB under -race on a busy machine can take that,
	// and the size, not the time, is what is tested.
	svc, _ := start(t, []Function{{Name: "F", Binary: bin("hello"), Timeout: time.Minute}}, nil)
	_, err := svc.Invoke(context.Background(), "F", []byte(`{"respond_bytes":`+strconv.Itoa(MaxPayload)+`}`))
	functionError(t, err, ErrorTypeResponseTooLarge)
	invokeHello(t, svc, "F", `{}`)
}

func TestOutput_EachLineWholeAndPrefixedByTheFunction(t *testing.T) {
	out := &lockedBuffer{}
	svc, _ := start(t, []Function{{Name: "LogsFunction", Binary: bin("logs")}}, out)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if _, err := svc.Invoke(context.Background(), "LogsFunction", []byte(`{"Tag":"tag`+strconv.Itoa(i)+`"}`)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, err := svc.Invoke(context.Background(), "LogsFunction", []byte(`{"Tag":"last","Tail":true}`)); err != nil {
		t.Fatal(err)
	}
	if err := svc.Close(); err != nil { // flushes the unterminated line
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^\[LogsFunction\] [0-9a-f-]{36} (stdout|stderr) \d+ (tag\d|last)$`)
	counts := map[string]int{}
	long := 0
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		switch {
		case line.MatchString(l):
			counts[l[strings.LastIndexByte(l, ' ')+1:]]++
		case strings.HasPrefix(l, "[LogsFunction] L"):
			long += len(strings.TrimPrefix(l, "[LogsFunction] "))
		case l == "[LogsFunction] unterminated-last":
		default:
			t.Errorf("unexpected line %.120q", l)
		}
	}
	want := map[string]int{"tag0": 100, "tag1": 100, "tag2": 100, "tag3": 100, "last": 100}
	if !maps.Equal(counts, want) {
		t.Errorf("lines per invocation %v, want %v", counts, want)
	}
	if long != 5*300<<10 {
		t.Errorf("long lines carried %d bytes, want %d", long, 5*300<<10)
	}
	if !strings.HasSuffix(out.String(), "[LogsFunction] unterminated-last\n") {
		t.Errorf("the unterminated last line was not flushed on Close")
	}
}

func TestClose_KillsEveryProcessAndEndsRunningInvocations(t *testing.T) {
	svc, rec := start(t, []Function{{Name: "F", Binary: bin("hello"), Timeout: time.Minute}}, nil)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := svc.Invoke(context.Background(), "F", []byte(`{"sleep_ms":60000}`))
			errs <- err
		}()
	}
	rec.waitFor(t, 15*time.Second, "two invocations handed out", func(ev []Event) bool { return count(ev, EventHanded) == 2 })
	began := time.Now()
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > 3*time.Second {
		t.Errorf("Close took %v", d)
	}
	for range 2 {
		if err := <-errs; !errors.Is(err, ErrClosed) {
			t.Errorf("running invocation: err = %v, want ErrClosed", err)
		}
	}
	pids := rec.pids(EventStarted)
	if len(pids) != 2 {
		t.Fatalf("started %v, want 2 processes", pids)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d alive after Close", pid)
		}
	}
	if _, err := svc.Invoke(context.Background(), "F", []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: err = %v, want ErrClosed", err)
	}
}

func TestInvoke_ReturnsWhenTheCallerGivesUp(t *testing.T) {
	svc, _ := start(t, []Function{{Name: "F", Binary: bin("hello"), Timeout: time.Minute}}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	if _, err := svc.Invoke(ctx, "F", []byte(`{"sleep_ms":60000}`)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Fatalf("returned after %v", d)
	}
}

func TestInvoke_EchoFunctionAnswersTheGoldenEvent(t *testing.T) {
	event, err := os.ReadFile("../../echo/testdata/echo-request.json")
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile("../../echo/testdata/echo-response.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	svc, _ := start(t, []Function{{Name: "EchoFunction", Binary: bin("echo"), Timeout: 10 * time.Second,
		Env: map[string]string{"CORS_ALLOW_ORIGIN": ""}}}, out)
	raw, err := svc.Invoke(context.Background(), "EchoFunction", event)
	if err != nil {
		t.Fatalf("%v\noutput:\n%s", err, out)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
		t.Fatalf("body %q: %v", resp.Body, err)
	}
	if err := json.Unmarshal(golden, &want); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !reflect.DeepEqual(got, want) {
		t.Fatalf("status %d, body %s\nwant the golden %s", resp.StatusCode, resp.Body, golden)
	}
}

func TestOptionsStartProcess_StartsEveryEnvironmentAndItsFailureIsInvokes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		hook    func(cmd *exec.Cmd, start func() error) error
		wantErr string // empty: the invocation succeeds through the hook
	}{
		{name: "hook starts the process", hook: func(_ *exec.Cmd, start func() error) error { return start() }},
		{name: "hook fails", hook: func(*exec.Cmd, func() error) error { return errors.New("no cgroup for you") }, wantErr: "no cgroup for you"},
		{name: "hook returns nil without starting", hook: func(*exec.Cmd, func() error) error { return nil }, wantErr: "without starting the process"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var seen []string
			svc, err := New([]Function{{Name: "HookFunction", Binary: bin("hello")}}, Options{Region: testRegion,
				StartProcess: func(fn string, cmd *exec.Cmd, start func() error) error {
					mu.Lock()
					seen = append(seen, fn+" "+filepath.Base(cmd.Path)+" "+strconv.FormatBool(cmd.SysProcAttr != nil && len(cmd.Env) > 0))
					mu.Unlock()
					return tc.hook(cmd, start)
				}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = svc.Close() })
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err = svc.Invoke(ctx, "HookFunction", []byte(`{}`))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Invoke: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Invoke error %v, want one containing %q", err, tc.wantErr)
			}
			mu.Lock()
			defer mu.Unlock()
			if want := []string{"HookFunction hello true"}; !reflect.DeepEqual(seen, want) {
				t.Errorf("hook saw %q, want %q (the configured command, once)", seen, want)
			}
		})
	}
}

// A cgroup v1 move before the exec can wait for an RCU grace period (20 ms seen on this project's
// machines): what the hook does before it calls start must not count as the environment's init.
func TestOptionsStartProcess_TheHooksPreparationIsNotTimedAsInit(t *testing.T) {
	const preparation = 150 * time.Millisecond
	var mu sync.Mutex
	var execAt, startedAt, readyAt time.Time
	svc, err := New([]Function{{Name: "HookFunction", Binary: bin("hello")}}, Options{Region: testRegion,
		StartProcess: func(_ string, _ *exec.Cmd, start func() error) error {
			time.Sleep(preparation)
			mu.Lock()
			execAt = time.Now()
			mu.Unlock()
			return start()
		},
		OnEvent: func(e Event) {
			mu.Lock()
			defer mu.Unlock()
			switch e.Kind {
			case EventStarted:
				startedAt = e.At
			case EventReady:
				readyAt = e.At
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := svc.Invoke(ctx, "HookFunction", []byte(`{}`)); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if startedAt.Before(execAt) {
		t.Errorf("EventStarted at %v is %v before the hook called start: its preparation was timed as init",
			startedAt.Format(time.StampMicro), execAt.Sub(startedAt))
	}
	if readyAt.Sub(startedAt) <= 0 {
		t.Errorf("EventReady (%v) is not after EventStarted (%v)", readyAt, startedAt)
	}
}

// fifo makes a named pipe in the test's temporary directory: a gate that a function blocks on until
// release opens it.
func fifo(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// release frees the function waiting on gate: opening a pipe for writing waits for its reader, and
// closing it gives the reader end of file.
func release(t *testing.T, gate string) {
	t.Helper()
	opened := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(gate, os.O_WRONLY, 0)
		if err == nil {
			err = f.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second): // a hang guard, not a measurement
		t.Fatalf("no function opened %s to wait on it", gate)
	}
}
