#!/usr/bin/env bash
# preflight.sh local|test: what `make local` or `make test` needs, checked before anything compiles,
# one message for each thing wrong (exit 2 when any is).
#
# Both: Go, Python 3 and requirements.txt's packages (scripts/python-env.sh, which installs them into
# .venv/ when python3 lacks them). test: Node.js 20+ with npm, and Chromium for the browser test.
# local: the ports (API_PORT, COGNITO_PORT on COGNITO_HOST, WEB_PORT unless 0) free, and no stack
# running with STATE_DIR, as cmd/local checks them again when it starts (same messages).
set -uo pipefail
what=${1:?usage: preflight.sh local|test}
here=${0%/*}
failed=0
fail() { printf 'make %s: %s\n' "$what" "$*" >&2; failed=1; }

command -v "${GO:-go}" >/dev/null ||
  fail "Go is missing: install Go 1.26 or later (https://go.dev/dl/); go.mod's toolchain line fetches the exact version"
if command -v python3 >/dev/null; then
  "$here/python-env.sh" || failed=1
else
  fail "Python 3 is missing: install Python 3.11 (Debian: apt-get install python3 python3-venv)"
fi

if [ "$what" = test ]; then
  node_major=
  [[ $(node --version 2>/dev/null) =~ ^v([0-9]+)\. ]] && node_major=${BASH_REMATCH[1]}
  if [ -z "$node_major" ] || [ "$node_major" -lt 20 ] || ! command -v npm >/dev/null; then
    fail "Node.js 20 or later with npm is missing${node_major:+ (found Node.js $node_major)}: install it (https://nodejs.org/, or Debian's nodejs and npm); make runs npm ci itself"
  fi
  chromium=${CHROMIUM:-/usr/bin/chromium}
  [ -x "$chromium" ] ||
    fail "Chromium is missing at $chromium (the browser test): apt-get update && apt-get install -y chromium (or set CHROMIUM to its path)"
fi

if [ "$what" = local ] && [ "$failed" = 0 ]; then
  python3 - "${COGNITO_HOST:-127.0.0.1}" "${API_PORT:-3000}" "${COGNITO_PORT:-5000}" "${WEB_PORT:-0}" "${STATE_DIR:-.local}" <<'PY' || failed=1
import fcntl, os, socket, sys

host, api, cognito, web, state = sys.argv[1:]
failed = False

def say(msg):
    global failed
    failed = True
    print(f"make local: {msg}", file=sys.stderr)

def taken(h, port, what, variable, extra=""):
    """Says so when h:port cannot be bound as Go's net.Listen binds it (SO_REUSEADDR, so that the
    connections of a stack stopped a moment ago, in TIME_WAIT, do not count)."""
    try:
        family = socket.AF_INET6 if ":" in h else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((h, int(port)))
            s.listen()
    except (OSError, ValueError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        say(f"{what} port {h}:{port} is taken or cannot be bound ({reason}): stop what uses it or choose another with make local {variable}=<port>{extra}")

# cmd/local holds an flock(2) on STATE_DIR/.lock while it runs (internal/localstack/state.go). That
# stack holds the ports too, most likely: its message alone says what to do.
lock = os.path.join(state, ".lock")
if os.path.exists(lock):
    with open(lock, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"state directory {state} is in use by another local stack: stop it, or give this one its own with make local STATE_DIR=<dir>")
            sys.exit(1)

taken("127.0.0.1", api, "API", "API_PORT")
taken(host, cognito, "Cognito emulator", "COGNITO_PORT")
if web not in ("", "0"):
    taken("127.0.0.1", web, "web page", "WEB_PORT", " (WEB_PORT=0 turns the page off)")

sys.exit(1 if failed else 0)
PY
fi
[ "$failed" = 0 ] || exit 2
