"""What every e2e test starts from: a reset emulator (AWS_ENDPOINT_URL, which scripts/test.py e2e provides), the
demo's LibreChat directory under the test's tmp_path with LibreChat running from it in the project's Docker engine
(DOCKER_HOST, which scripts/test.py also provides, with the LibreChat image built), and the environment the demo's
playbooks run with. LibreChat is taken down after each test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import demo  # noqa: E402

from emulator.control import Control  # noqa: E402


@pytest.fixture
def setup(tmp_path):
    """(control, directory, env): the emulator's control API after a reset, the prepared demo directory with
    LibreChat running from it on a free loopback port, and the playbooks' environment pointing at all three."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint or not os.environ.get("DOCKER_HOST"):
        pytest.fail("AWS_ENDPOINT_URL or DOCKER_HOST is not set: run this through scripts/test.py e2e")
    control = Control(endpoint)
    control.reset()
    directory = tmp_path / "librechat"
    demo.prepare(directory, demo.free_port())
    env = demo.playbook_env(endpoint, directory)
    demo.start_librechat(env, directory)
    yield control, directory, env
    demo.stop_librechat(env, directory)
