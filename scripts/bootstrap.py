"""Create everything the tests and the demo need, from nothing, offline from Ansible Galaxy.

Run by scripts/bootstrap.sh with a Python found by scripts/find-python.sh. Each step is skipped when
its result is already in place, so `make test` on a prepared machine starts at once.

1. `.venv/` with the pinned toolchain (requirements-dev.txt, frozen by tests/constraints.txt).
2. amazon.aws under `.cache/collections/`: `ansible-galaxy collection install` when Galaxy answers,
   otherwise the copy inside the `ansible` wheel from PyPI (only `ansible_collections/amazon/aws`).
3. This collection linked as `.cache/collections/ansible_collections/librechat/bedrock`.
4. An offline stand-in for the get-pip script `ansible-test` downloads into its cache directory:
   it bootstraps pip with `ensurepip`, then installs what ansible-test asked for with that pip.
5. The Node packages of tests/librechat_schema (LibreChat's own config schema and dotenv).
6. Debian's debootstrap, systemd-container and openssh-client, for the molecule scenario that boots a
   LibreChat host with systemd-nspawn (installed with apt-get when missing and running as root).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
CACHE = ROOT / ".cache"
COLLECTIONS = CACHE / "collections"
STAMP = VENV / ".bootstrap-stamp"
# The `ansible` community package whose wheel carries the amazon.aws release we test against.
ANSIBLE_WHEEL = "ansible==13.8.0"
AMAZON_AWS_MIN = (10, 0, 0)
GALAXY_TIMEOUT = 20

GET_PIP_STANDIN = '''"""Offline stand-in for get-pip.py, written by librechat.bedrock's scripts/bootstrap.py.

