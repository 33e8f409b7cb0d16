# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of librechat.bedrock.librechat_config: read both files from the host, merge and check
them here, and write them back (through ansible.builtin.copy: atomic, with backup, owner, group and mode)
only when both pass. The host needs nothing but Python."""

import os
import re
import shutil
import tempfile

from ansible import constants as C
from ansible.errors import AnsibleActionFail

from ansible_collections.librechat.bedrock.plugins.plugin_utils import (
    config_schema,
    dotenv_file,
    env_access,
    librechat_action,
    librechat_checks,
    librechat_report,
    librechat_yaml,
)
from ansible_collections.librechat.bedrock.plugins.plugin_utils.librechat_action import LibreChatAction

# What LibreChat cannot start without (its .env.example; api/server/index.js connects to MONGO_URI, the
# CREDS_* pair encrypts stored keys, the JWT_* secrets sign sessions): a template .env must keep them.
REQUIRED_ENV = ("MONGO_URI", "CREDS_KEY", "CREDS_IV", "JWT_SECRET", "JWT_REFRESH_SECRET")
CARRIED = "# carried over from the previous .env by librechat.bedrock: LibreChat does not start without these"

ARGUMENT_SPEC = dict(
    config_path=dict(type="path", required=True),
    env_path=dict(type="path", required=True),
    bedrock=dict(type="dict", required=True),
    env=dict(type="dict", default={}, no_log=True),
    env_remove=dict(type="list", elements="str", default=[], no_log=False),
    env_shown=dict(type="list", elements="str", default=[], no_log=False),
    region=dict(type="str"),
    # empty: the version of the LibreChat release the bundled schema comes from (config_schema.config_version())
    version=dict(type="str"),
    mode=dict(type="str", choices=["merge", "template"], default="merge"),
    config_template=dict(type="str", no_log=False),
    env_template=dict(type="str", no_log=True),
    config_file_mode=dict(type="raw", default="0644"),
    env_file_mode=dict(type="raw", default="0600"),
    owner=dict(type="str"),
    group=dict(type="str"),
    backup=dict(type="bool", default=True),
    # With backup: how many backups of each file to keep (the newest), each 0600; unset keeps them all.
    backups_kept=dict(type="int"),
    # The variables LibreChat's process already has (compose environment:, systemd Environment=): dotenv never
    # overrides them, so the checks judge these values, and a managed key they shadow is reported.
    process_environment=dict(type="dict", default={}, no_log=True),
    # Both files as librechat_deployment_info read them in this run ({path: librechat_files_info entry}): the host
    # is not asked again for them.
    files=dict(type="dict", default={}, no_log=True),
    # The LibreChat version that reads the files (empty: the one the bundled schema comes from): what it would
    # silently ignore is refused.
    librechat_version=dict(type="str"),
    # The user LibreChat reads .env as (the librechat_config role's deployment read): its read access is kept
    # (env_access.access); unset, the plain rule applies.
    env_reader=dict(
        type="dict",
        options=dict(
            uid=dict(type="int", required=True),
            gid=dict(type="int", required=True),
            groups=dict(type="list", elements="int", default=[]),
            name=dict(type="str"),
            source=dict(type="str"),
            writes=dict(type="bool", default=False),
        ),
    ),
    # With .env in the compose service's env_file: the environment Compose gives the process (env_file values as
    # Compose read them). LibreChat holds these for the keys this module does not write.
    env_file_environment=dict(type="dict", default={}, no_log=True),
)


class ActionModule(LibreChatAction):
    TRANSFERS_FILES = True
    argument_spec = ARGUMENT_SPEC

    # -------------------------------------------------------------------------------------------- plan

    def _run(self, args, task_vars, result):
        # 0 would keep every backup in its file's mode, a negative count would slice from the wrong end
        if args.get("backups_kept") is not None and args["backups_kept"] < 1:
            raise AnsibleActionFail(
                f"backups_kept is {args['backups_kept']}: give how many backups of each file to keep (1 or more), "
                "or leave it unset to keep every backup. Nothing was read or written."
            )
        paths = (args["config_path"], args["env_path"])
        files = self._read_files(paths, task_vars, args.get("files"))
        (config_before, config_stat), (env_before, env_stat) = files[paths[0]], files[paths[1]]
        try:
            config_after, env_after, bedrock = self._merge(args, config_before, env_before)
        except (librechat_yaml.ConfigError, dotenv_file.EnvError) as e:
            raise AnsibleActionFail(f"{e}. Nothing was written.") from None

        env_before_values = dotenv_file.parse(env_before or "")
        env_after_values = dotenv_file.parse(env_after)
        process_env = {key: "" if value is None else str(value) for key, value in args["process_environment"].items()}
        compose_env = {
            key: "" if value is None else str(value) for key, value in (args.get("env_file_environment") or {}).items()
        }
        held = self._compose_held(args, compose_env, env_before_values, env_after_values)
        errors, warnings = self._check(
            args,
            config_after,
            {**env_after_values, **held, **process_env},
            bedrock,
            {**env_after_values, **{key: value for key, value in held.items() if key in env_after_values}},
        )
        warnings += self._readings_warning(args, env_before, compose_env, process_env, bedrock)
        shadowed = sorted(
            key
            for key in {*args["env"], *args["env_remove"], "ENDPOINTS"}
            if key in process_env and process_env[key] != env_after_values.get(key)
        )
        if shadowed:
            warnings.append(
                f"{', '.join(shadowed)} set in LibreChat's process environment (compose environment:, systemd "
                f"Environment=) differ from {args['env_path']}, and dotenv never overrides a set variable: LibreChat "
                "uses the process's values. Remove them there, or give them the same value"
            )
        env_file_mode, env_group = self._env_file_mode(args, env_stat, warnings, errors)
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
            shadowed=shadowed,
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
        # What LibreChat does with the files as they were read: librechat_config_info's report, for a caller that
        # would otherwise read them again (the verify role, when this run changed nothing on the host).
        result["current"] = librechat_report.report(
            paths,
            (config_before, env_before),
            (config_stat, env_stat),
            args["region"],
            {**compose_env, **process_env},
            args.get("librechat_version"),
        )
        config_result = self._write(
            args, task_vars, args["config_path"], (config_before, config_stat, config_after), args["config_file_mode"]
        )
        env_result = self._write(
            {**args, "group": env_group or args["group"]},
            task_vars,
            args["env_path"],
            (env_before, env_stat, env_after),
            env_file_mode,
        )
        result["config_changed"] = config_result.get("changed", False)
        result["env_changed"] = env_result.get("changed", False)
        result["changed"] = result["config_changed"] or result["env_changed"]
        result["backup_files"] = [r["backup_file"] for r in (config_result, env_result) if r.get("backup_file")]
        if result["backup_files"] and args.get("backups_kept"):
            result["backups_removed"] = self._prune_backups(args, task_vars)
        if not self._task.diff:
            result.pop("diff")
        return result

    @staticmethod
    def _env_file_mode(args, env_stat, warnings, errors):
        """(mode, group) of .env: env_access.access, the rule that keeps the file readable to the user LibreChat
        reads it as (env_reader) and to nobody else who need not read it. group is None when the file keeps the
        one given (or its own). What would deny that user goes to `errors`, before anything is written."""
        verdict = env_access.access(
            args["env_path"],
            args.get("env_reader"),
            env_stat,
            args["env_file_mode"],
            args["owner"],
            args["group"],
        )
        warnings.extend(verdict["warnings"])
        errors.extend(verdict["errors"])
        return verdict["mode"], verdict["group"]

    @staticmethod
    def _compose_held(args, compose_env, before, after):
        """With .env in env_file, the values LibreChat holds for the keys this module leaves as they are:
        Compose's reading of them, not dotenv's. The keys it writes read alike both ways (dotenv_file.quote),
        and those it removes are gone; a template writes every key of the file."""
        if not compose_env:
            return {}
        written = set(after) if args["mode"] == "template" else set(args["env"])
        if before.get("ENDPOINTS") != after.get("ENDPOINTS"):
            written.add("ENDPOINTS")  # bedrock added to the list
        removed = set(before) - set(after)
        return {key: value for key, value in compose_env.items() if key not in written and key not in removed}

    @staticmethod
    def _readings_warning(args, env_before, compose_env, process_env, bedrock):
        """The Bedrock keys of .env as it is that Compose's env_file and dotenv read differently."""
        profiles = bedrock.get("inferenceProfiles") if isinstance(bedrock.get("inferenceProfiles"), dict) else {}
        extra = {*args["env"], *args["env_remove"]}
        extra.update(name for text in profiles.values() for name in librechat_checks.VARIABLE.findall(str(text)))
        differ = dotenv_file.readings_differ(env_before or "", compose_env, process_env, extra)
        if not differ:
            return []
        message = (
            f"docker compose reads {', '.join(differ)} of {args['env_path']} otherwise than LibreChat's dotenv (it "
            "interpolates $ outside single quotes and reads # as a comment only after a space), and LibreChat gets "
            "Compose's reading through env_file"
        )
        if args["mode"] == "template":
            return [message + ": the template replaces the file; write those values there in single quotes"]
        handled = {*args["env"], *args["env_remove"]}
        fixed = [key for key in differ if key in handled]
        kept = [key for key in differ if key not in handled]
        if fixed:
            message += f"; the role now rewrites (single-quoted) or removes {', '.join(fixed)}, so both read alike"
        if kept:
            message += f"; the role leaves {', '.join(kept)} as written: put those values in single quotes"
        return [message]

    def _merge(self, args, config_before, env_before):
        env_wanted = {key: "" if value is None else str(value) for key, value in args["env"].items()}
        if args["mode"] == "template":
            config_after = args["config_template"] or ""
            env_after = self._template_env(args, env_before)
            bedrock = librechat_yaml.current_bedrock(config_after)
            return config_after, env_after, bedrock
        # Only the keys the collection sets are written; the section's other keys keep their text.
        config_after = librechat_yaml.merge(config_before, args["bedrock"], args["version"])
        bedrock = librechat_yaml.current_bedrock(config_after)
        endpoints = self._endpoints(env_before)
        env_wanted.update(endpoints)
        env_after = dotenv_file.edit(env_before, env_wanted, args["env_remove"], unrecorded=endpoints)
        return config_after, env_after, bedrock

    @staticmethod
    def _template_env(args, env_before):
        """The template's .env, with LibreChat's required keys carried over from the file it replaces when the
        template lacks them (LibreChat does not start without them)."""
        text = args["env_template"] or ""
        wanted = dotenv_file.parse(text)
        missing = [key for key in REQUIRED_ENV if not wanted.get(key)]
        if not missing:
            return text
        before = dotenv_file.parse(env_before or "")
        if env_before is None:
            raise dotenv_file.EnvError(
                f"librechat_config_env_template does not set {', '.join(missing)}, and there is no {args['env_path']} "
                "to carry them over from: LibreChat does not start without them; add them to the template (from "
                "LibreChat's .env.example, with secrets of your own)"
            )
        carried = {key: before[key] for key in missing if before.get(key)}
        if not carried:
            return text
        newline = "\r\n" if "\r\n" in text else "\n"
        if text and not text.endswith("\n"):
            text += newline
        lines = [CARRIED] + [f"{key}={dotenv_file.quote(key, value)}" for key, value in carried.items()]
        return text + newline.join(lines) + newline

    @staticmethod
    def _endpoints(env_before):
        """ENDPOINTS, when the file sets it to a list, must list bedrock or LibreChat hides the endpoint. Empty
        or unset means every endpoint (LibreChat applies ENDPOINTS only when it is non-empty): left alone."""
        current = dotenv_file.parse(env_before or "").get("ENDPOINTS")
        if current is None or not current.strip():
            return {}
        names = [name.strip() for name in current.split(",") if name.strip()]
        if "bedrock" in names:
            return {}
        return {"ENDPOINTS": ",".join([*names, "bedrock"])}

    @staticmethod
    def _check(args, config_after, env_values, bedrock, file_env=None):
        """Everything LibreChat would refuse or misread in the result: (errors, warnings)."""
        try:
            version = librechat_checks.parse_version(args.get("librechat_version"))
        except ValueError as e:
            return [str(e)], []
        verdict = config_schema.judge(config_after, args["config_path"])
        if args["mode"] == "template":
            managed, kept = set(bedrock), ()
        else:
            managed = set(args["bedrock"])
            ours = args["bedrock"].get("inferenceProfiles") or {}
            kept = [model for model in bedrock.get("inferenceProfiles") or {} if model not in ours]
        errors = list(verdict.errors)
        for index, (path, _message) in enumerate(verdict.problems):
            # a key the role writes: the fix is in its input, not in the file
            if path[:2] == ("endpoints", "bedrock") and len(path) > 2 and path[2] in managed:
                errors[index] += (
                    f" (the role writes {path[2]} from librechat_config_bedrock_settings or librechat_bedrock_models:"
                    f" fix {path[2]} there)"
                )
        mapping_errors, warnings = librechat_checks.mapping_errors(
            bedrock, env_values, args["region"], kept=kept, version=version
        )
        errors += mapping_errors
        if kept:
            warnings.append(
                f"endpoints.bedrock.inferenceProfiles keeps {', '.join(kept)}, which librechat_bedrock_models does "
                "not map: written by you, so kept as they are (remove them yourself if they are stale)"
            )
        literal_errors, literal_warnings = librechat_checks.literal_variables(bedrock, managed, version)
        errors += literal_errors
        warnings += literal_warnings
        written = {key: value for key, value in bedrock.items() if key in managed}
        errors += librechat_checks.version_errors(version, written, {k: v for k, v in args["env"].items() if v})
        credential_errors, credential_warnings = librechat_checks.credential_problems(env_values, file_env)
        errors += credential_errors
        warnings += credential_warnings
        warnings += librechat_checks.env_models_warning(written, env_values)
        return errors, warnings

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

    @staticmethod
    def _same(args, before, stat, after, file_mode):
        """Whether ansible.builtin.copy would leave the file as it is (True), would certainly rewrite it (False:
        the content differs), or only it can tell (None: a new file, a link, a mode that is not octal, an owner
        or group to compare). What was read answers the first two without another module run on the host."""
        if before is None or stat.get("islnk") or not stat.get("isreg"):
            return None
        if before != after:
            return False
        wanted = file_mode if isinstance(file_mode, int) else str(file_mode or "")
        if isinstance(wanted, str):
            try:
                wanted = int(wanted, 8) if wanted.isdigit() else None
            except ValueError:  # 0689: copy itself says what is wrong with it
                wanted = None
            if wanted is None:
                return None
        if wanted != int(stat["mode"], 8):
            return None
        for key, name, number in (("owner", "pw_name", "uid"), ("group", "gr_name", "gid")):
            if args[key] and args[key] not in (stat.get(name), str(stat.get(number))):
                return None
        return True

    def _prune_backups(self, args, task_vars):
        """Keep the newest `backups_kept` backups of each file, each 0600 (a backup of .env holds the secrets it
        had); remove the rest. ansible.builtin.copy names a backup <file>.<pid>.<YYYY-MM-DD@HH:MM:SS>~ and gives
        it the file's mode. Returns the paths removed."""
        removed = []
        for path in (args["config_path"], args["env_path"]):
            pattern = rf"^{re.escape(os.path.basename(path))}\.\d+\.\d{{4}}-\d\d-\d\d@\d\d:\d\d:\d\d~$"
            found = self._module(
                "ansible.builtin.find",
                task_vars,
                {"paths": [os.path.dirname(path)], "patterns": [pattern], "use_regex": True, "hidden": True},
            )
            split = librechat_action.backups_split(found.get("files"), args["backups_kept"])
            for drop in split["drop"]:
                self._module("ansible.builtin.file", task_vars, {"path": drop, "state": "absent"})
                removed.append(drop)
            for keep in split["keep"]:
                self._module("ansible.builtin.file", task_vars, {"path": keep, "mode": "0600"})
        return removed

    def _module(self, name, task_vars, module_args):
        done = self._execute_module(module_name=name, module_args=module_args, task_vars=task_vars)
        if done.get("failed"):
            where = module_args.get("path") or module_args.get("paths")
            raise AnsibleActionFail(f"{name} failed on {where}: {done.get('msg')}")
        return done

    def _write(self, args, task_vars, path, contents, file_mode):
        """Write through ansible.builtin.copy (atomic, backup, owner, group, mode); in check mode it reports
        what it would do. Its own diff is off: the masked diffs above are the only ones shown. Where what was
        read already says (`_same`), copy is not asked: in check mode its answer is known, and a file that
        stays as it is is not written. `args` carries the owner and group of this file."""
        before, stat, content = contents
        same = self._same(args, before, stat, content, file_mode)
        if same or (same is False and self._task.check_mode):
            return {"changed": not same}
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
