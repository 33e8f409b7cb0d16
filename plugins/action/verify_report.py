# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""librechat.bedrock.verify_report: the verify role's report (plugin_utils/checklist.py), built, shown as one
table and judged on the controller; nothing runs on a host."""

from ansible.plugins.action import ActionBase

from ansible_collections.librechat.bedrock.plugins.plugin_utils import checklist
from ansible_collections.librechat.bedrock.plugins.plugin_utils.librechat_action import validated_args
from ansible_collections.librechat.bedrock.plugins.plugin_utils.report import text_table

ARGUMENT_SPEC = dict(
    hosts=dict(type="list", elements="dict", required=True),
    models=dict(type="list", elements="raw", required=True),
    region=dict(type="str", required=True),
    aws=dict(type="dict", default={}),
    fail=dict(type="bool", default=True),
    return_rows=dict(type="bool", default=False),
)

COLUMNS = ["check", "status", "detail"]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = validated_args(ARGUMENT_SPEC, self._task.args)
        rows = checklist.report(args["hosts"], args["models"], args["region"], args["aws"])
        failed = checklist.failed(rows)
        table = text_table(rows, COLUMNS)
        # shown as debug shows its msg, whatever the verbosity: the table only, unless the rows are asked for
        result.update(changed=False, msg=table, _ansible_verbose_always=True)
        if args["return_rows"]:
            result["rows"] = rows
        if args["fail"] and failed:
            # the table as on success, under `table`; the message names the failed checks
            result.update(
                failed=True,
                table=table,
                msg=f"{len(failed)} check(s) failed: {'; '.join(r['check'] for r in failed)}",
            )
        return result
