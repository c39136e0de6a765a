#!/usr/bin/env bash
# The newcomer's recipes behind `make user`, `make token`, `make users` and `make deploy`:
#
#   recipes.sh user    create a throwaway confirmed user in the running local stack; USERNAME= and
#                      PASSWORD= lines on stdout, what to paste next on stderr
#   recipes.sh token   print an ID token for USERNAME and PASSWORD (environment) from the running stack
#   recipes.sh users   list the users of the running stack's pool
#   recipes.sh deploy  the pre-flight, then sam build && sam deploy, with CONFIG_ENV and PARAMETER_OVERRIDES
#   recipes.sh preflight  what would fail only once the user pool exists, checked with the AWS CLI
#
# The local recipes read <STATE_DIR>/outputs.json, which a running `make local` writes and removes when
# it stops, and run the tools `make tools` built (build/testuser, build/token) as they are, so that
# their exit status is theirs: 2 for a missing or wrong setting, 1 when Cognito refuses or fails.
# Nothing here prints a token or password except to stdout, where the caller asked for it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

STATE_DIR=${STATE_DIR:-.local}
bin=${TOOLS_DIR:-build}

say() { echo "make $cmd: $*" >&2; }

# local_env reads outputs.json and points the AWS SDK (cmd/testuser) and cmd/token at the local stack,
# with dummy credentials and no shared AWS config, so nothing can reach a real account.
local_env() {
  local outputs=$STATE_DIR/outputs.json
  if [ ! -s "$outputs" ]; then
    say "no local stack is running with STATE_DIR=$STATE_DIR ($outputs does not exist)."
    say "Start one in another terminal with \`make local\` (and the same STATE_DIR=... if you chose one), then run this again."
    exit 2
  fi
  local values
  # One KEY=VALUE line per contract key; a missing key is named, never a Python traceback.
  values=$(python3 - "$outputs" <<'PY'
import json, sys
path = sys.argv[1]
try:
    with open(path) as f:
        out = json.load(f)
except (OSError, ValueError) as e:
    sys.exit(f"cannot read {path}: {e}")
keys = ["ApiUrl", "CognitoUrl", "UserPoolId", "UserPoolClientId", "Region"]
missing = [k for k in keys if not isinstance(out, dict) or not out.get(k)]
if missing:
    sys.exit(f"{path} lacks {', '.join(missing)}: is it from an older version of the local stack?")
for k in keys:
    print(f"{k}={out[k]}")
PY
  ) || { say "the local stack's outputs are unusable (see above)"; exit 2; }
  while IFS='=' read -r key value; do
    case $key in
      ApiUrl) API_URL=$value ;;
      CognitoUrl) COGNITO_URL=$value ;;
      UserPoolId) USER_POOL_ID=$value ;;
      UserPoolClientId) CLIENT_ID=$value ;;
      Region) AWS_REGION=$value ;;
    esac
  done <<<"$values"
  # outputs.json outlives a stack that was killed (SIGKILL): make sure something answers.
  if ! curl -s -o /dev/null --max-time 3 "$COGNITO_URL"; then
    say "nothing answers at $COGNITO_URL, the Cognito of $STATE_DIR/outputs.json: the stack was probably killed."
    say "Start it again with \`make local\` (its users are new: run \`make user\` again)."
    exit 1
  fi
  export API_URL COGNITO_URL USER_POOL_ID CLIENT_ID AWS_REGION
  export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=$COGNITO_URL
  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_EC2_METADATA_DISABLED=true
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
}

