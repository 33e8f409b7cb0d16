# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base of the collection's two LibreChat action plugins (librechat_config, librechat_config_info): the
options checked against the plugin's `argument_spec`, and librechat.yaml and .env read from the host through
ansible.legacy.stat and slurp, so the host needs only Python."""

import base64

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase


class LibreChatAction(ActionBase):
    """Subclasses set `argument_spec` and implement `_run(args, task_vars, result)`."""

    _requires_connection = True
    argument_spec = {}

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

    def _run(self, args, task_vars, result):
        raise NotImplementedError

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
