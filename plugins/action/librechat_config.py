# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of librechat.bedrock.librechat_config: read both files from the host, merge and check
them here, and write them back (through ansible.builtin.copy: atomic, with backup, owner, group and mode)
only when both pass. The host needs nothing but Python."""

import base64
import os
import shutil
import tempfile

import yaml
from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.librechat.bedrock.plugins.plugin_utils import dotenv_file, librechat_checks, librechat_yaml

ARGUMENT_SPEC = dict(
    config_path=dict(type="path", required=True),
    env_path=dict(type="path", required=True),
    bedrock=dict(type="dict", required=True),
    env=dict(type="dict", default={}, no_log=True),
    env_remove=dict(type="list", elements="str", default=[], no_log=False),
    env_shown=dict(type="list", elements="str", default=[], no_log=False),
    region=dict(type="str"),
    version=dict(type="str", default="1.3.17"),
    mode=dict(type="str", choices=["merge", "template"], default="merge"),
    config_template=dict(type="str", no_log=False),
    env_template=dict(type="str", no_log=True),
    config_file_mode=dict(type="raw", default="0644"),
    env_file_mode=dict(type="raw", default="0600"),
    owner=dict(type="str"),
    group=dict(type="str"),
    backup=dict(type="bool", default=True),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = True
    _requires_connection = True

    argument_spec = ARGUMENT_SPEC

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        validation = ArgumentSpecValidator(self.argument_spec).validate(self._task.args)
        if validation.error_messages:
            raise AnsibleActionFail("Invalid options: " + " | ".join(validation.error_messages))
        args = validation.validated_parameters
        try:
            return self._run(args, task_vars or {}, result)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    # -------------------------------------------------------------------------------------------- plan

    def _run(self, args, task_vars, result):
        config_before = self._read(args["config_path"], task_vars)
        env_before = self._read(args["env_path"], task_vars)
        try:
            config_after, env_after, bedrock = self._merge(args, config_before, env_before)
        except (librechat_yaml.ConfigError, dotenv_file.EnvError) as e:
            raise AnsibleActionFail(f"{e}. Nothing was written.") from None

        env_before_values = dotenv_file.parse(env_before or "")
        env_after_values = dotenv_file.parse(env_after)
        errors, warnings = self._check(args, config_after, env_after_values, bedrock)
        if errors:
            raise AnsibleActionFail(
                f"The merged {args['config_path']} and {args['env_path']} would not work with LibreChat, so neither "
                "was written: " + " | ".join(errors)
            )
        for warning in warnings:
            self._display.warning(warning)

        env_changed_keys = sorted(
            key
            for key in set(env_before_values) | set(env_after_values)
            if env_before_values.get(key) != env_after_values.get(key)
        )
        result.update(
            bedrock=bedrock,
            config_path=args["config_path"],
            env_path=args["env_path"],
            env_changed_keys=env_changed_keys,
            warnings=warnings,
            diff=[
                self._diff(args["config_path"], config_before, config_after),
                {
                    "before_header": args["env_path"],
                    "after_header": args["env_path"] + " (values hidden)",
                    "before": dotenv_file.masked(env_before, args["env_shown"], env_changed_keys),
                    "after": dotenv_file.masked(env_after, args["env_shown"], env_changed_keys),
                },
            ],
        )
        config_result = self._write(args, task_vars, args["config_path"], config_after, args["config_file_mode"])
        env_result = self._write(args, task_vars, args["env_path"], env_after, args["env_file_mode"])
        result["config_changed"] = config_result.get("changed", False)
        result["env_changed"] = env_result.get("changed", False)
        result["changed"] = result["config_changed"] or result["env_changed"]
        result["backup_files"] = [r["backup_file"] for r in (config_result, env_result) if r.get("backup_file")]
        if not self._task.diff:
            result.pop("diff")
        return result

    def _merge(self, args, config_before, env_before):
        env_wanted = {key: "" if value is None else str(value) for key, value in args["env"].items()}
        if args["mode"] == "template":
            config_after = args["config_template"] or ""
            env_after = args["env_template"] or ""
            bedrock = librechat_yaml.current_bedrock(config_after)
            return config_after, env_after, bedrock
        bedrock = dict(librechat_yaml.current_bedrock(config_before or ""))
        bedrock.update(args["bedrock"])
        config_after = librechat_yaml.merge(config_before, bedrock, args["version"])
        endpoints = self._endpoints(env_before)
        env_wanted.update(endpoints)
        env_after = dotenv_file.edit(env_before, env_wanted, args["env_remove"], unrecorded=endpoints)
        return config_after, env_after, bedrock

    @staticmethod
    def _endpoints(env_before):
        """ENDPOINTS, when the file sets it, must list bedrock or LibreChat hides the endpoint."""
        current = dotenv_file.parse(env_before or "").get("ENDPOINTS")
        if current is None:
            return {}
        names = [name.strip() for name in current.split(",") if name.strip()]
        if "bedrock" in names:
            return {}
        return {"ENDPOINTS": ",".join([*names, "bedrock"])}

    @staticmethod
    def _check(args, config_after, env_values, bedrock):
        try:
            data = yaml.safe_load(config_after)
        except yaml.YAMLError as e:
            return [f"the result is not valid YAML ({e})"], []
        errors = librechat_checks.schema_errors(data)
        mapping_errors, warnings = librechat_checks.mapping_errors(bedrock, env_values, args["region"])
        return errors + mapping_errors, warnings

    @staticmethod
    def _diff(path, before, after):
        """The endpoints.bedrock section before and after: the rest of the file (which may hold other
        endpoints' API keys) never reaches the diff."""
        return {
            "before_header": f"{path} (endpoints.bedrock)",
            "after_header": f"{path} (endpoints.bedrock)",
            "before": librechat_yaml.section_text(before),
            "after": librechat_yaml.section_text(after),
        }

    # -------------------------------------------------------------------------------------------- host I/O

    def _read(self, path, task_vars, stats=None):
        """The file's text on the host, or None when it does not exist. `stats` (a dict) gets the file's stat."""
        stat = self._execute_module(
            module_name="ansible.legacy.stat",
            module_args={"path": path, "get_checksum": False},
            task_vars=task_vars,
        )
        if stat.get("failed"):
            raise AnsibleActionFail(f"Could not read {path}: {stat.get('msg')}")
        if stats is not None:
            stats.update(stat["stat"])
        if not stat["stat"]["exists"]:
            return None
        if stat["stat"].get("isdir"):
            raise AnsibleActionFail(f"{path} is a directory: point the path at the file")
        slurped = self._execute_module(
            module_name="ansible.legacy.slurp", module_args={"src": path}, task_vars=task_vars
        )
        if slurped.get("failed"):
            raise AnsibleActionFail(f"Could not read {path}: {slurped.get('msg')}")
        try:
            return base64.b64decode(slurped["content"]).decode("utf-8")
        except UnicodeDecodeError:
            raise AnsibleActionFail(f"{path} is not UTF-8 text: LibreChat could not read it either") from None

    def _write(self, args, task_vars, path, content, file_mode):
        """Write through ansible.builtin.copy (atomic, backup, owner, group, mode); in check mode it reports
        what it would do. Its own diff is off: the masked diffs above are the only ones shown."""
        local = tempfile.mkdtemp(dir=C.DEFAULT_LOCAL_TMP)
        try:
            source = os.path.join(local, os.path.basename(path))
            with open(source, "w", encoding="utf-8", newline="") as handle:
                handle.write(content)
            os.chmod(source, 0o600)
            new_task = self._task.copy()
            new_task.args = {
                "src": source,
                "dest": path,
                "mode": file_mode,
                "backup": args["backup"],
            }
            for key in ("owner", "group"):
                if args[key]:
                    new_task.args[key] = args[key]
            new_task.diff = False
            copy = self._shared_loader_obj.action_loader.get(
                "ansible.legacy.copy",
                task=new_task,
                connection=self._connection,
                play_context=self._play_context,
                loader=self._loader,
                templar=self._templar,
                shared_loader_obj=self._shared_loader_obj,
            )
            written = copy.run(task_vars=task_vars)
        finally:
            shutil.rmtree(local, ignore_errors=True)
        if written.get("failed"):
            raise AnsibleActionFail(f"Could not write {path}: {written.get('msg')}")
        return written
