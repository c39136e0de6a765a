#!/usr/bin/env bash
# Contract tests of a running API against docs/openapi.yaml, with Portman (OpenAPI -> Postman collection
# with contract, content and variation tests, portman/portman-config.json) and Newman (runs it).
#
#   API_URL=https://<id>.execute-api.<region>.amazonaws.com/v1 \
#   PORTMAN_TOKEN=<ID token> USERNAME=<email> PASSWORD=<password> scripts/contract.sh
#
# PORTMAN_TOKEN is the ID token for /echo (cmd/token prints it: `make tools && build/token -format portman`);
# USERNAME and PASSWORD are the same user's credentials, for the /login and /refresh contracts. Needs
# `npm ci` first. Nothing leaves this machine but the API calls: no Postman upload, no telemetry.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

die() {
  echo "contract.sh: $*" >&2
  exit 2
}

[ -n "${API_URL:-}" ] || die "API_URL is not set (the stack output ApiUrl, or http://127.0.0.1:3000 for make local)"
[ -n "${PORTMAN_TOKEN:-}" ] || die "PORTMAN_TOKEN is not set: export PORTMAN_TOKEN=\$(build/token) after make tools (needs COGNITO_URL, CLIENT_ID, USERNAME, PASSWORD)"
[ -n "${USERNAME:-}" ] || die "USERNAME is not set (the test user's email, as for cmd/token)"
[ -n "${PASSWORD:-}" ] || die "PASSWORD is not set (the test user's password, as for cmd/token)"
portman="$root/node_modules/.bin/portman"
[ -x "$portman" ] || die "Portman is not installed: run npm ci (versions pinned in package-lock.json)"

# Portman writes the collection (which holds the token and password as variables) and reads .env from
# its working directory: a private scratch directory, removed whatever happens.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Portman turns PORTMAN_<NAME> variables into the collection's {{name}} variables, for this process only.
export PORTMAN_USERNAME="$USERNAME" PORTMAN_PASSWORD="$PASSWORD" PORTMAN_TOKEN

cd "$work"
"$portman" \
  --local "$root/docs/openapi.yaml" \
  --portmanConfigFile "$root/portman/portman-config.json" \
  --baseUrl "${API_URL%/}" \
  --output "$work/collection.json" \
  --includeTests \
  --logAssignVariables false \
  --warn false \
  --runNewman \
  --newmanRunOptions '{"timeoutRequest": 30000, "reporters": ["cli"]}'
