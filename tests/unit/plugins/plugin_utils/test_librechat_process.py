"""The verify role's question to LibreChat's process (roles/verify/files/librechat_process.js), run here with
Node.js and the pinned npm dotenv (tests/librechat_schema) the way the role runs it in the container
(`node -e <script> -- <profile variables>` in LibreChat's directory): it loads .env as LibreChat's start-up does,
names the credential method as the collection's own rule does (librechat_checks.auth_method, one rule in two
languages: this test keeps them equal), and never prints a credential's value."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from librechat_schema import node

from ansible_collections.librechat.bedrock.plugins.plugin_utils import deployment, librechat_checks

ROOT = Path(__file__).resolve().parents[4]
SCRIPT = (ROOT / "roles" / "verify" / "files" / "librechat_process.js").read_text()
MODULES = ROOT / "tests" / "librechat_schema" / "node_modules"
SECRETS = {
    "BEDROCK_AWS_ACCESS_KEY_ID": "AKIAVERYSECRET1",
    "BEDROCK_AWS_SECRET_ACCESS_KEY": "very-secret-key-2",
    "BEDROCK_AWS_SESSION_TOKEN": "very-secret-token-3",
    "BEDROCK_AWS_BEARER_TOKEN": "very-secret-bearer-4",
}
ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"


@pytest.fixture
def app():
    """A directory laid out as LibreChat's /app: its node_modules (dotenv) and a .env; readable by every user, so
    that a process of another user can be started there."""
    if not shutil.which("node") or not (MODULES / "dotenv").is_dir():
        node.require()
        pytest.skip(f"no dotenv in {MODULES}")
    directory = Path(tempfile.mkdtemp(prefix="librechat-app-"))
    directory.chmod(0o755)
    (directory / "node_modules").symlink_to(MODULES)
    yield directory
    shutil.rmtree(directory)


def ask(app, env_text=None, environ=None, names=(), as_nobody=False):
    if env_text is not None:
        (app / ".env").write_text(env_text)
    kwargs = {}
    if as_nobody:
        kwargs["user"], kwargs["group"] = 65534, 65534
    done = subprocess.run(
        ["node", "-e", SCRIPT, "--", *names],
        cwd=app,
        env={"PATH": os.environ["PATH"], **(environ or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        **kwargs,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


CASES = [
    {},
    {"BEDROCK_AWS_PROFILE": "bedrock"},
    {"BEDROCK_AWS_ACCESS_KEY_ID": SECRETS["BEDROCK_AWS_ACCESS_KEY_ID"]},
    {"BEDROCK_AWS_SECRET_ACCESS_KEY": SECRETS["BEDROCK_AWS_SECRET_ACCESS_KEY"], "BEDROCK_AWS_PROFILE": "p"},
    {k: SECRETS[k] for k in ("BEDROCK_AWS_ACCESS_KEY_ID", "BEDROCK_AWS_SECRET_ACCESS_KEY")},
    {
        k: SECRETS[k]
        for k in ("BEDROCK_AWS_ACCESS_KEY_ID", "BEDROCK_AWS_SECRET_ACCESS_KEY", "BEDROCK_AWS_SESSION_TOKEN")
    },
    {"BEDROCK_AWS_BEARER_TOKEN": SECRETS["BEDROCK_AWS_BEARER_TOKEN"], "BEDROCK_AWS_PROFILE": "p"},
    {"BEDROCK_AWS_ACCESS_KEY_ID": "user_provided", "BEDROCK_AWS_SECRET_ACCESS_KEY": "user_provided"},
    {"BEDROCK_AWS_BEARER_TOKEN": "user_provided", "BEDROCK_AWS_ACCESS_KEY_ID": SECRETS["BEDROCK_AWS_ACCESS_KEY_ID"]},
    {"BEDROCK_AWS_ACCESS_KEY_ID": "", "BEDROCK_AWS_SECRET_ACCESS_KEY": "", "AWS_ACCESS_KEY_ID": "AKIAOTHER"},
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_credential_method_is_the_collections_rule_and_no_value_is_printed(app, case):
    env = CASES[case]
    text = "".join(f"{key}={value}\n" for key, value in env.items())
    out = ask(app, text, names=["BEDROCK_PROFILE_X", *SECRETS])
    for value in SECRETS.values():
        assert value not in out
    state = deployment.process_state({"rc": 0, "stdout": out, "stderr": ""})
    assert state["credentials"]["method"] == librechat_checks.auth_method(env)
    assert sorted(state["credentials"]["set"]) == sorted(k for k, v in env.items() if v and k.startswith("BEDROCK_"))
    assert state["profiles"] == {"BEDROCK_PROFILE_X": None}


def test_dotenv_loads_dot_env_and_never_overrides_the_process_environment(app):
    out = ask(
        app,
        f"BEDROCK_AWS_DEFAULT_REGION=us-east-1\nBEDROCK_PROFILE_X={ARN}\nENDPOINTS=bedrock,agents\n",
        environ={"BEDROCK_AWS_DEFAULT_REGION": "us-west-2"},
        names=["BEDROCK_PROFILE_X", "BEDROCK_PROFILE_Y"],
    )
    state = deployment.process_state({"rc": 0, "stdout": out, "stderr": ""})
    assert state["status"] == "read"
    assert state["cwd"] == str(app) and state["uid"] == os.getuid()
    assert state["env_file"] == {
        "path": str(app / ".env"),
        "exists": True,
        "readable": True,
        "loaded": True,
        "error": None,
        "mounted": False,
    }
    assert state["region"] == "us-west-2"
    assert state["endpoints"] == "bedrock,agents"
    assert state["profiles"] == {"BEDROCK_PROFILE_X": ARN, "BEDROCK_PROFILE_Y": None}


def test_a_missing_or_unloadable_env(app):
    state = deployment.process_state({"rc": 0, "stdout": ask(app), "stderr": ""})
    assert state["env_file"] | {"path": ""} == {
        "path": "",
        "exists": False,
        "readable": False,
        "loaded": False,
        "error": "ENOENT",
        "mounted": False,
    }
    # what Docker makes of a bind mount whose source is missing: a directory
    (app / ".env").mkdir()
    state = deployment.process_state({"rc": 0, "stdout": ask(app), "stderr": ""})
    assert state["env_file"]["loaded"] is False and state["env_file"]["error"] == "EISDIR"


def test_a_env_its_user_cannot_read(app):
    (app / ".env").write_text("BEDROCK_AWS_DEFAULT_REGION=us-east-1\n")
    (app / ".env").chmod(0o600)
    if os.geteuid() == 0:
        out = ask(app, as_nobody=True)
    else:
        (app / ".env").chmod(0o000)
        out = ask(app)
    state = deployment.process_state({"rc": 0, "stdout": out, "stderr": ""})
    assert state["env_file"]["exists"] and not state["env_file"]["readable"]
    assert state["env_file"]["loaded"] is False and state["env_file"]["error"] == "EACCES"
    assert state["region"] is None


def test_without_librechats_dotenv(app):
    (app / "node_modules").unlink()
    state = deployment.process_state({"rc": 0, "stdout": ask(app), "stderr": ""})
    assert state["dotenv_error"] == "MODULE_NOT_FOUND"
