"""Helpers shared by scripts/test.py, scripts/demo.py and the benchmarks: the tool environment, running a
command, and the local AWS emulator's lifecycle."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
COLLECTIONS = ROOT / ".cache" / "collections"
# Dummy credentials: the emulator accepts any, and they keep boto3 away from a real account.
EMULATOR_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class CommandFailed(Exception):
    """A command failed; the message says which."""


def base_env() -> dict[str, str]:
    """The environment every tool runs in: the venv first on PATH, the bootstrapped collections, no AWS profile.
    No ANSIBLE_ROLES_PATH: roles are reached by FQCN, and a roles path would shadow integration targets
    that share a role's name."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ANSIBLE_COLLECTIONS_PATH"] = str(COLLECTIONS)
    env["PYTHONPATH"] = os.pathsep.join([str(COLLECTIONS), str(ROOT / "tests")])
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("AWS_PROFILE", None)
    return env


def emulator_env(endpoint: str) -> dict[str, str]:
    """base_env() pointed at the emulator, as AWS would be reached: through AWS_ENDPOINT_URL."""
    return base_env() | EMULATOR_ENV | {"AWS_ENDPOINT_URL": endpoint}


# ansible-playbook on this machine, with the toolchain's Python for local tasks: how scripts run a playbook.
LOCAL_PLAYBOOK = [
    "ansible-playbook",
    "-i",
    "localhost,",
    "-c",
    "local",
    "-e",
    f"ansible_python_interpreter={sys.executable}",
]


def run(cmd: list[str | os.PathLike], *, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
    printable = " ".join(str(c) for c in cmd)
    print(f"  $ {printable}", flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env or base_env(), check=False)
    if result.returncode != 0:
        raise CommandFailed(f"exit {result.returncode}: {printable}")


@contextmanager
def emulator():
    """Start the emulator on a free loopback port; yield its endpoint URL; stop it by PID."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--host", "127.0.0.1", "--port", "0"],
        cwd=ROOT,
        env=base_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        if not line.startswith("http://"):
            raise CommandFailed(f"the emulator did not start (it said {line!r})")
        print(f"  emulator at {line} (pid {proc.pid})", flush=True)
        yield line
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
