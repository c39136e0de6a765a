#!/usr/bin/env bash
# Size budget of the Lambda binaries: builds each function for linux/arm64 exactly as `make build`
# does (CGO_ENABLED=0 and the Makefile's own GO_BUILD_FLAGS) into a temporary directory, prints each
# size next to its budget, and exits 1 when one is over. Binary size is deterministic, so `make test`
# runs this rather than a timed test. Budgets are in bytes (MiB = 1048576 bytes).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

GO=${GO:-go}
declare -A BUDGET=(
  [echo]=6815744  # 6.5 MiB
  [login]=7864320 # 7.5 MiB: 7 MiB until the account lifecycle added five Cognito operations (+192 KiB of SDK code)
)

# The flags `make build` uses, read from the Makefile so that this check cannot drift from it.
# shellcheck disable=SC2016 # $(...) is make's syntax, for make to expand
flags=$(make -s --no-print-directory --eval='__print_go_build_flags: ; $(info $(GO_BUILD_FLAGS))' __print_go_build_flags)
build_flags=()
eval "build_flags=($flags)"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

status=0
printf '%-8s %12s %12s %12s  %s\n' function bytes budget headroom status
for f in echo login; do
  CGO_ENABLED=0 GOOS=linux GOARCH=arm64 "$GO" build "${build_flags[@]}" -o "$out/$f/bootstrap" "./functions/$f"
  size=$(stat -c %s "$out/$f/bootstrap")
  budget=${BUDGET[$f]}
  verdict=ok
  if [ "$size" -gt "$budget" ]; then
    verdict="OVER BUDGET"
    status=1
  fi
  printf '%-8s %12d %12d %12d  %s\n' "$f" "$size" "$budget" $((budget - size)) "$verdict"
done
if [ "$status" -ne 0 ]; then
  echo "check-size: a linux/arm64 bootstrap is over its budget (see docs/PERFORMANCE.md, Binary sizes)" >&2
fi
exit "$status"
