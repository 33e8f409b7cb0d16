#!/usr/bin/env bash
# Set up the toolchain from nothing: find a suitable Python, then let scripts/bootstrap.py do the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(scripts/find-python.sh)
exec "$python" scripts/bootstrap.py "$@"
