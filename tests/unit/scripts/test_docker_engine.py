"""scripts/docker_engine.py and scripts/librechat_image.py: what they must never do to what is not the project's."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import docker_engine  # noqa: E402
import librechat_image  # noqa: E402


@pytest.fixture
def engine_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(docker_engine, "PIDFILE", tmp_path / "dockerd.pid")
    # stop() unmounts what a dead engine left under DOCKER: never the live engine's mounts in the checkout
    monkeypatch.setattr(docker_engine, "DOCKER", tmp_path)
    monkeypatch.delenv(docker_engine.USER_HOST_VARIABLE, raising=False)
    return tmp_path


def test_a_pidfile_naming_another_live_process_is_not_taken_for_the_engine(engine_dir, monkeypatch):
    # a dockerd that died hard leaves its pidfile; the system may give that PID to anything
    other = subprocess.Popen(["sleep", "30"])
    try:
        docker_engine.PIDFILE.write_text(f"{other.pid}\n")
        assert not docker_engine.ours(other.pid)
        assert docker_engine.running_pid() is None
        unmounted = []
        monkeypatch.setattr(docker_engine, "unmount_under", unmounted.append)
        monkeypatch.setattr(docker_engine, "_ping", lambda: True)
        docker_engine.stop()
        assert other.poll() is None, "stop() signalled a process that is not the engine"
        assert unmounted == [], "stop() unmounted the mounts of an engine that answers"
    finally:
        other.kill()
        other.wait()


def test_a_process_started_with_the_pidfile_is_the_engine(engine_dir):
    # the command line, not the name, says it is ours: the pidfile option dockerd was started with
    fake = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; print('up', flush=True); time.sleep(30)",
            f"--pidfile={docker_engine.PIDFILE}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # its first line says it runs its own command line (not the parent's copy from before exec)
        assert fake.stdout.readline() == "up\n"
        docker_engine.PIDFILE.write_text(f"{fake.pid}\n")
        assert docker_engine.ours(fake.pid)
        assert docker_engine.running_pid() == fake.pid
    finally:
        fake.kill()
        fake.wait()


def test_the_engine_reads_its_own_configuration_and_keeps_its_key_in_the_checkout(engine_dir, monkeypatch):
    monkeypatch.setattr(docker_engine, "DAEMON_CONFIG", engine_dir / "daemon.json")
    command = docker_engine.dockerd_command()
    # never the system's /etc/docker/daemon.json, and dockerd 20.10's identity key not in /etc/docker
    assert f"--config-file={engine_dir / 'daemon.json'}" in command
    assert json.loads((engine_dir / "daemon.json").read_text()) == {"deprecated-key-path": str(engine_dir / "key.json")}
    assert not any(word.startswith("--deprecated-key-path") for word in command)


def test_the_image_never_takes_the_name_of_a_users_own_image(monkeypatch):
    monkeypatch.setenv(docker_engine.USER_HOST_VARIABLE, "unix:///var/run/docker.sock")
    monkeypatch.setattr(librechat_image, "node_binary", lambda: Path(sys.executable))
    monkeypatch.setattr(librechat_image, "shared_libraries", lambda binary: [])
    monkeypatch.setattr(librechat_image, "inputs_digest", lambda node, libraries: "a" * 64)
    # the user's LibreChat image under the first name (no label), nothing under the others
    labels = {librechat_image.TAGS[0]: ""}
    monkeypatch.setattr(librechat_image, "current_digest", lambda tag, env: labels.get(tag))
    imported = []
    monkeypatch.setattr(librechat_image.subprocess, "run", lambda *a, **k: imported.append(a))
    with pytest.raises(librechat_image.ImageError, match="is an image of yours"):
        librechat_image.build({})
    assert imported == []