ansible-test runs get-pip.py with pip options and package pins to put pip into a new virtual
environment. This does the same without a download: ensurepip installs the bundled pip, and that
pip installs the requested packages from the configured package index.
"""
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
'''


def log(message: str) -> None:
    print(f"bootstrap: {message}", flush=True)


def run(*cmd: str | os.PathLike, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def venv_python() -> Path:
    return VENV / "bin" / "python"


def inputs_digest() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name in ("requirements.txt", "requirements-dev.txt", "tests/constraints.txt", "requirements.yml"):
        path = ROOT / name
        if path.exists():
            digest.update(name.encode() + path.read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    digest = inputs_digest()
    if STAMP.exists() and STAMP.read_text() == digest and venv_python().exists():
        log("virtual environment up to date")
        return
    if VENV.exists():
        shutil.rmtree(VENV)
    log(f"creating {VENV.relative_to(ROOT)} with {sys.executable} ({sys.version.split()[0]})")
    run(sys.executable, "-m", "venv", VENV)
    pip = [venv_python(), "-m", "pip", "--disable-pip-version-check", "-q"]
    run(*pip, "install", "--upgrade", "pip")
    install = [*pip, "install", "-r", ROOT / "requirements-dev.txt"]
    constraints = ROOT / "tests" / "constraints.txt"
    if constraints.exists():
        install += ["-c", constraints]
    run(*install)
    STAMP.write_text(digest)


def installed_amazon_aws() -> tuple[int, ...] | None:
    manifest = COLLECTIONS / "ansible_collections" / "amazon" / "aws" / "MANIFEST.json"
    if not manifest.exists():
        return None
    version = json.loads(manifest.read_text())["collection_info"]["version"]
    return tuple(int(part) for part in version.split(".")[:3])


def ensure_amazon_aws() -> None:
    version = installed_amazon_aws()
    if version and version >= AMAZON_AWS_MIN:
        log(f"amazon.aws {'.'.join(map(str, version))} present")
        return
    galaxy = VENV / "bin" / "ansible-galaxy"
    cmd = [
        galaxy,
        "collection",
        "install",
        "-r",
        ROOT / "requirements.yml",
        "-p",
        COLLECTIONS,
        "--timeout",
        str(GALAXY_TIMEOUT),
    ]
    log("installing amazon.aws from Ansible Galaxy")
    result = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, timeout=GALAXY_TIMEOUT * 6, check=False
    )
    if result.returncode == 0 and installed_amazon_aws():
        return
    reason = ((result.stderr or result.stdout).strip().splitlines() or ["no output"])[-1]
    log(f"Galaxy unavailable ({reason}); using the {ANSIBLE_WHEEL} wheel")
    with tempfile.TemporaryDirectory() as tmp:
        run(
            venv_python(),
            "-m",
            "pip",
            "--disable-pip-version-check",
            "-q",
            "download",
            "--no-deps",
            "-d",
            tmp,
            ANSIBLE_WHEEL,
        )
        wheel = next(Path(tmp).glob("ansible-*.whl"))
        prefix = "ansible_collections/amazon/aws/"
        target = COLLECTIONS / "ansible_collections" / "amazon" / "aws"
        if target.exists():
            shutil.rmtree(target)
        with zipfile.ZipFile(wheel) as archive:
            members = [name for name in archive.namelist() if name.startswith(prefix)]
            archive.extractall(COLLECTIONS, members)
    if not installed_amazon_aws():
        raise SystemExit("bootstrap: amazon.aws could not be installed from Galaxy or from the ansible wheel")


def ensure_collection_link() -> None:
    link = COLLECTIONS / "ansible_collections" / "librechat" / "bedrock"
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() and link.resolve() == ROOT:
        return
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(ROOT, link.parent))
    log(f"linked {link.relative_to(ROOT)} -> repository root")


def ensure_get_pip_standin() -> None:
    code = (
        "import types\n"
        "from ansible_test._internal.python_requirements import get_venv_packages\n"
        "print(get_venv_packages(types.SimpleNamespace(version='3.12'))['pip'])\n"
    )
    pip_version = subprocess.run(
        [str(venv_python()), "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    cache = Path.home() / ".ansible" / "test" / "cache" / f"get_pip_{pip_version.replace('.', '_')}.py"
    if cache.exists() and cache.read_text() == GET_PIP_STANDIN:
        return
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(GET_PIP_STANDIN)
    log(f"wrote the offline get-pip stand-in for pip {pip_version}: {cache}")


def ensure_node_packages() -> None:
    project = ROOT / "tests" / "librechat_schema"
    if not (project / "package.json").exists():
        return
    npm = shutil.which("npm")
    if not npm:
        raise SystemExit("bootstrap: npm is needed for the LibreChat schema checks (install Node.js and npm)")
    lock = project / "package-lock.json"
    stamp = project / "node_modules" / ".bootstrap-stamp"
    digest = hashlib.sha256((project / "package.json").read_bytes() + (lock.read_bytes() if lock.exists() else b""))
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    log("installing the Node packages of tests/librechat_schema")
    run(npm, "ci" if lock.exists() else "install", "--no-audit", "--no-fund", "--silent", cwd=project)
    stamp.write_text(digest.hexdigest())


SYSTEM_TOOLS = {"debootstrap": "debootstrap", "systemd-nspawn": "systemd-container", "ssh": "openssh-client"}


def ensure_system_packages() -> None:
    missing = sorted({package for tool, package in SYSTEM_TOOLS.items() if not shutil.which(tool)})
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        log(f"not installing {', '.join(missing)} (needs root and apt-get): the systemd-nspawn scenario will fail")
        return
    log(f"installing {', '.join(missing)} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    if subprocess.run(install, env=env, check=False, stdout=subprocess.DEVNULL).returncode != 0:
        run("apt-get", "update", "-q", env=env, stdout=subprocess.DEVNULL)
        run(*install, env=env, stdout=subprocess.DEVNULL)


def main() -> None:
    ensure_venv()
    COLLECTIONS.mkdir(parents=True, exist_ok=True)
    ensure_amazon_aws()
    ensure_collection_link()
    ensure_get_pip_standin()
    ensure_node_packages()
    ensure_system_packages()
    log("ready")


if __name__ == "__main__":
    main()
