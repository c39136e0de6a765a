#!/usr/bin/env bash
# Lints .github/workflows with actionlint, built from source at a pinned version by the Go toolchain
# (no binary download, nothing added to go.mod). actionlint also runs shellcheck on every `run:` block
# when shellcheck is installed (apt-get install shellcheck); without it those blocks go unchecked.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=v1.7.12

if ! command -v shellcheck >/dev/null; then
  echo "actionlint.sh: shellcheck not found: run: blocks are not checked (apt-get install shellcheck)" >&2
fi
# The module's own settings (GOFLAGS=-mod=..., a vendor directory) must not apply to the tool.
GOFLAGS=-buildvcs=false exec go run "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}" "$@"
