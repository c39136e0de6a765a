package firstrun_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestProgressShell_SaysStillRunningWhileALineRunsAndKeepsItsExitCode(t *testing.T) {
	for _, tc := range []struct {
		line, stdout string
		code         int
		label        string // what the progress lines name
	}{
		{"echo started; sleep 1.5; exit 3", "started\n", 3, "echo started; sleep 1.5; exit 3"},
		{"CGO_ENABLED=0 GOOS=linux sleep 1.5", "", 0, "sleep 1.5"}, // the command, not the variables before it
	} {
		t.Run(tc.label, func(t *testing.T) {
			r := run(t, root, []string{"PROGRESS_EVERY=0.2"}, "scripts/progress-shell.sh", "-eu", "-o", "pipefail", "-c", tc.line)
			if r.code != tc.code || r.stdout != tc.stdout {
				t.Fatalf("exit %d, stdout %q: want the line's own %d and %q", r.code, r.stdout, tc.code, tc.stdout)
			}
			lines := messages(r.stderr, "make: still running ")
			if len(lines) < 2 || len(lines) != strings.Count(r.stderr, "\n") {
				t.Fatalf("want at least two progress lines and nothing else on stderr, got:\n%s", r.stderr)
			}
			re := regexp.MustCompile(`^make: still running ` + regexp.QuoteMeta(tc.label) + ` \(\d+s\)$`)
			for _, l := range lines {
				if !re.MatchString(l) {
					t.Fatalf("progress line %q, want %q and the seconds elapsed", l, tc.label)
				}
			}
		})
	}
}

func TestProgressShell_QuickLineIsSilent(t *testing.T) {
	r := run(t, root, []string{"PROGRESS_EVERY=5"}, "scripts/progress-shell.sh", "-c", "true")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q: want 0 and nothing", r.code, r.stderr)
	}
}

// Every recipe line `make test` runs goes through scripts/progress-shell.sh: a slow line of one of
// its prerequisites says that it is still running. The prerequisites themselves are taken as done
// (-o), and a slow one is added.
func TestMakeTest_SlowStepSaysItIsStillRunning(t *testing.T) {
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^test:([^#=\n]*)##`).FindSubmatch(makefile)
	if m == nil {
		t.Fatal("the Makefile has no `test: ... ##` rule")
	}
	args := []string{"--no-print-directory", "--eval", "test: slow-probe", "--eval", "slow-probe: ; @sleep 1.5"}
	for _, prereq := range strings.Fields(string(m[1])) {
		args = append(args, "-o", prereq)
	}
	r := run(t, root, []string{"PROGRESS_EVERY=0.2"}, "make", append(args, "test")...)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	if len(messages(r.stderr, "make: still running sleep 1.5 (")) < 2 {
		t.Fatalf("make test ran a 1.5 s line without saying it is still running (every 0.2 s):\n%s", r.stderr)
	}
}

// "Feature '...' not available in Feature Toggle Config." is the SAM translator's noise on every
// template with an API: scripts/sam-translate.py drops it, and prints only what it is asked for.
func TestSAMTranslate_PrintsNoFeatureToggleNoise(t *testing.T) {
	python := realPython(t)
	r := run(t, root, nil, python, "scripts/sam-translate.py", "api-stack/template.yaml", "template.yaml")
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Fatalf("stderr holds more than errors:\n%s", r.stderr)
	}
	if got := strings.Count(r.stdout, "translates to"); got != 2 || strings.Count(r.stdout, "\n") != 2 {
		t.Fatalf("want one line per template, got:\n%s", r.stdout)
	}
	out := filepath.Join(t.TempDir(), "api.json")
	r = run(t, root, nil, python, "scripts/sam-translate.py", "--out", out, "--parameter-overrides", "UserPoolId=us-east-1_example UserPoolArn=arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example", "api-stack/template.yaml")
	if r.code != 0 || r.stdout+r.stderr != "" {
		t.Fatalf("--out: exit %d, want 0 and silence:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// Run without requirements.txt's packages (python3 -S: no site-packages), the translator names the
// package and the command that installs it, never a traceback.
func TestSAMTranslate_MissingTranslatorSaysWhatToInstall(t *testing.T) {
	r := run(t, root, nil, realPython(t), "-S", "scripts/sam-translate.py", "template.yaml")
	if r.code == 0 || strings.Contains(r.stderr, "Traceback") {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	want := "aws-sam-translator is missing"
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "python3 -m pip install -r requirements.txt") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("want one line saying %q and the pip command, got:\n%s", want, r.stderr)
	}
}

// fakeGo stands in for go in a sandbox without Go code: `go build -o OUT ./cmd/local` takes 1.5 s and
// writes an OUT that runs a sub-make as cmd/local runs make build-<LogicalId>, with a slow line.
const fakeGo = `#!/usr/bin/env bash
[ "$1 $2 $4" = "build -o ./cmd/local" ] || { echo "fake go: unexpected $*" >&2; exit 1; }
sleep 1.5
printf '#!/usr/bin/env bash\nexec make --no-print-directory --eval "build-Probe: ; @sleep 1.5" build-Probe\n' >"$3"
chmod +x "$3"
`

// `make local` says it is still building while go builds cmd/local, and so do the function builds
// cmd/local runs through make.
func TestMakeLocal_SaysItIsStillBuildingWhileItBuilds(t *testing.T) {
	dir := sandbox(t, append(preflightFiles, "scripts/progress-shell.sh")...)
	bin := t.TempDir()
	writeFile(t, filepath.Join(bin, "go"), fakeGo, 0o755)
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + projectPath(t), "PROGRESS_EVERY=0.2"}
	r := run(t, dir, env, "make", "--no-print-directory", "local", "API_PORT="+strconv.Itoa(freePort(t)),
		"COGNITO_PORT="+strconv.Itoa(freePort(t)), "WEB_PORT=0", "STATE_DIR="+filepath.Join(dir, "state"))
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "make local: building the local stack") {
		t.Errorf("make local does not say that it builds:\n%s", r.stdout)
	}
	if len(messages(r.stderr, "make: still running go build -o ")) < 2 {
		t.Errorf("the build of cmd/local is silent:\n%s", r.stderr)
	}
	if len(messages(r.stderr, "make: still running sleep 1.5 (")) < 2 {
		t.Errorf("a function build run by cmd/local is silent:\n%s", r.stderr)
	}
}
