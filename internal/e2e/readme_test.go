package e2e_test

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The README's account lifecycle (sign up, confirm by the mailed link, sign in, echo, refresh, sign
// out, refresh refused, forgot, reset with the mailed code, only the new password works) runs
// verbatim against a local stack: the block between its lifecycle markers, as a user pastes it.
func TestREADME_AccountLifecycleRunsVerbatim(t *testing.T) {
	s := sharedStack(t)
	readme, err := os.ReadFile("../../README.md")
	must(t, err)
	block := regexp.MustCompile("(?s)<!-- lifecycle:begin -->\\s*```sh\\n(.*?)```\\s*<!-- lifecycle:end -->").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README.md has no ```sh block between <!-- lifecycle:begin --> and <!-- lifecycle:end -->")
	}
	// Twice: pasting it again must work too.
	for run := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, "bash", "-c", string(block[1]))
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "STATE_DIR="+s.StateDir)
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, out)
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if m := regexp.MustCompile(`(\d{3})$`).FindStringSubmatch(line); m != nil {
				got = append(got, m[1])
			}
		}
		want := []string{"202", "200", "200", "200", "200", "401", "202", "200", "401", "200"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("run %d: statuses %v, want %v (signup, link, echo, refresh, logout, refresh, forgot, reset, old password, new password)\n%s", run, got, want, out)
		}
		if !strings.Contains(string(out), `"hello":"world"`) {
			t.Fatalf("run %d: /echo did not echo the body:\n%s", run, out)
		}
	}
}
