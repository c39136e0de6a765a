package e2e_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The README's "Add your own route" runs verbatim in a copy of the repository: its scaffold block, then a
// local stack started on the copy (what `make local` runs, with no change to the local stack's code), its
// block calling the new route without and with a token, and its block running the template, OpenAPI and
// Postman tests on the copy.
func TestREADME_AddYourOwnRouteRunsVerbatim(t *testing.T) {
	bin := localBinary(t)
	readme, err := os.ReadFile("../../README.md")
	must(t, err)
	root := copyRepository(t)

	out := runBlock(t, readme, "route-scaffold", root, nil, 5*time.Minute)
	for _, f := range []string{"functions/hello/main.go", "internal/hello/hello.go", "internal/hello/hello_test.go", "api-stack/template.yaml", "docs/openapi.yaml"} {
		if !strings.Contains(out, f) {
			t.Errorf("the scaffold did not say it wrote %s:\n%s", f, out)
		}
	}

	stateDir := t.TempDir()
	ls, err := launchIn(t, bin, root, stateDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ls.Stop(); err != nil {
			t.Error(err)
		}
	})
	out = runBlock(t, readme, "route-call", root, []string{"STATE_DIR=" + stateDir}, 5*time.Minute)
	var statuses []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if m := regexp.MustCompile(` (\d{3})$`).FindStringSubmatch(line); m != nil {
			statuses = append(statuses, m[1])
		}
	}
	if strings.Join(statuses, " ") != "401 200" || !strings.Contains(out, `{"message":"hello from hello"}`) {
		t.Fatalf("statuses %v, want 401 without a token and 200 with the handler's answer with one:\n%s", statuses, out)
	}
	// The existing routes are untouched.
	if r := call(t, &stack{Stack: ls}, "POST", "/echo", `{}`); r.status != 401 {
		t.Errorf("POST /echo without a token: status %d, want 401", r.status)
	}

	runBlock(t, readme, "route-test", root, nil, 15*time.Minute)
}

// runBlock runs the ```sh block between <!-- name:begin --> and <!-- name:end --> of readme with bash in
// dir, failing the test with its output when it fails; it returns the output.
func runBlock(t *testing.T, readme []byte, name, dir string, env []string, timeout time.Duration) string {
	t.Helper()
	block := regexp.MustCompile("(?s)<!-- " + name + ":begin -->\\s*```sh\\n(.*?)```\\s*<!-- " + name + ":end -->").FindSubmatch(readme)
	if block == nil {
		t.Fatalf("README.md has no ```sh block between <!-- %s:begin --> and <!-- %[1]s:end -->", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", string(block[1]))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README block %s: %v\n%s", name, err, out)
	}
	return string(out)
}

// copyRepository copies the repository's files (tracked and new, not ignored), with their permissions,
// to a temporary directory.
func copyRepository(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", "../..", "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	root := t.TempDir()
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(f, "node_modules/") {
			continue
		}
		info, err := os.Stat(filepath.Join("../..", f))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		must(t, err)
		raw, err := os.ReadFile(filepath.Join("../..", f))
		must(t, err)
		must(t, os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755))
		must(t, os.WriteFile(filepath.Join(root, f), raw, info.Mode().Perm())) // scripts stay executable
	}
	// Node's packages (Portman, for postman/) are linked, not copied: the copy only reads them.
	if nm, err := filepath.Abs("../../node_modules"); err == nil {
		if _, err := os.Stat(filepath.Join(nm, ".bin", "portman")); err != nil {
			t.Fatal("Portman is not installed: run npm ci (make function regenerates postman/ with it)")
		}
		must(t, os.Symlink(nm, filepath.Join(root, "node_modules")))
	}
	return root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
