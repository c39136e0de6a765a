package e2e_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The example make local prints once ready runs as pasted, and again: it signs up a new address each
// time and reads the confirmation link from the stack's mailbox.
func TestPrintedExample_RunsAsPastedTwice(t *testing.T) {
	s := startStack(t)
	out := s.logs.String()
	const header = "Try it in another terminal"
	i := strings.Index(out, header)
	if i < 0 {
		t.Fatalf("no example in the stack's output:\n%s", out)
	}
	lines := strings.Split(out[i:], "\n")[1:]
	var script []string
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			if len(script) > 0 {
				break
			}
			continue
		}
		script = append(script, strings.TrimPrefix(l, "  "))
	}
	for run := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		got, err := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", strings.Join(script, "\n")).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, got)
		}
		for _, want := range []string{"confirmation link: 200", `"body":{"hello":"world"}`, `"token_use":"id"`} {
			if !strings.Contains(string(got), want) {
				t.Fatalf("run %d: output lacks %q:\n%s", run, want, got)
			}
		}
	}
}
