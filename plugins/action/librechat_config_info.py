# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of librechat.bedrock.librechat_config_info: read librechat.yaml and .env from the host and
report what LibreChat will do with Bedrock, without returning any secret value."""

from ansible.errors import AnsibleActionFail

from ansible_collections.librechat.bedrock.plugins.plugin_utils import librechat_report
from ansible_collections.librechat.bedrock.plugins.plugin_utils.librechat_action import LibreChatAction

ARGUMENT_SPEC = dict(
    config_path=dict(type="path", required=True),
    env_path=dict(type="path", required=True),
    region=dict(type="str"),
    # dotenv never overrides the process environment: these values are the ones LibreChat uses.
    process_environment=dict(type="dict", default={}, no_log=True),
    # Both files as librechat_deployment_info read them in this run ({path: librechat_files_info entry}): the host
    # is not asked again for them.
    files=dict(type="dict", default={}, no_log=True),
    # The LibreChat version that reads the files (empty: the one the bundled schema comes from).
    librechat_version=dict(type="str"),
)


class ActionModule(LibreChatAction):
    TRANSFERS_FILES = False
    argument_spec = ARGUMENT_SPEC

    def _run(self, args, task_vars, result):
        paths = (args["config_path"], args["env_path"])
        files = self._read_files(paths, task_vars, args.get("files"))
        try:
            report = librechat_report.report(
                paths,
                tuple(files[path][0] for path in paths),
                tuple(files[path][1] for path in paths),
                args["region"],
                args["process_environment"],
                args.get("librechat_version"),
            )
        except ValueError as e:
            raise AnsibleActionFail(str(e)) from None
        result.update(report, changed=False)
        return result
