package conformance_test

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// `make conformance-aws` without credentials says what to set and exits 2 before touching AWS: the
// part CI can exercise.
func TestConformanceAWSWithoutCredentialsExits2WithAClearMessage(t *testing.T) {
	if onAWS != nil {
		t.Skip("checks the run without credentials; this run has them")
	}
	script, err := filepath.Abs("../../../../scripts/conformance-aws.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("exit %v, want 2:\n%s", err, out)
	}
	for _, want := range []string{"no AWS credentials", "AWS_ACCESS_KEY_ID", "AWS_REGION", "deletes it"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("message lacks %q:\n%s", want, out)
		}
	}
}
