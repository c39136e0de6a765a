package lambda

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// copyBootstrap copies the hello test function to dir/bootstrap.
func copyBootstrap(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(bin("hello"))
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, "bootstrap")
	must(os.WriteFile(path, raw, 0o755))
	return path
}

// New code, as a deployment brings it: idle environments stop at once, a busy one finishes its
// invocation on the old code and then stops, and every later invocation runs the new binary.
func TestReplace_NewInvocationsRunTheNewBinaryAndInFlightOnesFinishOnTheOld(t *testing.T) {
	root := t.TempDir()
	old, replacement := copyBootstrap(t, filepath.Join(root, "old")), copyBootstrap(t, filepath.Join(root, "new"))
	svc, rec := start(t, []Function{{Name: "HelloFunction", Binary: old}}, nil)

	slow := make(chan helloResponse, 1)
	go func() { slow <- invokeHello(t, svc, "HelloFunction", `{"sleep_ms":1500}`) }()
	rec.waitFor(t, 20*time.Second, "the slow invocation handed to an environment", func(ev []Event) bool { return count(ev, EventHanded) == 1 })
	busy := rec.pids(EventStarted)[0]
	idle := invokeHello(t, svc, "HelloFunction", `{}`).PID
	if idle == busy {
		t.Fatalf("the second invocation ran in the busy environment %d", busy)
	}

	if err := svc.Replace("HelloFunction", replacement); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, 10*time.Second, "the idle environment stopped", func(ev []Event) bool {
		return slices.ContainsFunc(ev, func(e Event) bool { return e.Kind == EventStopped && e.PID == idle })
	})
	if r := <-slow; r.PID != busy || r.Env["LAMBDA_TASK_ROOT"] != filepath.Dir(old) {
		t.Fatalf("the in-flight invocation answered from pid %d in %s, want %d in %s", r.PID, r.Env["LAMBDA_TASK_ROOT"], busy, filepath.Dir(old))
	}
	rec.waitFor(t, 10*time.Second, "the busy environment stopped after its invocation", func(ev []Event) bool {
		return slices.ContainsFunc(ev, func(e Event) bool { return e.Kind == EventStopped && e.PID == busy })
	})
	for range 2 {
		r := invokeHello(t, svc, "HelloFunction", `{}`)
		if r.PID == busy || r.PID == idle || r.Env["LAMBDA_TASK_ROOT"] != filepath.Dir(replacement) {
			t.Fatalf("after Replace: pid %d in %s, want a new environment in %s", r.PID, r.Env["LAMBDA_TASK_ROOT"], filepath.Dir(replacement))
		}
	}
}

func TestReplace_RefusesAnUnknownFunctionOrAMissingBinary(t *testing.T) {
	svc, _ := start(t, []Function{{Name: "HelloFunction", Binary: bin("hello")}}, nil)
	if err := svc.Replace("Nope", bin("hello")); !errors.Is(err, ErrUnknownFunction) {
		t.Errorf("unknown function: %v, want ErrUnknownFunction", err)
	}
	if err := svc.Replace("HelloFunction", filepath.Join(t.TempDir(), "bootstrap")); err == nil {
		t.Error("a missing bootstrap was accepted")
	}
	if r := invokeHello(t, svc, "HelloFunction", `{}`); r.Env["LAMBDA_TASK_ROOT"] != binDir {
		t.Errorf("after a refused Replace the function runs from %s, want %s", r.Env["LAMBDA_TASK_ROOT"], binDir)
	}
}
