"""A Debian host booted with systemd-nspawn, reached over SSH, for the molecule scenario that restarts LibreChat
through a real service manager (extensions/molecule/librechat_config/systemd).

    nspawn_host.py create --name NAME --state FILE    build (once) and boot a fresh copy; write FILE (JSON)
    nspawn_host.py destroy --name NAME --state FILE   power it off, unmount, remove the copy; safe to repeat

The root (debootstrap of Debian bookworm with systemd, sshd and Python) is built once into .cache/nspawn/,
keyed by a digest of what goes into it; each create boots a fresh copy under .work/nspawn/NAME/, so no run sees
another's files. Into that copy go LibreChat as a checkout run by systemd has it: this machine's Node.js at
/usr/local/bin/node (with any shared library it links that the root lacks) and tests/librechat_app (LibreChat's
published packages and its start-up, see its README) in /opt/librechat, owned by root; a system user librechat;
and unit `librechat` running `node server.js` there as that user, HOST and PORT in its Environment=, its
ExecStartPre (as root) appending one line per start to /var/lib/librechat-starts/starts. The container shares
the host's network: sshd and LibreChat listen on free loopback ports (state keys `port`, `librechat_port`).
Needs root, debootstrap and systemd-container (scripts/bootstrap.py installs both on Debian) and Node.js with
the app's node_modules (npm ci, also bootstrap's); only processes this script started are stopped, by their PID.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from devtools import alive, end_process, unmount_under

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "nspawn"
WORK = ROOT / ".work" / "nspawn"
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("systemd", "systemd-sysv", "dbus", "openssh-server", "python3")
SSH_OPTIONS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
               "-o", "ConnectTimeout=3", "-o", "LogLevel=ERROR"]  # fmt: skip
APP = ROOT / "tests" / "librechat_app"
# What `node server.js` needs at run time (package.json also names the LibreChat release: install_app).
APP_FILES = ("server.js", "package.json", "package-lock.json", "node_modules")
# LibreChat's install directory, the unit's WorkingDirectory: the app's cwd holds librechat.yaml and .env.
APP_DIR = "opt/librechat"
# A system user as `adduser --system --group librechat` makes it, below Debian's dynamic system ids (998, 999
# are taken in the base root) so nothing else the root holds collides.
USER = GROUP = "librechat"
USER_ID = 990
STARTS = "/var/lib/librechat-starts/starts"
UNIT = """\
[Unit]
Description=LibreChat
After=network.target

[Service]
User={user}
Group={group}
WorkingDirectory=/{app_dir}
Environment=HOST=127.0.0.1 PORT={port}
# '+': the record is the test's, written as root where the service's user may not write
ExecStartPre=+/bin/sh -c 'mkdir -p {starts_dir} && date +%%s.%%N >> {starts}'
ExecStart=/usr/local/bin/node server.js
Restart=on-failure

[Install]
WantedBy=multi-user.target
"""


def fail(message: str) -> None:
    raise SystemExit(f"nspawn_host: {message}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def debootstrap_root(suite: str, packages: tuple[str, ...], tools: tuple[str, ...] = ()) -> Path:
    """A Debian root of `suite` with `packages` (debootstrap --variant=minbase), built once into .cache/nspawn/
    and keyed by a digest of the suite, the mirror and the package list; also the base of the execution
    environment image (scripts/ee_image.py)."""
    digest = hashlib.sha256(" ".join((suite, MIRROR, *packages)).encode()).hexdigest()[:12]
    base = CACHE / f"{suite}-{digest}"
    if (base / "usr" / "bin" / "python3").exists():
        return base
    for tool in ("debootstrap", *tools):
        if not shutil.which(tool):
            fail(f"{tool} is missing: install debootstrap, systemd-container and openssh-client (make setup, as root)")
    building = base.with_name(base.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.parent.mkdir(parents=True, exist_ok=True)
    print(f"nspawn_host: building {base.name} with debootstrap (once)", flush=True)
    subprocess.run(
        ["debootstrap", "--variant=minbase", f"--include={','.join(packages)}", suite, str(building), MIRROR],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    building.rename(base)
    return base


def base_root() -> Path:
    """The booted host's root, built once per package list."""
    return debootstrap_root(SUITE, PACKAGES, ("systemd-nspawn", "ssh", "ssh-keygen"))


