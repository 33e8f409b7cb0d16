# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verify_checklist filter: every check of the verify role, as rows of one report (plugin_utils.checklist)."""

from ansible_collections.librechat.bedrock.plugins.plugin_utils import checklist


def verify_checklist(hosts, models, region, aws):
    """`hosts`: one {host, info (librechat_config_info), restart {method, started, error}} per LibreChat host;
    `aws`: {profile_arns (the application profiles that exist), availability, invocations, logs, log_since},
    each None when not gathered."""
    rows = []
    published = {}
    for entry in hosts or []:
        info = entry.get("info") or {}
        rows += checklist.config_rows(entry["host"], info, models, region)
        rows += checklist.profile_rows(entry["host"], info, aws.get("profile_arns") or [])
        rows.append(checklist.restart_row(entry["host"], info, entry.get("restart") or {}))
        for model, arn in (info.get("profile_arns") or {}).items():
            published.setdefault(model, arn)
    rows += checklist.availability_rows(aws.get("availability"))
    rows += checklist.invocation_rows(aws.get("invocations"))
    answered = [r["target"] for r in (aws.get("invocations") or {}).get("invocations") or [] if r.get("ok")]
    rows += checklist.log_rows(models, published, aws.get("logs"), aws.get("log_since"), invoked=answered)
    return rows


class FilterModule:
    def filters(self):
        return {"verify_checklist": verify_checklist}
