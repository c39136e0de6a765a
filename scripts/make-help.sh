#!/usr/bin/env bash
# Prints `make help` from the Makefile itself, so that it cannot fall behind:
#   - every target with a `## text` comment on its rule line;
#   - every variable set with `NAME ?= default`, described by the `# comment` line just above it.
# `make help` passes each variable's value and origin on stdin (NAME<TAB>origin<TAB>value lines), so
# that $(NAME) in a target's text is shown as its value, never literally, and a value set on the
# command line or in the environment is shown next to the Makefile's default.
#
#   usage: ... | scripts/make-help.sh Makefile
set -euo pipefail

declare -A value origin
while IFS=$'\t' read -r name org val; do
  value[$name]=$val
  origin[$name]=$org
done

# expand replaces each $(NAME) of a known variable with its value.
expand() {
  local s=$1 name
  for name in "${!value[@]}"; do
    # Quoted pattern and replacement: literal text, no globbing, no & substitution.
    s=${s//"\$($name)"/"${value[$name]}"}
  done
  printf '%s' "$s"
}

echo "Usage: make <target> [NAME=value ...]"
echo
echo "Targets:"
# Rule lines with a ## comment: "name: [prerequisites] ## text".
sed -n 's/^\([a-zA-Z0-9_-]*\):[^=]*## \(.*\)$/\1\t\2/p' "$@" | while IFS=$'\t' read -r target text; do
  printf '  %-20s %s\n' "$target" "$(expand "$text")"
done

echo
echo "Variables (make <target> NAME=value; shown with their defaults):"
declare -A seen
previous=""
while IFS= read -r line; do
  if [[ $line =~ ^([A-Z][A-Z0-9_]*)[[:space:]]*\?=[[:space:]]*(.*)$ ]]; then
    name=${BASH_REMATCH[1]}
    literal=${BASH_REMATCH[2]}
    doc=""
    [[ $previous =~ ^#[[:space:]]*(.*)$ ]] && doc=$(expand "${BASH_REMATCH[1]}")
    if [ -z "${seen[$name]:-}" ]; then
      seen[$name]=1
      if [ "${origin[$name]:-file}" = file ]; then
        shown=${value[$name]-$literal}
      else
        # Set outside the Makefile: the value in force, then the Makefile's default.
        default=$(expand "$literal")
        shown="${value[$name]} (${origin[$name]}; default ${default:-empty})"
      fi
      printf '  %-20s %-10s %s\n' "$name" "${shown:-(empty)}" "$doc"
    fi
  fi
  previous=$line
done < <(cat "$@")