user() {
  local_env
  local out rc=0
  out=$("$bin/testuser" create) || rc=$?
  [ "$rc" -eq 0 ] || exit "$rc"
  printf '%s\n' "$out"
  local username password
  username=$(sed -n 's/^USERNAME=//p' <<<"$out")
  password=$(sed -n 's/^PASSWORD=//p' <<<"$out")
  cat >&2 <<EOF

A confirmed user of the local stack at $API_URL (pool $USER_POOL_ID). It survives restarts
of the stack, until \`make local-reset\`. Next, in this shell:

  export USERNAME='$username' PASSWORD='$password'
  make -s token                  # an ID token for them (exit 1 when Cognito refuses)
  curl -s -X POST $API_URL/echo -H "Authorization: Bearer \$(make -s token)" \\
    -H 'Content-Type: application/json' -d '{"hello":"world"}'
  make users                     # every user of this pool

Postman: import postman/*.json and set username and password in the environment; or api.http.
EOF
}

token() {
  local_env
  local rc=0
  "$bin/token" || rc=$?
  if [ "$rc" -eq 1 ]; then
    say "if this user was made before the stack last started, it is gone: run \`make user\` again"
  fi
  exit "$rc"
}

users() {
  local_env
  exec "$bin/testuser" list
}

# samconfig_env prints the source template and the stack name of the samconfig.toml environment $1
# (the template `sam build` builds, or the one `sam deploy` deploys when the environment builds nothing).
samconfig_env() {
  python3 - "$1" <<'PY'
import sys, tomllib
env = sys.argv[1]
with open("samconfig.toml", "rb") as f:
    cfg = tomllib.load(f)
def option(cmd, key):
    for table in (cmd, "global"):
        value = cfg.get(env, {}).get(table, {}).get("parameters", {}).get(key)
        if value is not None:
            return value
template = option("build", "template_file") or option("deploy", "template_file")
stack = option("deploy", "stack_name")
if not template or not stack:
    sys.exit(f"samconfig.toml has no environment {env!r} with a template and a stack name")
print(template)
print(stack)
PY
}

# preflight checks, before anything is built or created, what CloudFormation would only refuse after the
# user pool exists (a first deploy would then leave a retained pool behind): every override against
# the template's parameter constraints (the root template's are the nested stacks'), the domain prefix
# not taken by another pool in the region, and an ExistingUserPoolId that exists and has no other domain.
preflight() {
  local env=${CONFIG_ENV:-default} lines template stack
  if ! python3 -c 'import samtranslator' 2>/dev/null; then
    say "the pre-flight reads the templates with the SAM translator, which is missing: python3 -m pip install -r requirements.txt"
    exit 2
  fi
  lines=$(samconfig_env "$env") || exit 2
  { read -r template; read -r stack; } <<<"$lines"
  local checked rc=0
  checked=$(python3 scripts/sam-translate.py --check-parameters \
    --parameter-overrides "${PARAMETER_OVERRIDES:-}" "$template") || rc=$?
  if [ "$rc" -ne 0 ]; then
    say "change PARAMETER_OVERRIDES: $template refuses them (above); nothing was deployed"
    exit 2
  fi
  local name value prefix="" existing=""
  while IFS=$'\t' read -r name value; do
    case $name in
      DomainPrefix) prefix=$value ;;
      ExistingUserPoolId) existing=$value ;;
    esac
  done <<<"$checked"
  if [ -z "$prefix" ] && [ -z "$existing" ]; then
    say "pre-flight: parameters of $template OK (no DomainPrefix given: the stack keeps its own)"
    return 0
  fi
  if ! command -v aws >/dev/null; then
    say "the AWS CLI is missing: the pre-flight asks Cognito whether DomainPrefix is free (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)"
    exit 2
  fi
  # The pool the stack already has (a redeploy): its own domain is not "taken".
  local own
  own=$(aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='UserPoolId'].OutputValue" --output text 2>/dev/null) || own=""
  if [ -n "$existing" ]; then
    local domain
    domain=$(aws cognito-idp describe-user-pool --user-pool-id "$existing" --query UserPool.Domain --output text) || {
      say "ExistingUserPoolId=$existing: no such pool in this region, or no permission to describe it (above)"
      exit 2
    }
    if [ -n "$domain" ] && [ "$domain" != None ] && [ "$own" != "$existing" ]; then
      say "pool $existing still has the domain $domain, and the stack creates the pool's one domain: delete it first:"
      say "  aws cognito-idp delete-user-pool-domain --user-pool-id $existing --domain $domain"
      exit 2
    fi
  fi
  if [ -n "$prefix" ]; then
    local owner
    owner=$(aws cognito-idp describe-user-pool-domain --domain "$prefix" \
      --query DomainDescription.UserPoolId --output text) || {
      say "cannot ask Cognito whether DomainPrefix=$prefix is taken (above): check the AWS credentials and region"
      exit 2
    }
    if [ -n "$owner" ] && [ "$owner" != None ] && [ "$owner" != "$own" ]; then
      say "DomainPrefix=$prefix is taken in this region (pool $owner, not stack $stack's): choose another prefix; nothing was deployed"
      exit 2
    fi
  fi
  say "pre-flight: parameters of $template OK, DomainPrefix ${prefix:-(unchanged)} free for stack $stack"
}

deploy() {
  if ! command -v sam >/dev/null; then
    say "the SAM CLI is missing: install it (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html), configure AWS credentials, and run this again"
    exit 2
  fi
  preflight
  local env=${CONFIG_ENV:-default}
  # The auth stack has no functions: nothing to build.
  if [ "$env" != auth ]; then
    say "sam build --config-env $env"
    sam build --config-env "$env"
  fi
  local args=(deploy --config-env "$env")
  if [ -n "${PARAMETER_OVERRIDES:-}" ]; then
    # Key=Value pairs separated by spaces, as sam deploy --parameter-overrides takes them.
    local overrides
    read -r -a overrides <<<"$PARAMETER_OVERRIDES"
    args+=(--parameter-overrides "${overrides[@]}")
  fi
  say "sam ${args[*]}"
  local rc=0
  sam "${args[@]}" || rc=$?
  if [ "$rc" -ne 0 ]; then
    say "sam deploy failed. The first deploy needs a DomainPrefix: make deploy PARAMETER_OVERRIDES=DomainPrefix=<unique-name>, or sam deploy --guided"
  fi
  exit "$rc"
}

cmd=${1:-}
case $cmd in
  user | token | users | deploy | preflight) "$cmd" ;;
  *)
    echo "usage: $0 user|token|users|deploy|preflight" >&2
    exit 2
    ;;
esac
