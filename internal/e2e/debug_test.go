package e2e_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/localstack/launch"
	"github.com/example/cognito-sam-go/internal/testlog"
)

// `make local DEBUG=LoginFunction` (-debug): the stack prints Delve's address, the function answers
// from under Delve, and Delve's JSON-RPC server answers on that port.
func TestLocalStack_DebugRunsTheFunctionUnderDelveOnThePrintedPort(t *testing.T) {
	bin := localBinary(t)
	port, err := launch.FreePort()
	must(t, err)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logs := &testlog.Buffer{}
	ls, err := launch.Start(context.Background(), bin, "../..", t.TempDir(), logs, "-debug", "LoginFunction", "-debug-port", strconv.Itoa(port))
	if err != nil {
		t.Fatalf("%v\n%s", err, logs)
	}
	t.Cleanup(func() {
		if err := ls.Stop(); err != nil {
			t.Error(err)
		}
	})
	if !strings.Contains(logs.String(), `"delve":"`+addr+`"`) {
		t.Fatalf("the stack did not print Delve's address %s:\n%s", addr, logs)
	}
	// The first request starts the function's one execution environment, under Delve.
	if r := call(t, &stack{Stack: ls}, "POST", "/login", `{}`); r.status != http.StatusBadRequest {
		t.Fatalf("POST /login {}: status %d (%s), want the function's 400", r.status, r.body)
	}
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("Delve does not listen on %s: %v\n%s", addr, err, logs)
	}
	defer conn.Close()
	must(t, conn.SetDeadline(time.Now().Add(20*time.Second)))
	must(t, json.NewEncoder(conn).Encode(map[string]any{"method": "RPCServer.GetVersion", "params": []any{map[string]any{}}, "id": 1}))
	var answer struct {
		Result struct{ DelveVersion string }
		Error  any
	}
	must(t, json.NewDecoder(conn).Decode(&answer))
	if answer.Error != nil || !strings.Contains(answer.Result.DelveVersion, "1.27") {
		t.Fatalf("Delve's GetVersion: %+v, want the pinned Delve 1.27", answer)
	}
}
