"""Helpers shared by scripts/test.py, scripts/demo.py and the benchmarks: the tool environment, running a
command, and the local AWS emulator's lifecycle."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
VENV_BIN = ROOT / ".venv" / "bin"
COLLECTIONS = CACHE / "collections"
# Ansible's own state (tmp, galaxy cache, the collections path molecule and ansible-lint install into) stays in
# the checkout: every tool runs with ANSIBLE_HOME here, never ~/.ansible.
ANSIBLE_HOME = CACHE / "ansible"
# HOME of every tool the scripts run. What no setting moves otherwise stays in the checkout with it: ansible-test's
# sanity venvs, get-pip script and SSH key under a hard-coded ~/.ansible/test
# (ansible_test/_internal/commands/sanity/__init__.py, _util/target/setup/requirements.py), molecule's
# ~/.cache/molecule, pip's cache.
TEST_HOME = CACHE / "home"
# The remote_tmp of every host, as the host's shell expands it. The default, `~/.ansible/tmp`, is not under HOME on
# a local connection: ansible-core expands `~` there as `~<remote user>` (ActionBase._remote_expand_user), which the
# shell takes from the password database, so every module run on localhost made and removed a directory in the
# real /root/.ansible/tmp. `$HOME` is expanded by the shell that runs mkdir (the sh shell plugin's mkdtemp): under
# TEST_HOME on this machine, the login user's home on an SSH host, as the default there. ansible-test passes few
# variables of its environment on, so the integration stages hand it to the targets as a variable
# (ansible_remote_tmp in integration_config.yml, scripts/test.py); the EE stage's container has its own HOME.
REMOTE_TMP = "$HOME/.ansible/tmp"
# galaxy-importer, run by the package stage on the built tarball, in a venv of its own (scripts/bootstrap.py).
GALAXY_IMPORTER_VENV = CACHE / "galaxy-importer" / "venv"


@dataclass(frozen=True)
class Cell:
    """One cell of the version matrix: an ansible-core release on a Python it supports, with an amazon.aws
    release taken from an `ansible` community wheel (Galaxy is optional; PyPI always answers)."""

    name: str
    python: str  # MAJOR.MINOR
    ansible_core: str
    amazon_aws: str
    ansible_wheel: str  # the `ansible` release on PyPI whose wheel carries that amazon.aws
    requirements: str | None  # None: the main toolchain (.venv from requirements-dev.txt)
    constraints: str

    @property
    def bin(self) -> Path:
        return VENV_BIN if self.requirements is None else CACHE / "matrix" / self.name / "venv" / "bin"

    @property
    def collections(self) -> Path:
        return COLLECTIONS if self.requirements is None else CACHE / "matrix" / self.name / "collections"

    @property
    def python_path(self) -> Path:
        return self.bin / "python"

    @property
    def label(self) -> str:
        return f"ansible-core {self.ansible_core}, Python {self.python}, amazon.aws {self.amazon_aws}"


# The declared range's ends (meta/runtime.yml requires_ansible, galaxy.yml's amazon.aws range): the newest is the
# main toolchain every stage runs; `matrix` (scripts/test.py) adds the oldest's sanity, unit and integration.
# amazon.aws 10.0.0 ships in no `ansible` wheel; 10.1.1 (ansible 12.0.0) is the oldest PyPI carries.
# The newest cell's Python is the one .venv was made with (scripts/find-python.sh: 3.12 or 3.13); bootstrap runs
# with that same interpreter.
NEWEST = Cell(
    "newest",
    f"{sys.version_info.major}.{sys.version_info.minor}",
    "2.20.10",
    "11.4.0",
    "ansible==14.5.0",
    None,
    "tests/constraints.txt",
)
OLDEST = Cell(
    "oldest",
    "3.11",
    "2.17.14",
    "10.1.1",
    "ansible==12.0.0",
    "tests/requirements-oldest.txt",
    "tests/constraints-oldest.txt",
)
MATRIX = (OLDEST, NEWEST)
# Dummy credentials: the emulator accepts any, and they keep boto3 away from a real account.
EMULATOR_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class CommandFailed(Exception):
    """A command failed; the message says which."""


# The molecule scenario that boots a LibreChat host with systemd-nspawn (scripts/nspawn_host.py).
NSPAWN_SCENARIO = "librechat_config/systemd"
NSPAWN_TOOLS = {"debootstrap": "debootstrap", "systemd-nspawn": "systemd-container", "ssh": "openssh-client"}


def on_ci() -> bool:
    """CI runs everything: there a missing prerequisite fails instead of skipping (.ci/run sets CI)."""
    return bool(os.environ.get("CI"))


def nspawn_missing() -> str | None:
    """What the systemd-nspawn scenario lacks on this machine, in one line with the fix, or None."""
    if os.geteuid() != 0:
        return f"{NSPAWN_SCENARIO} needs root to boot a host with systemd-nspawn: run it as root (sudo make test)"
    tools = [tool for tool in NSPAWN_TOOLS if not shutil.which(tool)]
    if tools:
        packages = " ".join(sorted({NSPAWN_TOOLS[tool] for tool in tools}))
        return f"{NSPAWN_SCENARIO} needs {', '.join(tools)}: apt-get install {packages} (make setup does, as root)"
    # its unit runs the LibreChat app (tests/librechat_app) with this machine's Node.js
    if not shutil.which("node") or not (ROOT / "tests" / "librechat_app" / "node_modules").is_dir():
        return f"{NSPAWN_SCENARIO} needs Node.js and tests/librechat_app/node_modules: install nodejs, run make setup"
    return None


def node_missing() -> str | None:
    """What the LibreChat schema checks (tests/librechat_schema) lack on this machine, in one line, or None."""
    if not shutil.which("node") or not shutil.which("npm"):
        return "Node.js and npm are missing for the LibreChat schema checks: install them (apt-get install nodejs npm)"
    if not (ROOT / "tests" / "librechat_schema" / "node_modules" / "librechat-data-provider").is_dir():
        return "tests/librechat_schema/node_modules is missing for the LibreChat schema checks: run make setup"
    return None


def installed_amazon_aws(collections: Path) -> str | None:
    """The version of the amazon.aws under a collections directory (ansible_collections/amazon/aws), or None."""
    manifest = collections / "ansible_collections" / "amazon" / "aws" / "MANIFEST.json"
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text())["collection_info"]["version"]


def base_env(cell: Cell = NEWEST) -> dict[str, str]:
    """The environment every tool runs in: the cell's venv first on PATH, its collections, ANSIBLE_HOME, HOME and the
    hosts' remote_tmp in the checkout, no AWS profile. No ANSIBLE_ROLES_PATH: roles are reached by FQCN, and a roles
    path would shadow integration targets that share a role's name."""
    env = dict(os.environ)
    env["PATH"] = f"{cell.bin}{os.pathsep}{env.get('PATH', '')}"
    env["ANSIBLE_COLLECTIONS_PATH"] = str(cell.collections)
    env["ANSIBLE_HOME"] = str(ANSIBLE_HOME)
    # The user's pip settings (index, certificates) still apply under the moved HOME. Only that file: with
    # XDG_CONFIG_HOME left at the user's, other tools (Chromium's profile) would write there.
    home = Path(os.environ.get("HOME") or Path.home())
    user_config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    pip_conf = next((c for c in (user_config / "pip" / "pip.conf", home / ".pip" / "pip.conf") if c.is_file()), None)
    if pip_conf:
        env.setdefault("PIP_CONFIG_FILE", str(pip_conf))
    env.pop("XDG_CONFIG_HOME", None)
    env.pop("XDG_CACHE_HOME", None)
    env["HOME"] = str(TEST_HOME)
    env["ANSIBLE_REMOTE_TMP"] = REMOTE_TMP
    env["PYTHONPATH"] = os.pathsep.join([str(cell.collections), str(ROOT / "tests")])
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


