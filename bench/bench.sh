#!/usr/bin/env bash
# `make bench`: measures cold starts, per-request cost and local throughput, checks the budgets, and
# rewrites the generated part of docs/PERFORMANCE.md and docs/coldstart.svg. Exits 1 when a budget is
# missed, 2 when something could not be measured, 3 when nothing was missed but some figures are void
# (contention from other work on the machine, with the reason). Needs Go and GNU make; benchstat comes
# from the Go module proxy at a pinned version.
#
#   1. builds, with `make build`'s flags (read from the Makefile): the functions and a hello-world
#      baseline for this machine (cold starts) and for linux/arm64 (sizes), cmd/local and bench/cmd/coldstart;
#   2. runs the Go benchmarks (-benchmem) into build/bench/new.txt and compares them with benchstat
#      against bench/baseline.txt when it exists;
#   3. runs bench/cmd/coldstart: cold starts on whole cores; the memory table under Lambda's CPU share (a
#      cgroup per bootstrap: needs a writable cgroup v1 cpu and memory hierarchy, or cgroup v2 with
#      both controllers delegated; without them it says why, gives no figures and exits 2), its
#      calibration and the connect-during-init experiment; the load test; `make local`'s start time;
#      budgets.
#
# Knobs (environment): BENCH_COUNT (Go benchmark runs, 8), BENCH_TIME (per run, 0.5s), ROUNDS (cold
# starts per function on whole cores and per arm of the experiment, 20), MEM_ROUNDS (cold starts per
# function and memory size, 12), LOAD_DURATION (10s), BENCH_TIMEOUT (whole script, 900 s).
# To make this run's Go benchmarks the committed baseline: cp build/bench/new.txt bench/baseline.txt
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

GO=${GO:-go}
BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
BENCH_COUNT=${BENCH_COUNT:-8}
BENCH_TIME=${BENCH_TIME:-0.5s}
ROUNDS=${ROUNDS:-20}
MEM_ROUNDS=${MEM_ROUNDS:-12}
LOAD_DURATION=${LOAD_DURATION:-10s}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}

out=build/bench
say() { echo "bench: $*" >&2; }

command -v timeout >/dev/null || { say "timeout (GNU coreutils) not found"; exit 2; }

# Every long step runs in the background under `timeout`, so that the trap can stop it and the whole
# script stays inside BENCH_TIMEOUT seconds.
child=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local status=$?
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

deadline=$((SECONDS + BENCH_TIMEOUT))
# step <what> <command...>: runs the command with what is left of the time budget.
step() {
  local what=$1
  shift
  local left=$((deadline - SECONDS))
  if [ "$left" -le 5 ]; then
    say "out of time (BENCH_TIMEOUT=${BENCH_TIMEOUT}s) before: $what"
    exit 2
  fi
  say "$what"
  timeout --kill-after=10 "$left" "$@" &
  child=$!
  local rc=0
  wait "$child" || rc=$?
  child=""
  if [ "$rc" -eq 124 ]; then
    say "timed out: $what"
  fi
  return "$rc"
}

# The flags `make build` uses, read from the Makefile so that the measured binaries cannot drift.
# shellcheck disable=SC2016 # $(...) is make's syntax, for make to expand
flags=$(make -s --no-print-directory --eval='__print_go_build_flags: ; $(info $(GO_BUILD_FLAGS))' __print_go_build_flags)
build_flags=()
eval "build_flags=($flags)"
native=$("$GO" env GOARCH)

mkdir -p "$out" docs
rm -rf "$out/native" "$out/arm64" "$out/work"

say "build flags (from the Makefile): CGO_ENABLED=0 $flags"
for target in "$native:native:hello echo login loginwarm" "arm64:arm64:hello echo login"; do
  IFS=: read -r arch dir names <<<"$target"
  for f in $names; do
    case $f in
      hello | loginwarm) pkg=./bench/coldstart/testdata/$f ;;
      *) pkg=./functions/$f ;;
    esac
    step "build: $f for linux/$arch" \
      env CGO_ENABLED=0 GOOS=linux GOARCH="$arch" "$GO" build "${build_flags[@]}" -o "$out/$dir/$f/bootstrap" "$pkg"
  done
done
step "build: cmd/local" "$GO" build -o "$out/local" ./cmd/local
step "build: bench/cmd/coldstart" "$GO" build -o "$out/coldstart" ./bench/cmd/coldstart

step "go test -bench (count $BENCH_COUNT, benchtime $BENCH_TIME): internal/echo, internal/login" \
  "$GO" test -run '^$' -bench '^Benchmark(Echo|Login|LoginInvalid)$' -benchmem \
  -count "$BENCH_COUNT" -benchtime "$BENCH_TIME" ./internal/echo ./internal/login >"$out/new.txt"
if [ -f bench/baseline.txt ]; then
  note="bench/baseline.txt (committed) against this run (build/bench/new.txt)"
  # benchstat puts results from different `cpu:` lines in separate tables, so a baseline from another
  # CPU model would silently compare nothing: the CPU name is ignored, and said when it differs.
  base_cpu=$(sed -n 's/^cpu: //p' bench/baseline.txt | head -n 1)
  new_cpu=$(sed -n 's/^cpu: //p' "$out/new.txt" | head -n 1)
  if [ "$base_cpu" != "$new_cpu" ]; then
    note="$note; CPU differs (baseline: ${base_cpu:-unknown}, this run: ${new_cpu:-unknown}), so the deltas include the machine"
  fi
  step "benchstat: $note" "$GO" run "$BENCHSTAT" -ignore cpu bench/baseline.txt "$out/new.txt" >"$out/benchstat.txt"
  if ! grep -q 'vs base' "$out/benchstat.txt"; then
    # Still nothing to compare: no benchmark of the same name (GOMAXPROCS is part of it) and config.
    note="$note; NO COMPARISON WAS POSSIBLE: the baseline and this run share no benchmark (names and GOMAXPROCS suffixes differ?)"
  fi
else
  note="this run (no bench/baseline.txt to compare with)"
  step "benchstat: $note" "$GO" run "$BENCHSTAT" "$out/new.txt" >"$out/benchstat.txt"
fi
say "benchstat: $note"
cat "$out/benchstat.txt" >&2

rc=0
step "cold starts, memory table, experiment, load test, local start, report" \
  "$out/coldstart" -root . -bin-dir "$out/native" -arm64-dir "$out/arm64" -local "$out/local" -work "$out/work" \
  -rounds "$ROUNDS" -exp-rounds "$ROUNDS" -mem-rounds "$MEM_ROUNDS" -load-duration "$LOAD_DURATION" \
  -timeout "$((deadline - SECONDS - 15))s" \
  -gobench "$out/new.txt" -benchstat "$out/benchstat.txt" -benchstat-note "$note" \
  -report docs/PERFORMANCE.md -svg docs/coldstart.svg -memory-svg docs/memory.svg -json "$out/results.json" || rc=$?
say "report: docs/PERFORMANCE.md, charts: docs/coldstart.svg docs/memory.svg, raw: $out/results.json, logs: $out/work"
exit "$rc"
