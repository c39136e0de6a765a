package e2e_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/localstack/launch"
	"github.com/example/cognito-sam-go/internal/testlog"
)

// waitLog waits, boundedly, until the stack's output holds want n times, polling what it has written.
func waitLog(t *testing.T, logs *testlog.Buffer, want string, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for strings.Count(logs.String(), want) < n {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %q (%d times); output:\n%s", within, want, n, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// scaffoldHello adds a public GET /hello to the repository at root, as `make function` does.
func scaffoldHello(t *testing.T, root string) {
	t.Helper()
	scaffold := exec.Command("go", "run", "./cmd/scaffold", "-name", "hello", "-method", "get", "-auth", "none")
	scaffold.Dir = root
	if out, err := scaffold.CombinedOutput(); err != nil {
		t.Fatalf("scaffold: %v\n%s", err, out)
	}
}

// startWatching starts the stack of the repository at root with -watch, as `make local` does, and
// stops it when the test ends.
func startWatching(t *testing.T, root string) *stack {
	t.Helper()
	logs := &testlog.Buffer{}
	ls, err := launch.Start(context.Background(), localBinary(t), root, t.TempDir(), logs, "-watch")
	if err != nil {
		t.Fatalf("%v\n%s", err, logs)
	}
	t.Cleanup(func() {
		if err := ls.Stop(); err != nil {
			t.Error(err)
		}
	})
	return &stack{Stack: ls, logs: logs}
}

// With -watch (what `make local` runs unless WATCH=0), saving a function's code rebuilds that function
// alone and the next request runs the new code; a build that fails prints the compiler's error once and
// the previous version keeps serving; fixing it reloads again.
func TestLocalStack_HotReloadRebuildsTheChangedFunctionAndSurvivesAFailingBuild(t *testing.T) {
	root := copyRepository(t)
	scaffoldHello(t, root)
	s := startWatching(t, root)
	logs := s.logs
	hello := func(want string) {
		t.Helper()
		r := call(t, s, "GET", "/hello", "")
		assertStatus(t, r, http.StatusOK)
		if got := r.json(t)["message"]; got != want {
			t.Fatalf("GET /hello: message %v, want %q", got, want)
		}
	}
	hello("hello from hello")
	waitLog(t, logs, "watching the functions' Go code", 1, time.Minute)
	builtAtStart := strings.Count(logs.String(), `"msg":"building function"`)

	handler := filepath.Join(root, "internal", "hello", "hello.go")
	src, err := os.ReadFile(handler)
	must(t, err)
	must(t, os.WriteFile(handler, []byte(strings.Replace(string(src), `"hello from hello"`, `"hello, reloaded"`, 1)), 0o644))
	waitLog(t, logs, `"msg":"reloaded function"`, 1, 3*time.Minute)
	hello("hello, reloaded")
	if rebuilt := strings.Count(logs.String(), `"msg":"building function"`) - builtAtStart; rebuilt != 1 {
		t.Errorf("%d functions rebuilt for a change to internal/hello, want HelloFunction alone:\n%s", rebuilt, logs)
	}

	broken := filepath.Join(root, "internal", "hello", "broken.go")
	must(t, os.WriteFile(broken, []byte("package hello\n\nvar _ = notDeclaredAnywhere\n"), 0o644))
	waitLog(t, logs, `"msg":"reload failed: the previous version keeps serving"`, 1, 3*time.Minute)
	if n := strings.Count(logs.String(), "undefined: notDeclaredAnywhere"); n != 1 {
		t.Errorf("the compiler's error printed %d times, want once:\n%s", n, logs)
	}
	hello("hello, reloaded")

	must(t, os.Remove(broken))
	waitLog(t, logs, `"msg":"reloaded function"`, 2, 3*time.Minute)
	hello("hello, reloaded")
}
