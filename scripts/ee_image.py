"""Build the execution environment (EE) AWX and Ansible Automation Platform run this collection in, with
ansible-builder on the project's Docker engine, without a registry or Galaxy.

    ee_image.py [--force]     build what changed (base, EEs); print what was built, its time and size (JSON)

The definition is examples/ee/execution-environment.yml. Its base image is made here: a Debian trixie root
(debootstrap, shared with scripts/nspawn_host.py) loaded with `docker import`. Its collections are tarballs
made here: librechat.bedrock built with `ansible-galaxy collection build` from the checkout's files, and the
amazon.aws the toolchain is tested with (.cache/collections), built the same way with a galaxy.yml written from
its MANIFEST.json. ansible-builder then runs in a copy of examples/ee/ under .cache/ee/.

A second EE, of this collection alone (its definition derived from the first, installed without amazon.aws),
shows what the collection's own meta/execution-environment.yml gives an EE that includes it.

The images are rebuilt only when their inputs change: the sha256 of the inputs is each image's label
`librechat-bedrock.inputs` (the base: suite, mirror, packages; the EE: the definition's files, each collection's
MANIFEST.json, whose FILES.json checksum covers every file, the base's digest and this script).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import docker_engine
import nspawn_host
import yaml
from devtools import NEWEST, base_env, checkout_files
from librechat_image import LABEL, current_digest

ROOT = Path(__file__).resolve().parent.parent
DEFINITION_DIR = ROOT / "examples" / "ee"
DEFINITION = DEFINITION_DIR / "execution-environment.yml"
WORK = ROOT / ".cache" / "ee"
# Debian trixie's Python 3.13 runs ansible-core 2.20 (the newest cell; it needs Python 3.12 or newer). What the
# EE needs from Debian: Python with pip (Debian refuses ensurepip), ssh for the LibreChat hosts, CA certificates
# for AWS's HTTPS endpoints. bindep.txt of each collection names nothing else for a Debian platform.
SUITE = "trixie"
PACKAGES = ("python3", "python3-pip", "openssh-client", "ca-certificates")
BASE_CHANGES = (
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["/bin/bash"]',
)
# What a root built by debootstrap holds that an image must not: the build machine's resolver and host names,
# its machine id, the package cache, and the pseudo file systems (the engine provides /dev, /proc, /sys).
BASE_EXCLUDES = (
    "./etc/resolv.conf",
    "./etc/hostname",
    "./etc/hosts",
    "./etc/machine-id",
    "./var/cache/apt/archives/*.deb",
    "./var/lib/apt/lists/*",
    "./dev/*",
    "./proc/*",
    "./sys/*",
)
AMAZON_AWS = NEWEST.collections / "ansible_collections" / "amazon" / "aws"
# The tarballs' names in examples/ee/requirements.yml.
TARBALLS = {"librechat.bedrock": "librechat-bedrock.tar.gz", "amazon.aws": "amazon-aws.tar.gz"}
# The local index's port is INDEX_PORT_BASE plus a number from the checkout's path (served()).
INDEX_PORT_BASE = 20000
# The EE of this collection alone (collection_only): what meta/execution-environment.yml gives an EE by itself.
COLLECTION_ONLY_TAG = "librechat-bedrock-ee-collection-only:latest"


class ImageError(Exception):
    """An image could not be built; the message says why."""


def definition() -> dict:
    return yaml.safe_load(DEFINITION.read_text())


def base_tag() -> str:
    return definition()["images"]["base_image"]["name"]


def image_id(tag: str, env: dict[str, str]) -> str | None:
    result = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", tag], env=env, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def stage_images(base: str, env: dict[str, str]) -> list[str]:
    """The untagged images earlier builds left of their galaxy and builder stages (they inherit the base's label):
    Docker's build cache for inputs that are gone once a new build has made its own."""
    result = subprocess.run(
        ["docker", "images", "-q", "--no-trunc", "-f", "dangling=true", "-f", f"label={LABEL}={base}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.split()


def base_digest() -> str:
    return hashlib.sha256(
        json.dumps([SUITE, nspawn_host.MIRROR, PACKAGES, BASE_CHANGES, BASE_EXCLUDES]).encode()
    ).hexdigest()


def base_missing(env: dict[str, str] | None = None) -> str | None:
    """What building the base image lacks here, in one line with the fix, or None (also when it is built already)."""
    if env is not None and current_digest(base_tag(), env) == base_digest():
        return None
    if os.geteuid() != 0:
        return "the execution environment's base image is made with debootstrap, which needs root: run as root"
    if not shutil.which("debootstrap"):
        return "the execution environment's base image needs debootstrap: apt-get install debootstrap (make setup does)"
    return None


def base_image(env: dict[str, str], force: bool = False) -> str:
    """The Debian base image, built unless its tag carries the current inputs; return their digest."""
    tag = base_tag()
    digest = base_digest()
    if not force and current_digest(tag, env) == digest:
        print(f"  EE base {tag} up to date ({digest[:12]})", flush=True)
        return digest
    problem = base_missing()
    if problem:
        raise ImageError(problem)
    t0 = time.monotonic()
    try:
        root = nspawn_host.debootstrap_root(SUITE, PACKAGES)
    except (SystemExit, subprocess.CalledProcessError) as error:
        raise ImageError(f"debootstrap of Debian {SUITE} failed: {error}") from error
    changes = [*BASE_CHANGES, f"LABEL {LABEL}={digest}"]
    tar = subprocess.Popen(
        ["tar", "-C", str(root), "--numeric-owner", *(f"--exclude={e}" for e in BASE_EXCLUDES), "-c", "."],
        stdout=subprocess.PIPE,
    )
    result = subprocess.run(
        ["docker", "import", *[arg for change in changes for arg in ("--change", change)], "-", tag],
        stdin=tar.stdout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    tar.stdout.close()
    if tar.wait() != 0 or result.returncode != 0:
        raise ImageError(f"docker import of {root} failed: {(result.stderr or result.stdout).strip()}")
    print(f"  EE base {tag} built ({digest[:12]}) in {time.monotonic() - t0:.1f}s", flush=True)
    return digest


def galaxy_build(tree: Path, dest: Path) -> None:
    """`ansible-galaxy collection build` of the collection at tree, written to dest."""
    with tempfile.TemporaryDirectory(prefix="lcb-ee-out-") as out:
        built = subprocess.run(
            ["ansible-galaxy", "collection", "build", "--output-path", out],
            cwd=tree,
            env=base_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if built.returncode != 0:
            raise ImageError(f"ansible-galaxy collection build failed: {(built.stderr or built.stdout).strip()}")
        shutil.move(next(Path(out).glob("*.tar.gz")), dest)


def amazon_aws_tree(tree: Path) -> None:
    """amazon.aws as the bootstrap extracted it, with the galaxy.yml its MANIFEST.json was built from: the
    extracted copy lacks files its FILES.json lists (the `ansible` wheel leaves them out), so it is built again."""
    if not (AMAZON_AWS / "MANIFEST.json").is_file():
        raise ImageError(f"amazon.aws is missing at {AMAZON_AWS.relative_to(ROOT)}: run make setup")
    shutil.copytree(
        AMAZON_AWS, tree, ignore=shutil.ignore_patterns("MANIFEST.json", "FILES.json", "__pycache__", "*.pyc")
    )
    info = json.loads((AMAZON_AWS / "MANIFEST.json").read_text())["collection_info"]
    (tree / "galaxy.yml").write_text(yaml.safe_dump({key: value for key, value in info.items() if value}))


def manifest_digest(tarball: Path) -> str:
    """The sha256 of the tarball's MANIFEST.json, which names FILES.json's checksum, which names every file's."""
    with tarfile.open(tarball) as tar:
        return hashlib.sha256(tar.extractfile("MANIFEST.json").read()).hexdigest()


def collection_tarballs(dest: Path) -> dict[str, str]:
    """Both collections' tarballs in dest, under the names requirements.yml gives them; return their digests."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lcb-ee-") as tmp:
        amazon = Path(tmp) / "amazon" / "aws"
        amazon_aws_tree(amazon)
        galaxy_build(amazon, dest / TARBALLS["amazon.aws"])
        tree = Path(tmp) / "librechat" / "bedrock"
        for name in checkout_files():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tree / name)
        galaxy_build(tree, dest / TARBALLS["librechat.bedrock"])
    return {name: manifest_digest(dest / tarball) for name, tarball in TARBALLS.items()}


# What ansible-builder's own steps install with pip besides the definition's packages (its containerfile.py and
# ee_schema.py): bindep and its helpers in the builder stage, dumb-init (container_init's default) in the final.
BUILDER_PACKAGES = ("bindep", "pyyaml", "packaging", "dumb-init==1.2.5")
TARGET_PYTHON = """\
import json, sys
from pip._vendor.packaging.tags import sys_tags
platforms = list(dict.fromkeys(tag.platform for tag in sys_tags() if tag.platform != "any"))
print(json.dumps({"version": "%d.%d" % sys.version_info[:2], "abi": "cp%d%d" % sys.version_info[:2],
                  "platforms": platforms}))
"""


def target_python(env: dict[str, str]) -> dict:
    """The base image's Python: its version, ABI and the platform tags its pip accepts."""
    out = subprocess.run(
        ["docker", "run", "--rm", "--network=none", base_tag(), "python3", "-c", TARGET_PYTHON],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise ImageError(f"cannot ask {base_tag()} for its Python: {out.stderr.strip()}")
    return json.loads(out.stdout)


def requirements(stage: Path) -> list[str]:
    """Every requirement pip meets during the build: the definition's ansible-core and ansible-runner, ansible-
    builder's own, and each collection's requirements.txt (what ansible-builder's introspection will find)."""
    spec = definition()["dependencies"]
    wanted = [spec["ansible_core"]["package_pip"], spec["ansible_runner"]["package_pip"], *BUILDER_PACKAGES]
    with tempfile.TemporaryDirectory(prefix="lcb-ee-req-") as tmp:
        for tarball in (stage / "collections").glob("*.tar.gz"):
            with tarfile.open(tarball) as tar:
                if "requirements.txt" in tar.getnames():
                    tar.extract("requirements.txt", tmp, filter="data")
                    text = (Path(tmp) / "requirements.txt").read_text()
                    wanted += [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]
    return wanted


def wheelhouse(stage: Path, env: dict[str, str]) -> Path:
    """The wheels of every requirement, downloaded by this machine's pip (its index, proxy and certificates) for
    the base image's Python, under a PEP 503 index (simple/<name>/) the build's pip reads instead of PyPI; once
    per run (build() empties WORK first)."""
    wheels = WORK / "wheels"
    if (wheels / "simple").is_dir():
        return wheels
    python = target_python(env)
    shutil.rmtree(wheels, ignore_errors=True)
    wheels.mkdir(parents=True)
    platforms = [arg for platform in python["platforms"] for arg in ("--platform", platform)]
    wanted = requirements(stage)
    command = [
        sys.executable, "-m", "pip", "download", "-q", "--dest", str(wheels), "--only-binary=:all:",
        "--python-version", python["version"], "--implementation", "cp", "--abi", python["abi"], *platforms, *wanted,
    ]  # fmt: skip
    print(f"  $ pip download --python-version {python['version']} ... {' '.join(wanted)}", flush=True)
    downloaded = subprocess.run(command, env=base_env(), capture_output=True, text=True, check=False)
    if downloaded.returncode != 0:
        raise ImageError(f"pip download of {' '.join(wanted)} failed: {downloaded.stderr.strip()[-2000:]}")
    for wheel in sorted(wheels.glob("*.whl")):
        project = re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()
        page = wheels / "simple" / project / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
        with page.open("a") as handle:
            handle.write(f'<a href="../../{wheel.name}#sha256={sha}">{wheel.name}</a><br>\n')
    return wheels


@contextmanager
def served(directory: Path):
    """An HTTP server of directory on a free loopback port, for the length of the block; yields its URL."""
    handler = partial(QuietHandler, directory=str(directory))
    # The URL is a build argument, part of the key of Docker's layer cache: one port per checkout keeps the base
    # stage (ansible-core, ansible-runner) cached from build to build; a free one when that port is taken.
    port = INDEX_PORT_BASE + int(hashlib.sha256(str(ROOT).encode()).hexdigest(), 16) % 10000
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the build's own output says what pip fetched
        pass


def collection_only(stage: Path, tarballs: Path) -> None:
    """The definition of an EE that lists only this collection, so everything it gets beyond ansible-core comes from
    the collection's own meta/execution-environment.yml (what ansible-builder reads when another EE includes the
    collection): the main definition with requirements.yml naming this tarball alone, installed without its
    dependencies (amazon.aws would bring boto3 too)."""
    stage.mkdir(parents=True)
    spec = definition()
    spec["options"]["tags"] = [COLLECTION_ONLY_TAG]
    spec["build_arg_defaults"]["ANSIBLE_GALAXY_CLI_COLLECTION_OPTS"] = "--offline --no-deps"
    (stage / "execution-environment.yml").write_text(yaml.safe_dump(spec, sort_keys=False))
    tarball = f"collections/{TARBALLS['librechat.bedrock']}"
    (stage / "requirements.yml").write_text(yaml.safe_dump({"collections": [{"name": tarball, "type": "file"}]}))
    (stage / "collections").mkdir()
    shutil.copy2(tarballs / TARBALLS["librechat.bedrock"], stage / tarball)


def build_stage(stage: Path, base: str, collections: dict[str, str], env: dict[str, str], force: bool) -> dict:
    """ansible-builder build of the definition in stage, unless its tag carries the current inputs."""
    t0 = time.monotonic()
    tag = yaml.safe_load((stage / "execution-environment.yml").read_text())["options"]["tags"][0]
    listed = [entry["name"] for entry in yaml.safe_load((stage / "requirements.yml").read_text())["collections"]]
    digest = hashlib.sha256(Path(__file__).read_bytes() + base.encode())
    for path in sorted(p for p in stage.rglob("*") if p.is_file() and p.parent.name != "collections"):
        digest.update(str(path.relative_to(stage)).encode() + path.read_bytes())
    for name in sorted(collections):
        if f"collections/{TARBALLS[name]}" in listed:
            digest.update(f"{name}={collections[name]}".encode())
    digest = digest.hexdigest()
    result = {"image": tag, "digest": digest, "built": False}
    if not force and current_digest(tag, env) == digest:
        print(f"  EE {tag} up to date ({digest[:12]})", flush=True)
        return result
    previous = image_id(tag, env)
    wheels = wheelhouse(stage, env)
    docker = {key: value for key, value in env.items() if key.startswith("DOCKER_")}
    with served(wheels) as url:
        # host networking: the build's pip reaches the index on this machine's loopback, and nothing else
        command = [
            str(Path(sys.executable).parent / "ansible-builder"), "build", "-f", "execution-environment.yml",
            "-c", "context", "-t", tag, "--container-runtime", "docker", "-v", "2",
            "--build-arg", f"PIP_INDEX_URL={url}/simple/",
            # --force-rm: a failed step's container is removed too, nothing is left on the engine
            f"--extra-build-cli-args=--network=host --force-rm --label {LABEL}={digest}",
        ]  # fmt: skip
        print(f"  $ {' '.join(command)}", flush=True)
        built = subprocess.run(command, cwd=stage, env=base_env() | docker, check=False)
    if built.returncode != 0:
        raise ImageError(f"ansible-builder build failed (exit {built.returncode}); the context is {stage}/context")
    if current_digest(tag, env) != digest:
        raise ImageError(f"ansible-builder built no image {tag} labelled {digest[:12]}")
    if previous and previous != image_id(tag, env):
        # the image this one replaces, untagged now: removed with the layers only it used (the other stages' stay,
        # Docker's build cache)
        subprocess.run(["docker", "rmi", previous], env=env, capture_output=True, check=False)
    result |= {"built": True, "seconds": round(time.monotonic() - t0, 1)}
    print(f"  EE {tag} built ({digest[:12]}) in {result['seconds']}s", flush=True)
    return result


def build(env: dict[str, str] | None = None, force: bool = False) -> dict:
    """Build the base, the EE and the collection-only EE, each unless its tag carries its current inputs; return
    what was done and how long it took."""
    env = env or docker_engine.client_env()
    t0 = time.monotonic()
    base = base_image(env, force)
    result = {"base_seconds": round(time.monotonic() - t0, 1)}
    stale = stage_images(base, env)
    shutil.rmtree(WORK, ignore_errors=True)
    stage = WORK / "definition"
    shutil.copytree(DEFINITION_DIR, stage, ignore=shutil.ignore_patterns("collections", "context"))
    collections = collection_tarballs(stage / "collections")
    result |= build_stage(stage, base, collections, env, force)
    collection_only(WORK / "collection-only", stage / "collections")
    result["collection_only"] = build_stage(WORK / "collection-only", base, collections, env, force)
    if stale and (result["built"] or result["collection_only"]["built"]):
        subprocess.run(["docker", "rmi", *stale], env=env, capture_output=True, check=False)
    result["seconds"] = round(time.monotonic() - t0, 1)
    return result


def image_size(tag: str, env: dict[str, str]) -> int:
    out = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Size}}", tag],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return int(out.stdout.strip() or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild the base and the EE whatever their labels say")
    args = parser.parse_args()
    try:
        with docker_engine.engine(clean_found=False) as env:
            result = build(env, force=args.force)
            result["size_mb"] = round(image_size(result["image"], env) / 1e6)
            only = result["collection_only"]
            only["size_mb"] = round(image_size(only["image"], env) / 1e6)
    except (ImageError, docker_engine.EngineError) as error:
        print(f"ee_image: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
