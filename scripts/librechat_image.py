"""Build the LibreChat image the tests and the demo run, on the project's Docker engine, without a registry.

No image registry is reachable from here, so the image is made from a root file system put together on this
machine and loaded with `docker import`: this machine's Node.js and the shared libraries it links, Debian's
static busybox (the shell and the tools LibreChat's Alpine image has: sh, id, sha256sum, cat, wget), and
/app holding tests/librechat_app (LibreChat's published packages and the start-up that follows LibreChat's own,
see its README). It is laid out as LibreChat's Dockerfile lays its image out: user node (1000:1000), /app owned
by node with an empty .env in it, HOST=0.0.0.0, port 3080.

The image is tagged with the names LibreChat's compose files use, so those files run unchanged with
`up --no-deps api`. It is rebuilt only when its inputs change: their sha256 is the image's label
`librechat-bedrock.inputs`, and a tag that carries the current digest is left as it is.

`python scripts/librechat_image.py` builds it (DOCKER_HOST from scripts/docker_engine.py).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import docker_engine

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "tests" / "librechat_app"
# The names LibreChat's compose files give the api image: deploy-compose.yml, docker-compose.yml and its older
# local build name.
TAGS = (
    "registry.librechat.ai/librechat-ai/librechat-dev-api:latest",
    "ghcr.io/danny-avila/librechat-dev:latest",
    "ghcr.io/danny-avila/librechat-dev-api:latest",
)
LABEL = "librechat-bedrock.inputs"
NODE_UID = NODE_GID = 1000
BUSYBOX = Path("/bin/busybox")
# The busybox applets a LibreChat container is expected to have (the role and the tests exec some of them).
APPLETS = ("sh", "id", "sha256sum", "cat", "ls", "env", "sleep", "wget", "grep", "stat", "test", "true", "false")
# What the app needs at run time; node_modules is reproduced from package-lock.json by npm ci.
APP_FILES = ("package.json", "package-lock.json", "server.js")


class ImageError(Exception):
    """The image could not be built; the message says why."""


def node_binary() -> Path:
    node = shutil.which("node")
    if not node:
        raise ImageError("Node.js is missing: apt-get install nodejs (make setup does)")
    return Path(node).resolve()


def shared_libraries(binary: Path) -> list[Path]:
    """The shared libraries the binary loads, and the dynamic loader, as ldd resolves them on this machine."""
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    libraries = []
    for line in out.splitlines():
        match = re.search(r"(/\S+)\s+\(0x", line)
        if match:
            libraries.append(Path(match.group(1)))
    return libraries


def app_files() -> list[Path]:
    """Every file of the app as it goes into /app: its own files and node_modules."""
    modules = APP / "node_modules"
    if not modules.is_dir():
        raise ImageError(f"{modules.relative_to(ROOT)} is missing: run make setup")
    files = [APP / name for name in APP_FILES]
    files += sorted(p for p in modules.rglob("*") if p.is_file() or p.is_symlink())
    return files


def inputs_digest(node: Path, libraries: list[Path]) -> str:
    """The sha256 of everything that goes into the image, and of this script."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in [node, BUSYBOX, *libraries]:
        digest.update(str(path).encode() + path.read_bytes())
    for name in APP_FILES:
        digest.update(name.encode() + (APP / name).read_bytes())
    return digest.hexdigest()


def current_digest(tag: str, env: dict[str, str]) -> str | None:
    result = subprocess.run(
        ["docker", "image", "inspect", "--format", f'{{{{index .Config.Labels "{LABEL}"}}}}', tag],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def _add_dir(tar: tarfile.TarFile, name: str, uid: int = 0, gid: int = 0, mode: int = 0o755) -> None:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode, info.uid, info.gid = mode, uid, gid
    tar.addfile(info)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, uid: int = 0, gid: int = 0, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.uid, info.gid = len(data), mode, uid, gid
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, source: Path, name: str, uid: int = 0, gid: int = 0) -> None:
    info = tar.gettarinfo(str(source), name)
    info.uid, info.gid, info.uname, info.gname = uid, gid, "", ""
    if info.isfile():
        with source.open("rb") as handle:
            tar.addfile(info, handle)
    else:
        tar.addfile(info)


