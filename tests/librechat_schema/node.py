"""LibreChat's own readers (js-yaml, configSchema.strict(), dotenv: the pinned npm packages here) for the Python
tests: `batch()` runs check.js --batch once for many texts. Tests skip, with the reason, when Node.js or
node_modules is missing."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def missing() -> str | None:
    """Why LibreChat's readers cannot run here, or None."""
    if not shutil.which("node"):
        return "node is not installed: the cross-check with LibreChat's js-yaml, configSchema and dotenv needs it"
    if not (HERE / "node_modules" / "librechat-data-provider").is_dir():
        return f"no node_modules in {HERE}: run npm ci there (scripts/bootstrap.sh does)"
    return None


def require():
    reason = missing()
    if reason:
        pytest.skip(reason)


def _untag(value):
    if isinstance(value, dict):
        if set(value) == {"$number"}:
            return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[value["$number"]]
        return {key: _untag(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_untag(item) for item in value]
    return value


def batch(yaml_texts=(), env_texts=()):
    """{"yaml": [{valid, errors, parse_error, loaded}], "env": [{key: value}]} as LibreChat's packages read them.
    Dates in `loaded` stay {"$date": ISO}; NaN and the infinities become floats."""
    require()
    done = subprocess.run(
        ["node", str(HERE / "check.js"), "--batch"],
        input=json.dumps({"yaml": list(yaml_texts), "env": list(env_texts)}),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout)
    for item in result["yaml"]:
        item["loaded"] = _untag(item["loaded"])
    return result
