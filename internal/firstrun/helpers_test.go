package firstrun_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// root is the repository, from this package's directory.
const root = "../.."

type result struct {
	code           int
	stdout, stderr string
}

// sandbox copies the named repository files into a new temporary directory, keeping their relative
// paths and modes, and returns it: the scripts run there, reading and writing nothing of the checkout.
func sandbox(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		info, err := os.Stat(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, f), string(raw), info.Mode().Perm())
	}
	return dir
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// run runs name in dir with this process's environment, minus make's own variables (a test run by
// make must not pass its flags on), plus env; a later KEY=value wins.
func run(t *testing.T, dir string, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "MAKEFLAGS" && k != "MAKELEVEL" && k != "MFLAGS" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return result{code, out.String(), errOut.String()}
}

// projectPath is PATH as the Makefile's recipes see it: the checkout's .venv/bin first, so that
// python3 is the interpreter `make` resolved (python3's own, or .venv's if make made one).
func projectPath(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join(root, ".venv", "bin"))
	if err != nil {
		t.Fatal(err)
	}
	return abs + string(os.PathListSeparator) + os.Getenv("PATH")
}

// realPython is the python3 found on projectPath, which must have requirements.txt's packages.
func realPython(t *testing.T) string {
	t.Helper()
	for _, dir := range filepath.SplitList(projectPath(t)) {
		p := filepath.Join(dir, "python3")
		if info, err := os.Stat(p); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return p
		}
	}
	t.Fatal("python3 is missing: install Python 3.11, then make python-env")
	return ""
}

// messages are the lines of out that start with prefix.
func messages(out, prefix string) []string {
	var got []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, prefix) {
			got = append(got, line)
		}
	}
	return got
}
