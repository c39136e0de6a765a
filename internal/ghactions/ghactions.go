// Package ghactions writes GitHub Actions workflow commands: masking a secret in the job's log and
// passing a variable to later steps through the $GITHUB_ENV file.
package ghactions

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Enabled reports whether the process runs inside a GitHub Actions job (GITHUB_ACTIONS=true).
func Enabled(getenv func(string) string) bool {
	return getenv("GITHUB_ACTIONS") == "true"
}

// Mask writes the ::add-mask:: command for value: from then on the runner shows *** instead of it in
// the log. It must come before the value is printed or passed anywhere.
func Mask(w io.Writer, value string) error {
	_, err := fmt.Fprintf(w, "::add-mask::%s\n", escapeData(value))
	return err
}

// escapeData escapes a command's data as the runner expects (it unescapes %25, %0D and %0A).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidName reports whether name can be an environment variable's name.
func ValidName(name string) bool { return validName.MatchString(name) }

// AppendEnv appends NAME=value lines to the $GITHUB_ENV file at path, in the order given as
// name, value pairs. Values must be single lines.
func AppendEnv(path string, pairs ...string) error {
	if len(pairs)%2 != 0 {
		return fmt.Errorf("ghactions.AppendEnv: odd number of arguments")
	}
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		name, value := pairs[i], pairs[i+1]
		if !ValidName(name) {
			return fmt.Errorf("%q is not a variable name", name)
		}
		if strings.ContainsAny(value, "\r\n") {
			return fmt.Errorf("the value of %s holds a line break and cannot go into $GITHUB_ENV", name)
		}
		fmt.Fprintf(&b, "%s=%s\n", name, value)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("cannot open $GITHUB_ENV: %w", err)
	}
	if _, err := io.WriteString(f, b.String()); err != nil {
		f.Close()
		return fmt.Errorf("cannot write $GITHUB_ENV: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write $GITHUB_ENV: %w", err)
	}
	return nil
}
