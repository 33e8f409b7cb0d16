#!/usr/bin/env bash
# Print the path of a Python interpreter that can run the toolchain (3.12 or 3.13:
# ansible-core 2.20 needs 3.12+), or, given MAJOR.MINOR (e.g. `find-python.sh 3.11`, for a cell of the
# version matrix), of that Python. Order: $LIBRECHAT_BEDROCK_PYTHON (no argument only), interpreters on
# PATH, then any pyenv-installed version (pyenv shims fail for versions that are not selected, so each
# candidate is actually run before it is accepted).
set -u

wanted=${1:-}
if [ -n "$wanted" ]; then
  versions=("$wanted")
  lo=$wanted hi=$wanted
else
  versions=(3.12 3.13)
  lo=3.12 hi=3.13
fi

usable() {
  "$1" -c "import sys, venv, ensurepip; lo, hi = (tuple(map(int, v.split('.'))) for v in ('$lo', '$hi')); \
sys.exit(0 if lo <= sys.version_info[:2] <= hi else 1)" >/dev/null 2>&1
}

candidates=()
[ -z "$wanted" ] && [ -n "${LIBRECHAT_BEDROCK_PYTHON:-}" ] && candidates+=("$LIBRECHAT_BEDROCK_PYTHON")
names=()
for version in "${versions[@]}"; do names+=("python$version"); done
[ -z "$wanted" ] && names+=(python3)
for name in "${names[@]}"; do
  path=$(command -v "$name" 2>/dev/null) && candidates+=("$path")
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for version in "${versions[@]}"; do
    for dir in "$root"/versions/"$version".*; do
      [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
    done
  done
fi
for dir in /usr/local/bin /usr/bin "$HOME/.local/bin"; do
  for version in "${versions[@]}"; do
    [ -x "$dir/python$version" ] && candidates+=("$dir/python$version")
  done
done

for candidate in "${candidates[@]}"; do
  if usable "$candidate"; then
    printf '%s\n' "$candidate"
    exit 0
  fi
done
if [ -n "$wanted" ]; then
  echo "find-python: no Python $wanted with venv and ensurepip found: install it ('pyenv install $wanted' or the" \
    "distribution's python$wanted-venv)." >&2
else
  echo "find-python: no Python 3.12 or 3.13 with venv and ensurepip found." >&2
  echo "Install one (e.g. 'pyenv install 3.12' or the distribution's python3.12-venv)," >&2
  echo "or point LIBRECHAT_BEDROCK_PYTHON at it." >&2
fi
exit 1
