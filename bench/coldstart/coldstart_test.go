package coldstart

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

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
		t.Fatal("false(1) not on PATH: install coreutils")
	}
	_, err = ColdStart(context.Background(), Function{Name: "false", Binary: falseBin, Event: []byte(`{}`)}, opts)
	if err == nil || !strings.Contains(err.Error(), "exited") {
		t.Fatalf("err = %v, want an early exit", err)
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
