#!/usr/bin/env bash
# progress-shell.sh: the Makefile's SHELL under `make test`, so that no step is silent for long. It
# runs each recipe line as make would (bash with .SHELLFLAGS) and, while a line runs, prints
# "make: still running <its command> (<N>s)" every PROGRESS_EVERY seconds (30): the first `go vet` or
# `go test` on an empty build cache compiles for minutes before printing anything.
#
# The ticker reads from a pipe only this shell holds: when the line ends, this shell exits, the pipe
# closes and the ticker stops at once (no sleep left behind). The exit status is the line's.
every=${PROGRESS_EVERY:-30}
label=${!#}
label=${label%%$'\n'*}
# The command, without the variables set before it (CGO_ENABLED=0 GOOS=... go build: go build).
while [[ $label =~ ^[A-Za-z_][A-Za-z0-9_]*=[^[:space:]]*[[:space:]]+(.+)$ ]]; do label=${BASH_REMATCH[1]}; done
[ "${#label}" -le 100 ] || label="${label:0:97}..."
exec 3> >(
  start=$SECONDS
  while :; do
    read -r -t "$every" _
    [ $? -gt 128 ] || exit 0 # end of file: the line is done
    printf 'make: still running %s (%ds)\n' "$label" $((SECONDS - start)) >&2
  done
)
bash "$@" 3>&-