def node_binary() -> Path:
    node = shutil.which("node")
    if not node:
        fail("Node.js is missing: apt-get install nodejs (make setup does)")
    return Path(node).resolve()


def host_libraries(binary: Path) -> dict[str, Path]:
    """Each shared library the binary links, by the name it asks for, as ldd resolves it on this machine."""
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    libraries = {}
    for line in out.splitlines():
        name, arrow, rest = line.strip().partition(" => ")
        if arrow and rest.startswith("/"):
            libraries[name] = Path(rest.split()[0])
    return libraries


def unresolved(root: Path, binary: str) -> list[str]:
    """The libraries the binary links that the root lacks, as the root's own ldd sees them."""
    result = subprocess.run(["chroot", str(root), "/usr/bin/ldd", binary], capture_output=True, text=True, check=False)
    lines = (result.stdout + result.stderr).splitlines()
    # a symbol version the root's libraries lack (a newer glibc here) cannot be fixed by copying one library
    versions = [line.strip() for line in lines if "version `" in line]
    if versions:
        fail(f"{binary} needs what the {SUITE} root's libraries lack: {versions[0]}")
    missing = [line.split("=>")[0].strip() for line in lines if "=> not found" in line]
    if result.returncode != 0 and not missing:
        fail(f"ldd {binary} in the container root failed: {result.stderr.strip()}")
    return missing


