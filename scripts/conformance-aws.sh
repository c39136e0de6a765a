#!/usr/bin/env bash
# `make conformance-aws`: the Cognito conformance suite (internal/emulator/cognito/conformance) against
# a throwaway user pool in the caller's AWS account, made with the auth stack's settings and the API
# stack's app client, and always deleted at the end (the suite's TestMain). Credentials and region come
# from the environment, as for the AWS CLI. Without them it says so and exits 2; it never runs in CI,
# which has no credentials. CONFORMANCE_SLOW=1 also runs the tests that wait for time to pass.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

say() { echo "conformance-aws: $*" >&2; }

if [ -z "${AWS_ACCESS_KEY_ID:-}" ] && [ -z "${AWS_PROFILE:-}" ] && [ -z "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ] &&
  [ -z "${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}" ] && [ -z "${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" ]; then
  say "no AWS credentials in the environment: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and AWS_REGION; the suite creates a throwaway user pool in that account and deletes it"
  exit 2
fi
if [ -z "${AWS_REGION:-}${AWS_DEFAULT_REGION:-}" ] && [ -z "${AWS_PROFILE:-}" ]; then
  say "no region: set AWS_REGION"
  exit 2
fi
CONFORMANCE_TARGET=aws exec "${GO:-go}" test -count=1 -v -timeout 30m ./internal/emulator/cognito/conformance/
