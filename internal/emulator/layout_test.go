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
		for _, banned := range []string{"internal/emulator", "internal/localstack", "internal/mototest", "bench/", "cmd/"} {
			if strings.HasPrefix(strings.TrimPrefix(d, module), banned) {
				t.Errorf("a deployed function depends on %s", d)
			}
		}
	}
	if len(own) < 3 {
		t.Fatalf("go list found only %v: the check would pass vacuously", own)
	}
}

// The benchmark harness (bench/) is a tool apart: no package outside it, application, emulator or
// test, imports it, so that what people copy from internal/ and functions/ never drags it along.
func TestNothingOutsideBenchImportsTheHarness(t *testing.T) {
	const module = "github.com/example/cognito-sam-go/"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`,
		"../../...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list ./...: %v\n%s", err, out)
	}
	var inBench int
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if strings.HasPrefix(f[0], module+"bench/") {
			inBench++
			continue
		}
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, module+"bench/") {
				t.Errorf("%s imports the benchmark harness %s", f[0], imp)
			}
		}
	}
	if inBench == 0 {
		t.Fatal("go list found no package under bench/: the check would pass vacuously")
	}
}
