"""The toolchain scripts: the version matrix's cells, the tools' environment kept inside the checkout, the one-line
notices for missing prerequisites, galaxy-importer's allowlist, and scripts/find-python.sh's version argument."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import devtools  # noqa: E402
import test as stages  # noqa: E402


def test_the_matrix_ends_are_the_declared_range():
    """The oldest cell is what meta/runtime.yml, the roles and galaxy.yml declare as their lower ends."""
    runtime = (ROOT / "meta" / "runtime.yml").read_text()
    assert f'requires_ansible: ">={devtools.OLDEST.ansible_core.rsplit(".", 1)[0]}.0"' in runtime
    for meta in (ROOT / "roles").glob("*/meta/main.yml"):
        assert f'min_ansible_version: "{devtools.OLDEST.ansible_core.rsplit(".", 1)[0]}"' in meta.read_text(), meta
    floor = f'">={devtools.OLDEST.amazon_aws},'
    assert f"amazon.aws: {floor}" in (ROOT / "galaxy.yml").read_text()
    assert f"version: {floor}" in (ROOT / "requirements.yml").read_text()
    assert f"ansible-core=={devtools.OLDEST.ansible_core}\n" in (ROOT / devtools.OLDEST.requirements).read_text()
    assert f"ansible-core=={devtools.NEWEST.ansible_core}\n" in (ROOT / "requirements-dev.txt").read_text()
    assert f"ansible-core=={devtools.OLDEST.ansible_core}\n" in (ROOT / devtools.OLDEST.constraints).read_text()
    # and the newest cell's amazon.aws is inside the range galaxy.yml declares
    ceiling = (ROOT / "galaxy.yml").read_text().split(f"amazon.aws: {floor}<", 1)[1].split('"', 1)[0]
    newest = tuple(int(part) for part in devtools.NEWEST.amazon_aws.split("."))
    assert newest < tuple(int(part) for part in ceiling.split(".")), ceiling


def test_cells_live_under_cache_and_the_newest_is_the_main_toolchain():
    assert devtools.NEWEST.bin == devtools.VENV_BIN
    assert devtools.NEWEST.collections == devtools.COLLECTIONS
    assert devtools.OLDEST.bin == ROOT / ".cache" / "matrix" / "oldest" / "venv" / "bin"
    assert devtools.OLDEST.collections.is_relative_to(devtools.CACHE)
    # make test runs every cell once: the newest through the main stages, the others through `matrix`
    assert devtools.NEWEST not in stages.stage_matrix.__defaults__[0]
    assert set(stages.stage_matrix.__defaults__[0]) | {devtools.NEWEST} == set(devtools.MATRIX)


def test_tools_keep_their_state_in_the_checkout(monkeypatch, tmp_path):
    (tmp_path / ".config" / "pip").mkdir(parents=True)
    (tmp_path / ".config" / "pip" / "pip.conf").write_text("[global]\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("PIP_CONFIG_FILE", raising=False)
    env = devtools.base_env(devtools.OLDEST)
    assert env["ANSIBLE_HOME"] == str(ROOT / ".cache" / "ansible")
    assert env["HOME"] == str(ROOT / ".cache" / "home")
    # nothing points back into the user's home but pip's own settings, which still apply
    assert "XDG_CACHE_HOME" not in env and "XDG_CONFIG_HOME" not in env
    assert env["PIP_CONFIG_FILE"] == str(tmp_path / ".config" / "pip" / "pip.conf")
    assert env["PATH"].startswith(f"{devtools.OLDEST.bin}{os.pathsep}")
    assert env["ANSIBLE_COLLECTIONS_PATH"] == str(devtools.OLDEST.collections)


def test_a_local_connection_makes_its_remote_tmp_under_the_tools_home(tmp_path):
    """ansible-core expands the default remote_tmp (~/.ansible/tmp) on a local connection from the password
    database, not HOME; base_env()'s ANSIBLE_REMOTE_TMP is expanded by the shell, so it follows HOME."""
    env = devtools.base_env() | {"HOME": str(tmp_path / "home"), "ANSIBLE_KEEP_REMOTE_FILES": "1"}
    command = [
        "ansible", "localhost", "-c", "local", "-m", "ansible.builtin.ping",
        "-e", f"ansible_python_interpreter={sys.executable}",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert list((tmp_path / "home" / ".ansible" / "tmp").glob("ansible-tmp-*/AnsiballZ_ping.py"))
    # expanded by the shell, never taken literally
    assert not (tmp_path / "$HOME").exists()


def test_integration_targets_get_the_remote_tmp_as_a_variable(tmp_path):
    """ansible-test passes few environment variables on: the integration config carries the remote_tmp."""
    (tmp_path / "tests" / "integration").mkdir(parents=True)
    stages.write_integration_config(tmp_path, {"aws_region": "us-east-1"})
    written = (tmp_path / "tests" / "integration" / "integration_config.yml").read_text()
    assert "aws_region: us-east-1\n" in written
    assert "ansible_remote_tmp: $HOME/.ansible/tmp\n" in written


def test_a_missing_prerequisite_skips_with_one_line_and_fails_on_ci(monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    assert stages.prerequisite_missing(None) is False
    assert stages.prerequisite_missing("Node.js is missing: install it") is True
    assert capsys.readouterr().out == "  SKIP Node.js is missing: install it\n"
    monkeypatch.setenv("CI", "true")
    with pytest.raises(stages.StageFailed, match=r"Node\.js is missing: install it"):
        stages.prerequisite_missing("Node.js is missing: install it")


def test_nspawn_needs_root(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "needs root" in devtools.nspawn_missing()
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(devtools.shutil, "which", lambda tool: None if tool == "debootstrap" else "/usr/bin/" + tool)
    assert devtools.nspawn_missing().endswith(
        "needs debootstrap: apt-get install debootstrap (make setup does, as root)"
    )


@pytest.mark.parametrize(
    ("line", "ours"),
    [
        (
            "WARNING: plugins/filter/env_quote.yml:8:8: E999 SyntaxError: unterminated string literal (detected at",
            False,
        ),
        ("WARNING: plugins/modules/inference_profile.py:369:9: W503 line break before binary operator", False),
        ("WARNING: plugins/module_utils/usage.py:186:22: E203 whitespace before ':'", False),
        # the same checks elsewhere, and every other finding, are ours
        ("WARNING: plugins/filter/compose.py:8:8: E999 SyntaxError: invalid syntax", True),
        ("WARNING: plugins/modules/inference_profile.py:12:1: F401 'os' imported but unused", True),
        ("WARNING: No changelog found. Add a CHANGELOG.rst or CHANGELOG.md file in the collection root", True),
        ("ERROR: The import failed for the following reason: No role readme found.", True),
    ],
)
def test_galaxy_importer_allowlist_takes_only_what_is_not_ours(line, ours):
    assert (not any(known.match(line) for known in stages.GALAXY_IMPORTER_NOT_OURS)) is ours


def find_python(*args):
    return subprocess.run(
        [str(ROOT / "scripts" / "find-python.sh"), *args], capture_output=True, text=True, check=False
    )


def test_find_python_finds_the_version_asked_for():
    wanted = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = find_python(wanted)
    assert found.returncode == 0, found.stderr
    version = subprocess.run(
        [found.stdout.strip(), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == wanted


def test_find_python_says_in_one_line_what_to_install():
    found = find_python("3.1")
    assert found.returncode == 1
    assert found.stderr.strip().splitlines() == [
        "find-python: no Python 3.1 with venv and ensurepip found: install it ('pyenv install 3.1' or the"
        " distribution's python3.1-venv)."
    ]
