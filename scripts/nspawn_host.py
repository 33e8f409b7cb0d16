"""A Debian host booted with systemd-nspawn, reached over SSH, for the molecule scenario that restarts LibreChat
through a real service manager (extensions/molecule/librechat_config/systemd).

    nspawn_host.py create --name NAME --state FILE    build (once) and boot a fresh copy; write FILE (JSON)
    nspawn_host.py destroy --name NAME --state FILE   power it off, unmount, remove the copy; safe to repeat

The root (debootstrap of Debian bookworm with systemd, sshd and Python) is built once into .cache/nspawn/,
keyed by a digest of what goes into it; each create boots a fresh copy under .work/nspawn/NAME/, so no run sees
another's files. The container shares the host's network: sshd and the LibreChat stand-in listen on free
loopback ports. Inside, unit `librechat` runs a small HTTP server answering GET /health with 200, and its
ExecStartPre appends one line per start to /var/lib/librechat-standin/starts. Needs root, debootstrap and
systemd-container (scripts/bootstrap.py installs both on Debian); only processes this script started are
stopped, by their PID.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "nspawn"
WORK = ROOT / ".work" / "nspawn"
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("systemd", "systemd-sysv", "dbus", "openssh-server", "python3")
SSH_OPTIONS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
               "-o", "ConnectTimeout=3", "-o", "LogLevel=ERROR"]  # fmt: skip
STANDIN = """\
import http.server
import sys


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
"""
UNIT = """\
[Unit]
Description=LibreChat stand-in (answers /health)
After=network.target

[Service]
ExecStartPre=/bin/sh -c 'mkdir -p /var/lib/librechat-standin && date +%%s.%%N >> /var/lib/librechat-standin/starts'
ExecStart=/usr/bin/python3 /usr/local/bin/librechat-standin {port}
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


def base_root() -> Path:
    """The debootstrap root, built once per package list."""
    digest = hashlib.sha256(" ".join((SUITE, MIRROR, *PACKAGES)).encode()).hexdigest()[:12]
    base = CACHE / f"{SUITE}-{digest}"
    if (base / "usr" / "bin" / "python3").exists():
        return base
    for tool in ("debootstrap", "systemd-nspawn", "ssh", "ssh-keygen"):
        if not shutil.which(tool):
            fail(f"{tool} is missing: install debootstrap, systemd-container and openssh-client (make setup, as root)")
    building = base.with_name(base.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.parent.mkdir(parents=True, exist_ok=True)
    print(f"nspawn_host: building {base.name} with debootstrap (once)", flush=True)
    subprocess.run(
        ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(building), MIRROR],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    building.rename(base)
    return base


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
    state = {"name": name, "root": str(root), "key": str(key), "port": free_port(), "standin_port": free_port()}
    ssh_dir = root / "root" / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    (ssh_dir / "authorized_keys").write_text((work / "id_ed25519.pub").read_text())
    (ssh_dir / "authorized_keys").chmod(0o600)
    (root / "etc" / "ssh" / "sshd_config.d" / "molecule.conf").write_text(
        f"Port {state['port']}\nListenAddress 127.0.0.1\nPermitRootLogin prohibit-password\n"
    )
    (root / "usr" / "local" / "bin" / "librechat-standin").write_text(STANDIN)
    units = root / "etc" / "systemd" / "system"
    (units / "librechat.service").write_text(UNIT.format(port=state["standin_port"]))
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
            if ssh(state, "systemctl", "is-active", "librechat").stdout.strip() == "active":
                print(json.dumps(state), flush=True)
                return
        except subprocess.TimeoutExpired:
            pass
        time.sleep(1)
    fail(f"the container did not answer over SSH with librechat active within 90 s; see {work / 'console.log'}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def destroy(name: str, state_file: Path) -> None:
    work = WORK / name
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    pid = state.get("pid")
    if pid and alive(pid):
        with contextlib.suppress(subprocess.TimeoutExpired):
            ssh(state, "systemctl", "poweroff", timeout=5)
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None and alive(pid):
                os.killpg(pid, sig)
            deadline = time.monotonic() + 20
            while alive(pid) and time.monotonic() < deadline:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
                time.sleep(0.5)
            if not alive(pid):
                break
    # what a killed container may leave mounted under its root, deepest first
    mounts = subprocess.run(["findmnt", "-rn", "-o", "TARGET"], capture_output=True, text=True, check=False).stdout
    for target in sorted((m for m in mounts.split() if m.startswith(str(work))), reverse=True):
        subprocess.run(["umount", "-l", target], check=False)
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