def install_node(root: Path) -> None:
    """This machine's Node.js at /usr/local/bin/node, and any library it links that the root lacks."""
    node = node_binary()
    shutil.copy2(node, root / "usr" / "local" / "bin" / "node")
    missing = unresolved(root, "/usr/local/bin/node")
    if not missing:
        return
    libraries = host_libraries(node)
    for name in missing:
        if name not in libraries:
            fail(f"ldd resolves {name}, which {node} links, nowhere on this machine")
        target = root / libraries[name].relative_to("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(libraries[name].resolve(), target)
    still = unresolved(root, "/usr/local/bin/node")
    if still:
        fail(f"{', '.join(still)} still missing in the container root after copying")


def librechat_version(node: Path) -> str:
    """The LibreChat release the app's packages come from: librechat-data-provider's Constants.VERSION."""
    result = subprocess.run(
        [str(node), "-p", "require('librechat-data-provider').Constants.VERSION"],
        cwd=APP,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not result.stdout.strip():
        fail(f"cannot read LibreChat's version from librechat-data-provider: {result.stderr.strip()}")
    return result.stdout.strip()


def install_app(root: Path) -> None:
    """tests/librechat_app in LibreChat's install directory, owned by root as a package install is."""
    if not (APP / "node_modules").is_dir():
        fail(f"{(APP / 'node_modules').relative_to(ROOT)} is missing: run make setup (npm ci)")
    app = root / APP_DIR
    app.mkdir(mode=0o755, parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", "--reflink=auto", *(str(APP / name) for name in APP_FILES), str(app)], check=True)
    # cp -a keeps the checkout's owner, a uid the container may not know
    subprocess.run(["chown", "-R", "--no-dereference", "0:0", str(app)], check=True)
    # The role reads LibreChat's version from package.json in the unit's WorkingDirectory, where a LibreChat
    # checkout's root package.json names its release; the app's own says 0.0.0, a LibreChat older than the
    # Bedrock mapping, for which the role refuses to write one.
    package = json.loads((app / "package.json").read_text())
    package["version"] = librechat_version(node_binary())
    (app / "package.json").write_text(json.dumps(package, indent=2) + "\n")


def add_user(root: Path) -> None:
    """System user and group librechat, as `adduser --system --group --no-create-home` writes them."""
    etc = root / "etc"
    for database in ("passwd", "group"):
        for line in (etc / database).read_text().splitlines():
            fields = line.split(":")
            if fields[0] == USER or fields[2] == str(USER_ID):
                fail(f"{database} of the {SUITE} root already has {line!r}: pick another USER_ID")
    days = int(time.time() // 86400)
    entries = {
        "passwd": f"{USER}:x:{USER_ID}:{USER_ID}:LibreChat:/nonexistent:/usr/sbin/nologin",
        "shadow": f"{USER}:!:{days}::::::",
        "group": f"{GROUP}:x:{USER_ID}:",
        "gshadow": f"{GROUP}:!::",
    }
    for database, entry in entries.items():
        text = (etc / database).read_text()
        with (etc / database).open("a") as handle:
            handle.write(("" if text.endswith("\n") or not text else "\n") + entry + "\n")


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def ssh(state: dict, *command: str, timeout: int = 10) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ssh", *SSH_OPTIONS, "-i", state["key"], "-p", str(state["port"]), "root@127.0.0.1", *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def create(name: str, state_file: Path) -> None:
    if os.geteuid() != 0:
        fail("systemd-nspawn needs root")
    destroy(name, state_file)
    base = base_root()
    work = WORK / name
    root = work / "root"
    work.mkdir(parents=True)
    subprocess.run(["cp", "-a", "--reflink=auto", str(base), str(root)], check=True)
    key = work / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    state = {"name": name, "root": str(root), "key": str(key), "port": free_port(), "librechat_port": free_port()}
    ssh_dir = root / "root" / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    (ssh_dir / "authorized_keys").write_text((work / "id_ed25519.pub").read_text())
    (ssh_dir / "authorized_keys").chmod(0o600)
    (root / "etc" / "ssh" / "sshd_config.d" / "molecule.conf").write_text(
        f"Port {state['port']}\nListenAddress 127.0.0.1\nPermitRootLogin prohibit-password\n"
    )
    install_node(root)
    install_app(root)
    add_user(root)
    units = root / "etc" / "systemd" / "system"
    (units / "librechat.service").write_text(
        UNIT.format(
            user=USER,
            group=GROUP,
            app_dir=APP_DIR,
            port=state["librechat_port"],
            starts=STARTS,
            starts_dir=os.path.dirname(STARTS),
        )
    )
    wants = units / "multi-user.target.wants"
    wants.mkdir(exist_ok=True)
    (wants / "librechat.service").symlink_to("/etc/systemd/system/librechat.service")
    log = (work / "console.log").open("w")
    # --register=no and --keep-unit: this machine's PID 1 is not systemd, so there is no machined or scope to use
    process = subprocess.Popen(
        ["systemd-nspawn", "-D", str(root), "-b", "--register=no", "--keep-unit", "-M", name],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    state["pid"] = process.pid
    state_file.write_text(json.dumps(state))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"systemd-nspawn exited with {process.returncode}; see {work / 'console.log'}")
        try:
            # active is not yet listening: Node.js loads LibreChat's packages first
            if ssh(state, "systemctl", "is-active", "librechat").stdout.strip() == "active" and answers(
                state["librechat_port"]
            ):
                print(json.dumps(state), flush=True)
                return
        except subprocess.TimeoutExpired:
            pass
        time.sleep(1)
    fail(
        "the container did not answer over SSH with librechat active and answering /health within 90 s; see "
        f"{work / 'console.log'} and journalctl -u librechat inside"
    )


def destroy(name: str, state_file: Path) -> None:
    work = WORK / name
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    pid = state.get("pid")
    if pid and alive(pid):
        with contextlib.suppress(subprocess.TimeoutExpired):
            ssh(state, "systemctl", "poweroff", timeout=5)
        end_process(pid, (None, signal.SIGTERM, signal.SIGKILL), 20, send=os.killpg)
    # what a killed container may leave mounted under its root
    unmount_under(work)
    shutil.rmtree(Path("/run/systemd/nspawn/propagate") / name, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    state_file.unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["create", "destroy"])
    parser.add_argument("--name", default="lcb-librechat")
    parser.add_argument("--state", type=Path, required=True, help="where create writes host, port and key (JSON)")
    args = parser.parse_args()
    (create if args.action == "create" else destroy)(args.name, args.state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
