// Package firstrun holds the tests of what `make local` and `make test` do before anything compiles
// (scripts/preflight.sh, scripts/python-env.sh) and of how they keep the user informed
// (scripts/progress-shell.sh, the SAM translator's output). The scripts run for real, in a temporary
// copy of the files they read, with stand-ins on PATH where a registry would be needed.
package firstrun
