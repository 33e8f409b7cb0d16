"""What every e2e test starts from: a reset emulator (AWS_ENDPOINT_URL, which scripts/test.py e2e provides), the
demo's LibreChat directory under the test's tmp_path, and the environment the demo's playbooks run with."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import demo  # noqa: E402
from devtools import emulator_env  # noqa: E402

from emulator.control import Control  # noqa: E402


@pytest.fixture
def setup(tmp_path):
    """(control, directory, env): the emulator's control API after a reset, the prepared demo directory, and the
    playbooks' environment pointing at both."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        pytest.fail("AWS_ENDPOINT_URL is not set: run this through scripts/test.py e2e, which starts the emulator")
    control = Control(endpoint)
    control.reset()
    directory = tmp_path / "librechat"
    demo.prepare(directory)
    env = emulator_env(endpoint) | {"LIBRECHAT_DEMO_DIR": str(directory), "ANSIBLE_NOCOLOR": "1"}
    return control, directory, env
