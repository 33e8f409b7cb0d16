# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base of the collection's LibreChat action plugins (librechat_config, librechat_config_info,
librechat_deployment_info): the options checked against the plugin's `argument_spec` (validated_args, which
verify_report uses too), and librechat.yaml and .env read from the host in one run of
librechat.bedrock.librechat_files_info, so the host needs only Python."""

import base64

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase


def validated_args(argument_spec, args):
    """A task's options checked against an action plugin's `argument_spec`, with its defaults; every problem fails
    the task in one message."""
    validation = ArgumentSpecValidator(argument_spec).validate(args)
    if validation.error_messages:
        raise AnsibleActionFail("Invalid options: " + " | ".join(validation.error_messages))
    return validation.validated_parameters


class LibreChatAction(ActionBase):
    """Subclasses set `argument_spec` and implement `_run(args, task_vars, result)`."""

    _requires_connection = True
    argument_spec = {}

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = validated_args(self.argument_spec, self._task.args)
        try:
            return self._run(args, task_vars or {}, result)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _run(self, args, task_vars, result):
        raise NotImplementedError

    def _read_files(self, paths, task_vars, known=None):
        """{path: (text, stat)} for each of `paths`, read on the host in one run of
        librechat.bedrock.librechat_files_info: text is None when the file does not exist; stat is what the
        module says of the path (exists, isreg, islnk, mode, pw_name, gr_name, mtime, ...). `known`: entries of
        that module already read in this run ({path: entry}, librechat_deployment_info's): when they hold every
        path, the host is not asked again."""
        known = known or {}
        if all(path in known for path in paths):
            read = {"files": [known[path] for path in paths]}
        else:
            read = self._execute_module(
                module_name="librechat.bedrock.librechat_files_info",
                module_args={"paths": list(paths), "content": True},
                task_vars=task_vars,
            )
        if read.get("failed"):
            raise AnsibleActionFail(f"Could not read {', '.join(paths)}: {read.get('msg')}")
        files = {}
        # by position: the module returns the paths in the order given (expanded, as type path does)
        for path, entry in zip(paths, read["files"]):
            if entry.get("error"):
                raise AnsibleActionFail(f"Could not read {path}: {entry['error']}")
            if not entry["exists"]:
                files[path] = (None, entry)
                continue
            if entry["isdir"]:
                raise AnsibleActionFail(f"{path} is a directory: point the path at the file")
            if not entry["isreg"]:
                raise AnsibleActionFail(f"{path} is not a regular file: point the path at the file")
            try:
                files[path] = (base64.b64decode(entry["content"]).decode("utf-8"), entry)
            except UnicodeDecodeError:
                raise AnsibleActionFail(f"{path} is not UTF-8 text: LibreChat could not read it either") from None
        return files


def backups_split(found, keep):
    """`ansible.builtin.find` results of one file's backups: {keep: [paths], drop: [paths]}, newest kept (by mtime,
    then by name, which carries the time)."""
    files = sorted(found or [], key=lambda f: (f.get("mtime") or 0, f.get("path")), reverse=True)
    paths = [f["path"] for f in files]
    return {"keep": paths[: int(keep)], "drop": paths[int(keep) :]}
