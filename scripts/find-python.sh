#!/usr/bin/env bash
# Print the path of a Python interpreter that can run the toolchain (3.12 or 3.13:
# ansible-core 2.20 needs 3.12+). Order: $LIBRECHAT_BEDROCK_PYTHON, interpreters on PATH,
# then any pyenv-installed version (pyenv shims fail for versions that are not selected,
# so each candidate is actually run before it is accepted).
set -u

usable() {
  "$1" -c 'import sys, venv, ensurepip; sys.exit(0 if (3, 12) <= sys.version_info[:2] <= (3, 13) else 1)' \
    >/dev/null 2>&1
}

candidates=()
[ -n "${LIBRECHAT_BEDROCK_PYTHON:-}" ] && candidates+=("$LIBRECHAT_BEDROCK_PYTHON")
for name in python3.12 python3.13 python3; do
  path=$(command -v "$name" 2>/dev/null) && candidates+=("$path")
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for dir in "$root"/versions/3.12* "$root"/versions/3.13*; do
    [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
  done
fi
for dir in /usr/local/bin /usr/bin "$HOME/.local/bin"; do
  for name in python3.12 python3.13; do
    [ -x "$dir/$name" ] && candidates+=("$dir/$name")
  done
done

for candidate in "${candidates[@]}"; do
  if usable "$candidate"; then
    printf '%s\n' "$candidate"
    exit 0
  fi
done
echo "find-python: no Python 3.12 or 3.13 with venv and ensurepip found." >&2
echo "Install one (e.g. 'pyenv install 3.12' or the distribution's python3.12-venv)," >&2
echo "or point LIBRECHAT_BEDROCK_PYTHON at it." >&2
exit 1
