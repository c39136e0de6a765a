package emulator_test

import (
	"os/exec"
	"strings"
	"testing"
)

// What deploys (each function's main and everything it imports) must never import the emulator, the
// local-stack orchestrator or test helpers: the bootstrap that runs in Lambda is the one that runs
// locally, with no "if local" path compiled in.
func TestDeployedFunctionsNeverImportTheEmulator(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../functions/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps ./functions/...: %v\n%s", err, out)
	}
	const module = "github.com/example/cognito-sam-go/"
	deps := strings.Fields(string(out))
	var own []string
	for _, d := range deps {
		if !strings.HasPrefix(d, module) {
			continue
		}
		own = append(own, strings.TrimPrefix(d, module))
		for _, banned := range []string{"internal/emulator", "internal/localstack", "internal/mototest", "internal/cognitofake", "internal/coldstart", "cmd/"} {
			if strings.HasPrefix(strings.TrimPrefix(d, module), banned) {
				t.Errorf("a deployed function depends on %s", d)
			}
		}
	}
	if len(own) < 3 {
		t.Fatalf("go list found only %v: the check would pass vacuously", own)
	}
}
