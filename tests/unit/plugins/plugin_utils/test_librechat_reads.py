"""How the LibreChat action plugins read the host: both files in one run of librechat_files_info, and what was
read deciding, without ansible.builtin.copy, whether a file stays as it is."""

from __future__ import annotations

import os
import types

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.librechat.bedrock.plugins.action.librechat_config import ActionModule as ConfigAction
from ansible_collections.librechat.bedrock.plugins.action.librechat_config_info import ActionModule as InfoAction
from ansible_collections.librechat.bedrock.plugins.modules import librechat_files_info
from ansible_collections.librechat.bedrock.plugins.plugin_utils import dotenv_file

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
        "env_reader": None,
        "env_file_environment": {},
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


def test_a_check_pass_given_both_files_as_the_deployment_read_them_runs_no_module(tmp_path):
    _converge(tmp_path)
    paths = [str(tmp_path / "librechat.yaml"), str(tmp_path / ".env")]
    files = {path: librechat_files_info.describe(path, True) for path in paths}
    host = Host()
    result = _action(ConfigAction, host, check_mode=True)._run(_config_args(tmp_path, files=files), {}, {})
    assert host.runs == []
    assert (result["changed"], result["config_changed"], result["env_changed"]) == (False, False, False)
    # one of them missing: both are read on the host, as without it
    host = Host()
    _action(ConfigAction, host, check_mode=True)._run(_config_args(tmp_path, files={paths[1]: files[paths[1]]}), {}, {})
    assert host.runs == ["librechat.bedrock.librechat_files_info"]


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


# -------------------------------------------------------------------------------------------- who reads .env

NODE = {
    "uid": 1000,
    "gid": 1000,
    "groups": [1000],
    "name": "1000:1000",
    "source": "the running container's process",
    "writes": False,
}


def _copying(action):
    """The action with copy replaced by a recorder of the arguments it is given."""
    copies = []

    class Copy:
        def __init__(self, task):
            self.task = task

        def run(self, task_vars):
            copies.append(dict(self.task.args))
            return {"changed": True}

    action._task.copy = lambda: types.SimpleNamespace(args={}, diff=False)
    action._shared_loader_obj = types.SimpleNamespace(
        action_loader=types.SimpleNamespace(get=lambda name, task, **_kw: Copy(task))
    )
    action._connection = action._play_context = action._loader = action._templar = None
    return copies


def test_the_check_pass_refuses_to_take_the_readers_access_away(tmp_path):
    """LibreChat's local layout: .env root:root 0644, read by the container's user 1000 only through the world
    bits. The check pass fails before anything is written (no copy is even asked), naming the fix."""
    _converge(tmp_path)
    os.chmod(tmp_path / ".env", 0o644)
    host = Host()
    action = _action(ConfigAction, host, check_mode=True)
    copies = _copying(action)
    args = _config_args(tmp_path, env_file_mode="", env_reader=NODE, env={**ENV, "EXTRA": "1"})
    stat = librechat_files_info.describe(str(tmp_path / ".env"), False)
    with pytest.raises(AnsibleActionFail) as raised:
        action._run(args, {}, {})
    message = str(raised.value)
    assert "neither was written" in message
    assert f"LibreChat reads {tmp_path}/.env as 1000:1000, the running container's process" in message
    assert (
        f"is {stat['pw_name']}:{stat['gr_name']} 0644: it reads the file today only through the world bits" in message
    )
    assert f"`chgrp 1000 {tmp_path}/.env && chmod 0640 {tmp_path}/.env`" in message
    assert "librechat_config_group: 1000" in message and "librechat_config_env_reader" in message
    assert host.runs == ["librechat.bedrock.librechat_files_info"] and copies == []


def test_a_new_env_is_created_with_the_readers_group(tmp_path):
    _converge(tmp_path)
    (tmp_path / ".env").unlink()
    action = _action(ConfigAction, Host(), check_mode=False)
    copies = _copying(action)
    result = action._run(_config_args(tmp_path, env_file_mode="", env_reader=NODE), {}, {})
    assert result["env_changed"]
    assert [(c["dest"], c["mode"], c.get("group")) for c in copies] == [(str(tmp_path / ".env"), "0640", "1000")]


def test_the_readers_group_gets_read_access_and_librechat_yaml_keeps_its_group(tmp_path):
    _converge(tmp_path)
    os.chmod(tmp_path / ".env", 0o600)
    gid = os.stat(tmp_path / ".env").st_gid
    action = _action(ConfigAction, Host(), check_mode=False)
    copies = _copying(action)
    reader = NODE | {"uid": 4242, "gid": gid, "groups": [gid]}
    action._run(_config_args(tmp_path, env_file_mode="", env_reader=reader), {}, {})
    assert [(c["dest"], c["mode"], c.get("group")) for c in copies] == [(str(tmp_path / ".env"), "0640", None)]


def test_without_a_reader_only_the_world_bits_go(tmp_path):
    _converge(tmp_path)
    os.chmod(tmp_path / ".env", 0o644)
    action = _action(ConfigAction, Host(), check_mode=False)
    copies = _copying(action)
    action._run(_config_args(tmp_path, env_file_mode=""), {}, {})
    assert [(c["dest"], c["mode"]) for c in copies] == [(str(tmp_path / ".env"), "0640")]