def alive(pid: int) -> bool:
    """Whether a process of that PID exists (a zombie child counts until end_process reaps it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def end_process(pid: int, signals, seconds: float, send=os.kill) -> None:
    """Send each signal in turn (None: only wait) until the process is gone, waiting up to `seconds` after each:
    a bound on how long a stuck process may take, not a measure of speed. A child of this process is reaped, or it
    would stay a zombie that alive() still finds. `send` is os.killpg for a process group."""
    for sig in signals:
        if sig is not None and alive(pid):
            send(pid, sig)
        deadline = time.monotonic() + seconds
        while alive(pid) and time.monotonic() < deadline:
            with suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.2)
        if not alive(pid):
            return


def unmount_under(path: Path) -> None:
    """Lazily unmount every mount at or below `path`, deepest first, so the directory can be removed: what a
    stopped dockerd or a killed container leaves. Nothing outside `path` is touched."""
    root = str(path)
    with open("/proc/self/mountinfo", encoding="utf-8") as mounts:
        points = [line.split()[4] for line in mounts]
    for point in sorted((p for p in points if p == root or p.startswith(root + "/")), key=len, reverse=True):
        subprocess.run(["umount", "--lazy", point], capture_output=True, check=False)


def checkout_files() -> list[str]:
    """The checkout's files as git sees them (tracked, and new ones not ignored): what a clone would hold."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted({name for name in listed.split("\0") if name and (ROOT / name).is_file()})
