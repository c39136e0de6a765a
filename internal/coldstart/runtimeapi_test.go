package coldstart

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testARN = "arn:aws:lambda:eu-west-1:123456789012:function:test"

// runtimeClient speaks the Runtime API as aws-lambda-go's client does, for protocol tests.
type runtimeClient struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newRuntimeClient(t *testing.T, api *runtimeAPI) *runtimeClient {
	return &runtimeClient{t: t, base: "http://" + api.Addr + "/2018-06-01/runtime/", hc: &http.Client{Timeout: 5 * time.Second}}
}

func (c *runtimeClient) next() (http.Header, string) {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + "invocation/next")
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET next: %d %s", resp.StatusCode, body)
	}
	return resp.Header, string(body)
}

func (c *runtimeClient) post(path, body string) int {
	c.t.Helper()
	resp, err := c.hc.Post(c.base+path, "application/json", strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRuntimeAPI_HandsOutEventsWithLambdaHeadersAndRecordsResponses(t *testing.T) {
	api, err := newRuntimeAPI([]byte(`{"path":"/echo"}`), 2, testARN, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer api.close()
	c := newRuntimeClient(t, api)

	seen := map[string]bool{}
	for i := range 2 {
		h, body := c.next()
		if body != `{"path":"/echo"}` {
			t.Fatalf("event %q", body)
		}
		id := h.Get("Lambda-Runtime-Aws-Request-Id")
		if id == "" || seen[id] {
			t.Fatalf("request id %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
		ms, err := strconv.ParseInt(h.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
		if err != nil || time.Until(time.UnixMilli(ms)) < 9*time.Second {
			t.Fatalf("deadline %q: want about 10 s from now (%v)", h.Get("Lambda-Runtime-Deadline-Ms"), err)
		}
		if got := h.Get("Lambda-Runtime-Invoked-Function-Arn"); got != testARN {
			t.Fatalf("function ARN %q", got)
		}
		if tr := h.Get("Lambda-Runtime-Trace-Id"); !strings.HasPrefix(tr, "Root=1-") {
			t.Fatalf("trace id %q", tr)
		}
		if got := c.post("invocation/"+id+"/response", `{"statusCode":200,"n":`+strconv.Itoa(i)+`}`); got != http.StatusAccepted {
			t.Fatalf("POST response: %d, want 202", got)
		}
		// A second answer to the same invocation is a protocol error.
		if i == 0 {
			if got := c.post("invocation/"+id+"/response", `{}`); got != http.StatusBadRequest {
				t.Fatalf("second POST response: %d, want 400", got)
			}
		}
	}

	// All handed out: the next GET is held open, as Lambda does, and the API reports idle.
	held := make(chan struct{})
	go func() {
		defer close(held)
		resp, err := c.hc.Get(c.base + "invocation/next")
		if err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case <-api.idle:
	case <-time.After(5 * time.Second):
		t.Fatal("API did not report idle")
	}
	select {
	case <-held:
		t.Fatal("GET next answered after the last invocation; it must be held")
	case <-time.After(50 * time.Millisecond):
	}
	initEnd, invokes := api.snapshot()
	if initEnd.IsZero() {
		t.Fatal("first GET next not recorded")
	}
	for i, inv := range invokes {
		if inv.handedAt.IsZero() || inv.postedAt.Before(inv.handedAt) {
			t.Fatalf("invocation %d: handed %v, posted %v", i, inv.handedAt, inv.postedAt)
		}
		if want := `{"statusCode":200,"n":` + strconv.Itoa(i) + `}`; string(inv.response) != want {
			t.Fatalf("invocation %d response %q, want %q", i, inv.response, want)
		}
	}
	api.close()
	<-held
}

func TestRuntimeAPI_ErrorsFailTheColdStart(t *testing.T) {
	for _, tc := range []struct {
		name, path string
	}{
		{"invocation error", "invocation/{id}/error"},
		{"init error", "init/error"},
		{"unknown path", "invocation/{id}/nonsense"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api, err := newRuntimeAPI([]byte(`{}`), 1, testARN, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer api.close()
			c := newRuntimeClient(t, api)
			h, _ := c.next()
			c.post(strings.ReplaceAll(tc.path, "{id}", h.Get("Lambda-Runtime-Aws-Request-Id")),
				`{"errorMessage":"boom","errorType":"Failure"}`)
			select {
			case <-api.failed:
			case <-time.After(5 * time.Second):
				t.Fatal("failure not reported")
			}
			if api.failureMessage() == "" {
				t.Fatal("no failure message")
			}
		})
	}
}

var (
	helloOnce sync.Once
	helloBin  string
	helloErr  error
)

// buildHello builds testdata/hello with `make build`'s flags, once per test run.
func buildHello(t *testing.T) string {
	t.Helper()
	helloOnce.Do(func() {
		dir, err := os.MkdirTemp("", "coldstart-hello-")
		if err != nil {
			helloErr = err
			return
		}
		helloBin = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", helloBin, "./testdata/hello")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			helloErr = err
			helloBin = string(out)
		}
	})
	if helloErr != nil {
		t.Fatalf("build testdata/hello: %v\n%s", helloErr, helloBin)
	}
	return helloBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if helloBin != "" && helloErr == nil {
		os.RemoveAll(filepath.Dir(helloBin))
	}
	os.Exit(code)
}

func testOptions(t *testing.T) Options {
	dir := t.TempDir()
	if err := WriteSharedConfig(dir); err != nil {
		t.Fatal(err)
	}
	return Options{Warm: 3, Timeout: 20 * time.Second, LogDir: t.TempDir(), Region: "eu-west-1", MemoryMB: 128, SharedConfigDir: dir}
}

func TestColdStart_MeasuresARealGoLambda(t *testing.T) {
	fn := Function{Name: "hello", Binary: buildHello(t), Event: []byte(`{"httpMethod":"POST","path":"/echo","body":"{}"}`)}
	s, err := ColdStart(context.Background(), fn, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if s.Init <= 0 || s.First <= 0 || s.Warm <= 0 {
		t.Fatalf("durations not measured: %+v", s)
	}
	if s.ConfigOpens != 0 {
		t.Fatalf("hello opened the shared config %d times", s.ConfigOpens)
	}
	if s.ColdTotal < s.Init+s.First {
		t.Fatalf("cold total %v is less than init %v + first %v", s.ColdTotal, s.Init, s.First)
	}
	// A Go binary maps a few MB at least; more than 100 MB would mean the wrong process was read.
	if s.PeakRSS < 1<<20 || s.PeakRSS > 100<<20 {
		t.Fatalf("peak RSS %d bytes", s.PeakRSS)
	}
}

func TestColdStart_FailsOnAWrongAnswerOrAnEarlyExit(t *testing.T) {
	opts := testOptions(t)
	fn := Function{Name: "hello", Binary: buildHello(t), Event: []byte(`{}`),
		Check: func([]byte) error { return io.ErrUnexpectedEOF }}
	if _, err := ColdStart(context.Background(), fn, opts); err == nil || !strings.Contains(err.Error(), "invocation 1") {
		t.Fatalf("err = %v, want the check's failure for invocation 1", err)
	}
	falseBin, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false(1) on PATH")
	}
	_, err = ColdStart(context.Background(), Function{Name: "false", Binary: falseBin, Event: []byte(`{}`)}, opts)
	if err == nil || !strings.Contains(err.Error(), "exited") {
		t.Fatalf("err = %v, want an early exit", err)
	}
}

func TestLambdaEnv_IsLambdasNotOurs(t *testing.T) {
	t.Setenv("HOME", "/root/should-not-leak")
	env := lambdaEnv(Function{Name: "echo", Env: map[string]string{"CORS_ALLOW_ORIGIN": "https://app.example.com"}},
		"127.0.0.1:9001", Options{Region: "eu-west-1", MemoryMB: 128})
	joined := "\n" + strings.Join(env, "\n") + "\n"
	for _, want := range []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001", "AWS_REGION=eu-west-1", "_HANDLER=bootstrap",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_NAME=api-echo-0123456789AB", "CORS_ALLOW_ORIGIN=https://app.example.com"} {
		if !strings.Contains(joined, "\n"+want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(joined, "HOME=") {
		t.Error("HOME leaked from the harness's environment")
	}
}

func TestWatchFiles_CountsOpens(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSharedConfig(dir); err != nil {
		t.Fatal(err)
	}
	files := sharedConfigFiles(Options{SharedConfigDir: dir})
	w, err := watchFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(files[0]); err != nil {
		t.Fatal(err)
	}
	opened, err := w.opened()
	if err != nil {
		t.Fatal(err)
	}
	if len(opened) != 1 || opened[0] != files[0] {
		t.Fatalf("opened %v, want exactly %s", opened, files[0])
	}
}
