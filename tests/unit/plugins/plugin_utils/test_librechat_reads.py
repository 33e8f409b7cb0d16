"""How the LibreChat action plugins read the host: both files in one run of librechat_files_info, and what was
read deciding, without ansible.builtin.copy, whether a file stays as it is."""

from __future__ import annotations

import os
import types

import pytest

from ansible_collections.librechat.bedrock.plugins.action.librechat_config import ActionModule as ConfigAction
from ansible_collections.librechat.bedrock.plugins.action.librechat_config_info import ActionModule as InfoAction
from ansible_collections.librechat.bedrock.plugins.modules import librechat_files_info

ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456"
BEDROCK = {"models": ["m"], "inferenceProfiles": {"m": "${M_ARN}"}}
ENV = {"M_ARN": ARN, "BEDROCK_AWS_DEFAULT_REGION": "us-east-1"}


class Host:
    """_execute_module as the action sees it, running librechat_files_info's own code on local files; anything
    else (copy's stat and file) is recorded and refused, so a test sees every module run it caused."""

    def __init__(self):
        self.runs = []

    def __call__(self, module_name, module_args, task_vars):
        self.runs.append(module_name)
        if module_name != "librechat.bedrock.librechat_files_info":
            raise AssertionError(f"unexpected module run: {module_name}")
        return {"files": [librechat_files_info.describe(path, module_args["content"]) for path in module_args["paths"]]}


def _action(cls, host, check_mode):
    action = object.__new__(cls)
    action._execute_module = host
    action._task = types.SimpleNamespace(check_mode=check_mode, diff=False)
    action._display = types.SimpleNamespace(warning=lambda msg: None)
    return action


def _config_args(tmp_path, **changes):
    args = {
        "config_path": str(tmp_path / "librechat.yaml"),
        "env_path": str(tmp_path / ".env"),
        "bedrock": BEDROCK,
        "env": ENV,
        "env_remove": [],
        "env_shown": [],
        "region": "us-east-1",
        "version": "1.3.17",
        "mode": "merge",
        "config_template": None,
        "env_template": None,
        "config_file_mode": "0644",
        "env_file_mode": "0600",
        "owner": None,
        "group": None,
        "backup": True,
        "process_environment": {},
        "librechat_version": None,
    }
    args.update(changes)
    return args


def _converge(tmp_path):
    """Both files as the module writes them for BEDROCK and ENV, with their modes."""
    action = object.__new__(ConfigAction)
    args = _config_args(tmp_path)
    config, env, _bedrock = action._merge(args, None, None)
    (tmp_path / "librechat.yaml").write_text(config)
    (tmp_path / ".env").write_text(env)
    os.chmod(tmp_path / "librechat.yaml", 0o644)
    os.chmod(tmp_path / ".env", 0o600)
    return config, env


# -------------------------------------------------------------------------------------------- the module


def test_the_module_says_what_stat_says_and_returns_the_content(tmp_path):
    (tmp_path / "f").write_text("A=1\n")
    os.chmod(tmp_path / "f", 0o640)
    (tmp_path / "link").symlink_to(tmp_path / "f")
    (tmp_path / "broken").symlink_to(tmp_path / "nowhere")
    entries = {
        name: librechat_files_info.describe(str(tmp_path / name), True)
        for name in ("f", "link", "broken", "missing", ".")
    }
    assert entries["f"]["exists"] and entries["f"]["isreg"] and not entries["f"]["islnk"]
    assert entries["f"]["mode"] == "0640"
    assert entries["f"]["content"] == "QT0xCg=="  # base64 of A=1\n, as slurp gives it
    assert entries["f"]["pw_name"] and entries["f"]["size"] == 4
    assert entries["link"]["islnk"] and entries["link"]["isreg"] and entries["link"]["content"] == "QT0xCg=="
    assert entries["broken"] == {
        "path": str(tmp_path / "broken"),
        "exists": False,
        "isreg": False,
        "isdir": False,
        "islnk": True,
    }
    assert entries["missing"]["exists"] is False and "content" not in entries["missing"]
    assert entries["."]["isdir"] and "content" not in entries["."]
    assert "content" not in librechat_files_info.describe(str(tmp_path / "f"), False)


# -------------------------------------------------------------------------------------------- one run


