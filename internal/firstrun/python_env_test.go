package firstrun_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakePython is python3 where no package index is reachable: the real interpreter (REAL_PYTHON) for
// everything but `-m venv` and `-m pip`. Its venv is a directory with a copy of it and a site
// directory on PYTHONPATH; its pip "installs" each name==version pin of the -r file as an empty
// distribution there (what importlib.metadata reads), and logs each call to FAKE_PIP_LOG.
// FAKE_NO_VENV fails as Debian's python3 does without python3-venv; FAKE_NO_INDEX fails as pip does
// offline.
const fakePython = `#!/usr/bin/env bash
self=$(cd "${0%/*}" && pwd)
[ -f "$self/../pyvenv.cfg" ] && export PYTHONPATH="$self/../site"
case "$1 $2" in
"-m venv")
  mkdir -p "$3/bin"
  if [ -n "${FAKE_NO_VENV:-}" ]; then
    echo "The virtual environment was not created successfully because ensurepip is not"
    echo "available.  On Debian/Ubuntu systems, you need to install the python3-venv package"
    exit 1
  fi
  mkdir -p "$3/site" && echo "home = $self" >"$3/pyvenv.cfg" && cp "$0" "$3/bin/python3"
  exit ;;
"-m pip")
  echo "$*" >>"$FAKE_PIP_LOG"
  if [ -n "${FAKE_NO_INDEX:-}" ]; then
    echo "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError()': /simple/example-missing/" >&2
    echo "ERROR: Could not find a version that satisfies the requirement example-missing==1.2.3 (from versions: none)" >&2
    echo "ERROR: No matching distribution found for example-missing==1.2.3" >&2
    exit 1
  fi
  while read -r line; do
    [[ ${line%%#*} =~ ^([A-Za-z0-9._-]+)(\[.*\])?==([^[:space:]]+) ]] || continue
    name=${BASH_REMATCH[1]//[-.]/_} version=${BASH_REMATCH[3]}
    mkdir -p "$self/../site/$name-$version.dist-info"
    printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "${BASH_REMATCH[1]}" "$version" >"$self/../site/$name-$version.dist-info/METADATA"
  done <"${@: -1}"
  exit ;;
esac
exec "$REAL_PYTHON" "$@"
`

// missingPin is requirements.txt for these tests: a package no interpreter has.
const missingPin = "# a pin no interpreter has\nexample-missing==1.2.3\n"

// offline is a sandbox with python-env.sh, a requirements.txt that python3 does not satisfy, and
// fakePython first on PATH; it returns the sandbox, the environment to run in and the pip log.
func offline(t *testing.T, env ...string) (dir string, runEnv []string, pipLog string) {
	t.Helper()
	dir = sandbox(t, "scripts/python-env.sh", "Makefile")
	writeFile(t, filepath.Join(dir, "requirements.txt"), missingPin, 0o644)
	bin := filepath.Join(t.TempDir(), "bin")
	writeFile(t, filepath.Join(bin, "python3"), fakePython, 0o755)
	pipLog = filepath.Join(t.TempDir(), "pip.log")
	runEnv = append([]string{"REAL_PYTHON=" + realPython(t), "FAKE_PIP_LOG=" + pipLog,
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}, env...)
	return dir, runEnv, pipLog
}

func TestPythonEnv_UsesPython3sOwnPackagesWhenTheyMatchThePins(t *testing.T) {
	dir := sandbox(t, "scripts/python-env.sh", "requirements.txt")
	r := run(t, dir, []string{"PATH=" + projectPath(t)}, "scripts/python-env.sh")
	if r.code != 0 || r.stderr != "" || r.stdout != "" {
		t.Fatalf("exit %d, want 0 and silence (python3 %s has requirements.txt's pins; if not, run make python-env)\nstdout: %s\nstderr: %s",
			r.code, realPython(t), r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".venv")); !os.IsNotExist(err) {
		t.Fatalf(".venv/ was made although python3 has the packages (stat: %v)", err)
	}
}

func TestPythonEnv_MakesVenvOnceWhenPython3LacksAPin(t *testing.T) {
	dir, env, pipLog := offline(t)
	r := run(t, dir, env, "scripts/python-env.sh")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"example-missing==1.2.3", "installing requirements.txt into .venv/", "installed requirements.txt into .venv/"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("messages do not say %q (what is installed, where and why):\n%s", want, r.stderr)
		}
	}
	installs := func() []string {
		raw, err := os.ReadFile(pipLog)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSpace(string(raw)), "\n")
	}
	if got := installs(); len(got) != 1 || !strings.HasSuffix(got[0], "-r "+filepath.Join(dir, "requirements.txt")) {
		t.Fatalf("pip calls %q, want one install -r requirements.txt", got)
	}

	// Once: the next run finds the packages in .venv/ and says nothing.
	r = run(t, dir, env, "scripts/python-env.sh")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("second run: exit %d, want 0 and silence:\n%s", r.code, r.stderr)
	}
	if got := installs(); len(got) != 1 {
		t.Fatalf("pip called again on the second run: %q", got)
	}

	// Every recipe of the Makefile finds .venv's python3 first.
	r = run(t, dir, env, "make", "--no-print-directory", "--eval", "which-python3: ; @command -v python3", "which-python3")
	if want := filepath.Join(dir, ".venv", "bin", "python3"); strings.TrimSpace(r.stdout) != want {
		t.Fatalf("a Makefile recipe runs python3 = %q, want %s (exit %d: %s)", r.stdout, want, r.code, r.stderr)
	}
}

func TestPythonEnv_NeitherPython3NorAVenvSaysWhatToRunOnce(t *testing.T) {
	for _, tc := range []struct {
		name, env, why string
	}{
		{"no venv module", "FAKE_NO_VENV=1", "venv module is missing"},
		{"no package index", "FAKE_NO_INDEX=1", "ERROR: No matching distribution found for example-missing==1.2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, env, _ := offline(t, tc.env)
			r := run(t, dir, env, "scripts/python-env.sh")
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
			}
			failures := messages(r.stderr, "make: Python packages missing")
			if len(failures) != 1 {
				t.Fatalf("want one failure message, got %d:\n%s", len(failures), r.stderr)
			}
			for _, want := range []string{"example-missing==1.2.3", tc.why, "Install them with: python3 -m pip install -r requirements.txt"} {
				if !strings.Contains(failures[0], want) {
					t.Errorf("the message does not say %q:\n%s", want, failures[0])
				}
			}
			for _, noise := range []string{"Traceback", "WARNING: Retrying", "ensurepip is not"} {
				if strings.Contains(r.stderr+r.stdout, noise) {
					t.Errorf("output holds %q, the tool's own noise:\n%s%s", noise, r.stdout, r.stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, ".venv")); !os.IsNotExist(err) {
				t.Errorf("a half-made .venv/ is left behind (stat: %v): the next run would not retry", err)
			}
		})
	}
}
