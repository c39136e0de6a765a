#!/usr/bin/env bash
# python-env.sh: makes requirements.txt's packages importable for `make local` and `make test`.
#
# python3's own packages are used when they satisfy every pin of requirements.txt (the exact versions,
# read with importlib.metadata). Otherwise the packages go into a project virtual environment, .venv/
# (git-ignored), made once and brought up to date when the pins change; the Makefile puts .venv/bin
# first on every recipe's PATH, so python3, cfn-lint and the scripts' Python calls all find it.
# When neither works (no venv module, no network to the package index) it prints one message naming
# the command to run and the packages missing, and exits 2. Messages go to stderr; exit 0 when ready.
set -uo pipefail
root=$(cd "${0%/*}/.." && pwd)
venv=$root/.venv
say() { printf 'make: %s\n' "$*" >&2; }

if ! command -v python3 >/dev/null; then
  say "Python 3 is missing: install Python 3.11 (Debian: apt-get install python3 python3-venv)"
  exit 2
fi

# missing PYTHON: the pins of requirements.txt that PYTHON's packages do not satisfy, one a line.
missing() {
  "$1" - "$root/requirements.txt" <<'PY'
import re, sys
from importlib import metadata

for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;]+)", line)
    if m is None:
        print(f"{line} (requirements.txt: not name==version)")
        continue
    name, want = m.groups()
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        have = None
    if have != want:
        print(f"{name}=={want}" + (f" (found {have})" if have else ""))
PY
}

# The environment made earlier comes first, as it does on the recipes' PATH.
if [ -x "$venv/bin/python3" ]; then
  python=$venv/bin/python3 where=.venv/
else
  python=$(command -v python3) where=$(command -v python3)
fi
lacking=$(missing "$python") || { say "$python cannot run: install Python 3.11 (or delete .venv/ if it is broken)"; exit 2; }
[ -z "$lacking" ] && exit 0
list=${lacking//$'\n'/, }

made='' fix="python3 -m pip install -r requirements.txt"
if [ ! -x "$venv/bin/python3" ]; then
  say "$where lacks requirements.txt's $list: installing requirements.txt into .venv/ (once; later runs use it)"
  if ! out=$(python3 -m venv "$venv" 2>&1); then
    rm -rf "$venv"
    say "Python packages missing: $list. python3 cannot make .venv/ (its venv module is missing: Debian's python3-venv package)." \
      "Install them with: python3 -m pip install -r requirements.txt"
    exit 2
  fi
  made=1
else
  say ".venv/ lacks requirements.txt's $list: installing requirements.txt into it"
  fix=".venv/bin/python3 -m pip install -r requirements.txt"
fi
if ! out=$("$venv/bin/python3" -m pip install --disable-pip-version-check -q -r "$root/requirements.txt" 2>&1); then
  [ -n "$made" ] && rm -rf "$venv"
  why=$(grep '^ERROR:' <<<"$out" | tail -n 1)
  say "Python packages missing: $list. pip could not install them into .venv/ (no network to the package index?)${why:+: $why}." \
    "Install them with: $fix"
  exit 2
fi
lacking=$(missing "$venv/bin/python3")
if [ -n "$lacking" ]; then
  say "after installing requirements.txt, .venv/ still lacks ${lacking//$'\n'/, }: delete .venv/ and run make again"
  exit 2
fi
say "installed requirements.txt into .venv/"