def test_a_check_pass_on_converged_files_is_one_module_run(tmp_path):
    _converge(tmp_path)
    host = Host()
    result = _action(ConfigAction, host, check_mode=True)._run(_config_args(tmp_path), {}, {})
    assert host.runs == ["librechat.bedrock.librechat_files_info"]
    assert (result["changed"], result["config_changed"], result["env_changed"]) == (False, False, False)
    # the reading is handed over as librechat_config_info would report it
    info = _action(InfoAction, Host(), check_mode=True)._run(
        {
            "config_path": str(tmp_path / "librechat.yaml"),
            "env_path": str(tmp_path / ".env"),
            "region": "us-east-1",
            "process_environment": {},
            "librechat_version": None,
        },
        {},
        {"changed": False},
    )
    assert result["current"] == {key: value for key, value in info.items() if key != "changed"}
    assert result["current"]["profile_arns"] == {"m": ARN} and not result["current"]["errors"]


def test_a_write_pass_does_not_rewrite_the_file_that_stays(tmp_path):
    _converge(tmp_path)
    host = Host()
    action = _action(ConfigAction, host, check_mode=False)
    written = []

    class Copy:
        def __init__(self, task):
            self.task = task

        def run(self, task_vars):
            written.append(self.task.args["dest"])
            return {"changed": True}

    action._task.copy = lambda: types.SimpleNamespace(args={}, diff=False)
    action._shared_loader_obj = types.SimpleNamespace(
        action_loader=types.SimpleNamespace(get=lambda name, task, **_kw: Copy(task))
    )
    action._connection = action._play_context = action._loader = action._templar = None
    result = action._run(_config_args(tmp_path, env={**ENV, "EXTRA": "1"}), {}, {})
    # only .env differs: it goes through copy; librechat.yaml is neither asked about nor written
    assert written == [str(tmp_path / ".env")]
    assert host.runs == ["librechat.bedrock.librechat_files_info"]
    assert (result["config_changed"], result["env_changed"]) == (False, True)


def test_changed_content_is_predicted_without_copy_in_check_mode(tmp_path):
    _converge(tmp_path)
    host = Host()
    result = _action(ConfigAction, host, check_mode=True)._run(
        _config_args(tmp_path, env={**ENV, "EXTRA": "1"}), {}, {}
    )
    assert host.runs == ["librechat.bedrock.librechat_files_info"]
    assert (result["config_changed"], result["env_changed"]) == (False, True)
    assert result["env_changed_keys"] == ["EXTRA"]


# -------------------------------------------------------------------------------------------- _same


def _stat(**changes):
    stat = {
        "exists": True,
        "isreg": True,
        "islnk": False,
        "mode": "0600",
        "uid": 1000,
        "gid": 1000,
        "pw_name": "node",
        "gr_name": "node",
    }
    stat.update(changes)
    return stat


@pytest.mark.parametrize(
    ("before", "stat", "after", "mode", "owner", "group", "same"),
    [
        ("a", _stat(), "a", "0600", None, None, True),
        ("a", _stat(), "a", "600", None, None, True),
        ("a", _stat(), "a", 0o600, None, None, True),  # YAML 1.1 reads 0600 as an integer
        ("a", _stat(), "b", "0600", None, None, False),  # content: certainly rewritten
        ("a", _stat(), "a", "0640", None, None, None),  # mode: copy decides (and sets it)
        ("a", _stat(), "a", "u=rw,g=,o=", None, None, None),  # symbolic: only copy can tell
        ("a", _stat(), "a", "0689", None, None, None),  # not octal: copy says so
        ("a", _stat(), "a", "0600", "node", "node", True),
        ("a", _stat(), "a", "0600", "1000", "1000", True),
        ("a", _stat(), "a", "0600", "root", None, None),
        ("a", _stat(), "a", "0600", None, "wheel", None),
        ("a", _stat(islnk=True), "a", "0600", None, None, None),  # copy would replace the link
        (None, {"exists": False}, "a", "0600", None, None, None),  # a new file: copy checks its directory
    ],
)
def test_what_was_read_decides_only_what_it_can(before, stat, after, mode, owner, group, same):
    assert ConfigAction._same({"owner": owner, "group": group}, before, stat, after, mode) is same