# -------------------------------------------------------------------------------------------- Compose's reading


def test_with_env_file_the_checks_judge_composes_reading(tmp_path):
    """A key the role does not write, `BEDROCK_AWS_SECRET_ACCESS_KEY=$ecret`: dotenv reads `$ecret`, Compose
    interpolates the unset `$ecret` to nothing, and LibreChat (through env_file) holds Compose's reading: one
    key of the static pair alone, every request fails."""
    _config, env = _converge(tmp_path)
    text = env + "BEDROCK_AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nBEDROCK_AWS_SECRET_ACCESS_KEY=$ecret\n"
    (tmp_path / ".env").write_text(text)
    compose = {**dotenv_file.parse(text), "BEDROCK_AWS_SECRET_ACCESS_KEY": "", "HOST": "0.0.0.0"}
    # as dotenv alone reads it, the pair is complete
    assert _action(ConfigAction, Host(), check_mode=True)._run(_config_args(tmp_path), {}, {})["changed"] is False
    warnings = []
    action = _action(ConfigAction, Host(), check_mode=True)
    action._display = types.SimpleNamespace(warning=warnings.append)
    with pytest.raises(AnsibleActionFail, match="only BEDROCK_AWS_ACCESS_KEY_ID of the static pair is set"):
        action._run(_config_args(tmp_path, env_file_environment=compose), {}, {})


def test_keys_the_role_writes_are_judged_as_written(tmp_path):
    """Compose's reading of the file before the write says nothing of the keys the role rewrites (single-quoted
    where needed, so both read them alike)."""
    _converge(tmp_path)
    stale = {"M_ARN": "", "BEDROCK_AWS_DEFAULT_REGION": ""}
    result = _action(ConfigAction, Host(), check_mode=True)._run(
        _config_args(tmp_path, env_file_environment=stale), {}, {}
    )
    assert result["changed"] is False and result["warnings"] == [
        f"docker compose reads BEDROCK_AWS_DEFAULT_REGION, M_ARN of {tmp_path}/.env otherwise than LibreChat's "
        "dotenv (it interpolates $ outside single quotes and reads # as a comment only after a space), and "
        "LibreChat gets Compose's reading through env_file; the role now rewrites (single-quoted) or removes "
        "BEDROCK_AWS_DEFAULT_REGION, M_ARN, so both read alike"
    ]
    # what librechat_config_info would report of the files as they are: Compose's reading
    assert result["current"]["region"] == ""


def test_a_key_read_otherwise_by_compose_is_named_never_its_value(tmp_path):
    _config, env = _converge(tmp_path)
    (tmp_path / ".env").write_text(env + "BEDROCK_AWS_MODELS=a#b\n")
    compose = {**dotenv_file.parse(env), "BEDROCK_AWS_MODELS": "a#b"}
    result = _action(ConfigAction, Host(), check_mode=True)._run(
        _config_args(tmp_path, env_file_environment=compose), {}, {}
    )
    [warning] = [w for w in result["warnings"] if "docker compose reads" in w]
    assert "BEDROCK_AWS_MODELS" in warning and "a#b" not in warning
    assert warning.endswith("the role leaves BEDROCK_AWS_MODELS as written: put those values in single quotes")


def test_only_the_newest_backups_of_each_file_are_kept_each_0600(tmp_path):
    runs = []

    def host(module_name, module_args, task_vars):
        runs.append((module_name, module_args))
        if module_name == "ansible.builtin.find":
            name = module_args["patterns"][0]
            stem = ".env" if name.startswith(r"^\.env") else "librechat.yaml"
            return {"files": [{"path": f"{tmp_path}/{stem}.{n}.2026-12-0{n}@10:00:00~", "mtime": n} for n in (1, 3, 2)]}
        return {"changed": True}

    action = _action(ConfigAction, host, check_mode=False)
    removed = action._prune_backups(_config_args(tmp_path) | {"backups_kept": 2}, {})
    assert removed == [f"{tmp_path}/librechat.yaml.1.2026-12-01@10:00:00~", f"{tmp_path}/.env.1.2026-12-01@10:00:00~"]
    finds = [args for name, args in runs if name == "ansible.builtin.find"]
    assert finds[1]["patterns"] == [r"^\.env\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$"] and finds[1]["hidden"]
    modes = [args["path"] for name, args in runs if name == "ansible.builtin.file" and args.get("mode") == "0600"]
    assert modes[:2] == [
        f"{tmp_path}/librechat.yaml.3.2026-12-03@10:00:00~",
        f"{tmp_path}/librechat.yaml.2.2026-12-02@10:00:00~",
    ]


@pytest.mark.parametrize("kept", [0, -1])
def test_a_backup_count_below_one_is_refused_before_anything_is_read(tmp_path, kept):
    host = Host()
    action = _action(ConfigAction, host, check_mode=False)
    with pytest.raises(AnsibleActionFail) as raised:
        action._run(_config_args(tmp_path) | {"backup": True, "backups_kept": kept}, {}, {})
    assert f"backups_kept is {kept}: give how many backups of each file to keep (1 or more)" in str(raised.value)
    assert host.runs == []