def write_rootfs(out, node: Path, libraries: list[Path]) -> None:
    """The root file system as a tar stream."""
    with tarfile.open(fileobj=out, mode="w|") as tar:
        for directory in ("bin", "etc", "lib", "lib64", "usr", "usr/local", "usr/local/bin", "home", "var"):
            _add_dir(tar, directory)
        _add_dir(tar, "tmp", mode=0o1777)
        _add_dir(tar, "home/node", NODE_UID, NODE_GID)
        _add_bytes(tar, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n")
        _add_bytes(tar, "etc/group", b"root:x:0:\nnode:x:1000:\n")
        _add_file(tar, node, "usr/local/bin/node")
        made = {"bin", "etc", "lib", "lib64", "usr", "usr/local", "usr/local/bin"}
        for library in libraries:
            parents = library.parent.relative_to("/").parts
            for depth in range(1, len(parents) + 1):
                if "/".join(parents[:depth]) not in made:
                    made.add("/".join(parents[:depth]))
                    _add_dir(tar, "/".join(parents[:depth]))
            _add_file(tar, library.resolve(), str(library.relative_to("/")))
        _add_file(tar, BUSYBOX, "bin/busybox")
        for applet in APPLETS:
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type, info.linkname = tarfile.SYMTYPE, "busybox"
            tar.addfile(info)
        # LibreChat's Dockerfile: /app owned by node, an empty .env to mount over, the volume directories.
        for directory in ("app", "app/client", "app/client/public", "app/client/public/images", "app/logs",
                          "app/uploads", "app/api", "app/api/logs", "app/data"):  # fmt: skip
            _add_dir(tar, directory, NODE_UID, NODE_GID)
        _add_bytes(tar, "app/.env", b"", NODE_UID, NODE_GID)
        seen_dirs = set()
        for path in app_files():
            relative = path.relative_to(APP)
            for depth in range(1, len(relative.parts)):
                parent = "/".join(relative.parts[:depth])
                if parent not in seen_dirs:
                    seen_dirs.add(parent)
                    _add_dir(tar, f"app/{parent}", NODE_UID, NODE_GID)
            _add_file(tar, path, f"app/{relative.as_posix()}", NODE_UID, NODE_GID)


def build(env: dict[str, str] | None = None, force: bool = False) -> str:
    """Build and tag the image unless a tag already carries the current inputs; return the inputs' digest."""
    env = env or docker_engine.client_env()
    node = node_binary()
    libraries = shared_libraries(node)
    digest = inputs_digest(node, libraries)
    found = {tag: current_digest(tag, env) for tag in TAGS}
    if not force and all(found[tag] == digest for tag in TAGS):
        print(f"  LibreChat image up to date ({digest[:12]})", flush=True)
        return digest
    # On an engine of the user's, a tag of these names without the label is their own LibreChat image: moving it
    # to the test app would make their next `docker compose up` run the test app instead.
    theirs = [tag for tag, label in found.items() if label is not None and not re.fullmatch(r"[0-9a-f]{64}", label)]
    if theirs and os.environ.get(docker_engine.USER_HOST_VARIABLE):
        raise ImageError(
            f"{', '.join(theirs)} on {docker_engine.docker_host()} is an image of yours, not this project's test "
            f"image: the tests tag theirs with that name. Use the project's own engine (unset "
            f"{docker_engine.USER_HOST_VARIABLE}), or an engine where these tags are free"
        )
    changes = [
        "WORKDIR /app",
        "USER node",
        "ENV HOST=0.0.0.0",
        "ENV PATH=/usr/local/bin:/usr/bin:/bin",
        "EXPOSE 3080",
        'CMD ["node", "server.js"]',
        f"LABEL {LABEL}={digest}",
    ]
    rootfs = docker_engine.DOCKER / "librechat-rootfs.tar"
    rootfs.parent.mkdir(parents=True, exist_ok=True)
    try:
        with rootfs.open("wb") as out:
            write_rootfs(out, node, libraries)
        command = ["docker", "import", *[arg for change in changes for arg in ("--change", change)], rootfs, TAGS[0]]
        result = subprocess.run([str(c) for c in command], env=env, capture_output=True, text=True, check=False)
    finally:
        rootfs.unlink(missing_ok=True)
    if result.returncode != 0:
        raise ImageError(f"docker import failed: {(result.stderr or result.stdout).strip()}")
    for tag in TAGS[1:]:
        subprocess.run(["docker", "tag", TAGS[0], tag], env=env, check=True)
    print(f"  LibreChat image built ({digest[:12]}): {', '.join(TAGS)}", flush=True)
    return digest


def main() -> int:
    try:
        build(force="--force" in sys.argv)
    except (ImageError, docker_engine.EngineError) as error:
        print(f"librechat_image: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
