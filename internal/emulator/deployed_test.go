package emulator_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// emulatorWords are what code written for an emulator says of itself: its names (moto, LocalStack,
// this project's emulator and fakes). The deployed code answers AWS's documented behaviour only; an
// answer kept because an emulator once gave it (issue 24: moto's ResourceNotFoundException for an
// unknown session, which on AWS means a wrong client or pool) is a branch AWS never takes.
var emulatorWords = regexp.MustCompile(`(?i)\bmoto|emulat|localstack|cognitofake|cognitotest`)

// No source file of what deploys (each function's main and every package of this module it imports)
// mentions an emulator, in code or comment: emulator quirks are handled in the emulator.
func TestDeployedCodeNeverMentionsAnEmulator(t *testing.T) {
	const module = "github.com/example/cognito-sam-go/"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{join .GoFiles \" \"}}",
		"../../functions/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps ./functions/...: %v\n%s", err, out)
	}
	scanned := 0
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		fields := strings.Split(strings.TrimSpace(line), "\t")
		if len(fields) != 3 || !strings.HasPrefix(fields[0], module) {
			continue
		}
		for _, name := range strings.Fields(fields[2]) {
			path := filepath.Join(fields[1], name)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			scanned++
			for i, l := range strings.Split(string(src), "\n") {
				if m := emulatorWords.FindString(l); m != "" {
					t.Errorf("%s:%d mentions %q: %s", strings.TrimPrefix(fields[0], module)+"/"+name, i+1, m, strings.TrimSpace(l))
				}
			}
		}
	}
	if scanned < 5 {
		t.Fatalf("scanned only %d files: the check would pass vacuously", scanned)
	}
}
