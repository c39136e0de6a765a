package ghactions_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/ghactions"
)

func TestMaskEscapesWhatTheRunnerUnescapes(t *testing.T) {
	tests := []struct{ value, want string }{
		{"plain-Value.1", "::add-mask::plain-Value.1\n"},
		{"100%", "::add-mask::100%25\n"},
		{"a\r\nb", "::add-mask::a%0D%0Ab\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := ghactions.Mask(&b, tt.value); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("Mask(%q) wrote %q, want %q", tt.value, b.String(), tt.want)
		}
	}
}

func TestAppendEnvAppendsLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "github_env")
	if err := os.WriteFile(path, []byte("EARLIER=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ghactions.AppendEnv(path, "USERNAME", "e2e-x@example.com", "PASSWORD", "a=b:c"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "EARLIER=1\nUSERNAME=e2e-x@example.com\nPASSWORD=a=b:c\n"; string(got) != want {
		t.Errorf("file holds %q, want %q", got, want)
	}
}

func TestAppendEnvRefusesWhatWouldCorruptTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "github_env")
	tests := []struct {
		name  string
		pairs []string
		want  string
	}{
		{"line break in a value", []string{"TOKEN", "a\nEVIL=1"}, "line break"},
		{"bad name", []string{"1TOKEN", "x"}, "not a variable name"},
		{"odd arguments", []string{"TOKEN"}, "odd number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ghactions.AppendEnv(path, tt.pairs...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
			if _, statErr := os.Stat(path); !os.IsNotExist(statErr) {
				t.Errorf("the file was written")
			}
		})
	}
}

func TestEnabledOnlyInsideGitHubActions(t *testing.T) {
	for value, want := range map[string]bool{"true": true, "": false, "false": false, "1": false} {
		if got := ghactions.Enabled(func(string) string { return value }); got != want {
			t.Errorf("GITHUB_ACTIONS=%q: Enabled = %v, want %v", value, got, want)
		}
	}
}
