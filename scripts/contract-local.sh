#!/usr/bin/env bash
# Contract tests (scripts/contract.sh: Portman + Newman against docs/openapi.yaml) against a local stack
# that this script starts on free loopback ports and always stops: build and start cmd/local, wait for
# its outputs.json, create a throwaway user (cmd/testuser), get its ID token (cmd/token), run the
# contract tests, delete the user. Needs `npm ci`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# How long the stack may take to write outputs.json: seconds, or about a minute when the first start
# on a machine compiles the functions.
READY_TIMEOUT_SECONDS=${READY_TIMEOUT_SECONDS:-300}

say() { echo "contract-local: $*" >&2; }

[ -x node_modules/.bin/portman ] || { say "Portman is not installed: run npm ci"; exit 2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

work=$(mktemp -d)
stack_pid=""
user_created=""

# running reports whether process $1 is alive (an exited child not yet waited for is not).
running() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

cleanup() {
  local status=$?
  # Subshells inherit this trap: only the script itself cleans up.
  [ "$BASHPID" = "$$" ] || return 0
  set +e
  if [ -n "$user_created" ]; then
    build/testuser delete >&2 || say "could not delete the test user $USERNAME"
  fi
  if [ -n "$stack_pid" ]; then
    # cmd/local stops everything it started on SIGTERM; it gets 10 s before SIGKILL.
    kill -TERM "$stack_pid" 2>/dev/null
    for _ in $(seq 1 100); do
      running "$stack_pid" || break
      sleep 0.1
    done
    if running "$stack_pid"; then
      say "the local stack did not stop in 10 s: killing it"
      kill -KILL "$stack_pid" 2>/dev/null
    fi
    wait "$stack_pid" 2>/dev/null
  fi
  if [ "$status" -ne 0 ] && [ -s "$work/local.log" ]; then
    say "last lines of the local stack's log:"
    tail -n 20 "$work/local.log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p build
go build -o build/local ./cmd/local
go build -o build/testuser ./cmd/testuser
go build -o build/token ./cmd/token

api_port=$(free_port)
cognito_port=$(free_port)
while [ "$cognito_port" = "$api_port" ]; do cognito_port=$(free_port); done

# Its own state directory: a `make local` running beside it keeps its .local/outputs.json.
say "starting the local stack (API on 127.0.0.1:$api_port, Cognito on 127.0.0.1:$cognito_port)"
(trap - EXIT; exec build/local -api-port "$api_port" -cognito-port "$cognito_port" -state-dir "$work/state") >"$work/local.log" 2>&1 &
stack_pid=$!

outputs="$work/state/outputs.json"
deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
until [ -s "$outputs" ]; do
  if ! kill -0 "$stack_pid" 2>/dev/null; then
    say "the local stack exited before it was ready"
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    say "the local stack was not ready within ${READY_TIMEOUT_SECONDS}s"
    exit 1
  fi
  sleep 0.2
done

# outputs.json is written whole once the API answers; read the contract's keys from it.
output() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$outputs" "$1"; }
API_URL=$(output ApiUrl)
COGNITO_URL=$(output CognitoUrl)
CLIENT_ID=$(output UserPoolClientId)
USER_POOL_ID=$(output UserPoolId)
AWS_REGION=$(output Region)
export API_URL COGNITO_URL CLIENT_ID USER_POOL_ID AWS_REGION

# The SDK's default configuration, pointed at the emulator with dummy credentials and no shared files.
export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="$COGNITO_URL"
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export AWS_CONFIG_FILE="$work/no-aws-config" AWS_SHARED_CREDENTIALS_FILE="$work/no-aws-credentials"
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN

# USERNAME=... and PASSWORD=... lines; read them without evaluating anything.
build/testuser create -prefix e2e-contract- >"$work/user.env"
USERNAME="" PASSWORD=""
while IFS='=' read -r key value; do
  case "$key" in
    USERNAME) USERNAME=$value ;;
    PASSWORD) PASSWORD=$value ;;
  esac
done <"$work/user.env"
rm -f "$work/user.env"
if [ -z "$USERNAME" ] || [ -z "$PASSWORD" ]; then
  say "cmd/testuser create printed no credentials"
  exit 1
fi
user_created=1
export USERNAME PASSWORD

PORTMAN_TOKEN=$(build/token)
export PORTMAN_TOKEN

scripts/contract.sh
