# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CloudWatch dashboard of the LibreChat profiles: its body, built from the profile list alone, so a new profile
appears on it without anyone editing JSON; the checks of its name and of the profiles; and the comparison that
decides whether PutDashboard is needed.

Plain functions over plain data, so the unit tests and the module share them.
"""

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.librechat.bedrock.plugins.module_utils.rules import (
    APPLICATION_PROFILE_ARN_SHAPE,
    foundation_model_id,
    parse_profile_arn,
)

NAMESPACE = "AWS/Bedrock"
DIMENSION = "ModelId"
# PutDashboard's DashboardName (botocore's cloudwatch model documents it: "The maximum length is 255, and valid
# characters are A-Z, a-z, 0-9, "-", and "_"").
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
# Bedrock's runtime metrics (https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html):
# one graph each, one line per profile. (metric, title, statistic)
WIDGETS = (
    ("Invocations", "Invocations", "Sum"),
    ("InputTokenCount", "Input tokens", "Sum"),
    ("OutputTokenCount", "Output tokens", "Sum"),
    ("InvocationThrottles", "Throttles", "Sum"),
    ("InvocationClientErrors", "Client errors", "Sum"),
    ("InvocationServerErrors", "Server errors", "Sum"),
    ("InvocationLatency", "Latency (ms, average)", "Average"),
)
WIDTH = 12  # two graphs a row on the dashboard's 24-column grid
HEIGHT = 6
# The ModelId value under which Bedrock publishes an application profile's requests: its ID (the last part of the
# ARN) is what public monitoring code queries (cloud-custodian's bedrock-inference-profile metrics filter,
# c7n/resources/bedrock.py, dimension ModelId = inferenceProfileId). AWS's metrics page does not say which form it
# uses for application profiles: an assumption, so the module takes dimension=arn for the other reading.
DIMENSION_FORMS = ("id", "arn")


def name_error(name):
    """Why `name` is not a dashboard name CloudWatch accepts, or None."""
    if NAME_PATTERN.match(name or ""):
        return None
    return (
        f"name must be 1 to 255 characters of A-Z, a-z, 0-9, '-' and '_' (CloudWatch's rule for dashboard names), "
        f"got {name!r}; for example {re.sub(r'[^A-Za-z0-9_-]+', '-', name or 'LibreChat-Bedrock').strip('-')[:255]!r}"
    )


def _profile_entry(profile, where):
    """One entry of `profiles` as the body uses it, or the error that names it."""
    if not isinstance(profile, dict):
        return None, f"{where} must be a dict with arn and name, got {profile!r}"
    arn = profile.get("arn") or profile.get("inference_profile_arn") or None
    given_id = profile.get("id") or profile.get("inference_profile_id") or None
    parsed = parse_profile_arn(arn) if arn else None
    if arn and parsed is None:
        return None, (f"{where}.arn must be an inference profile ARN ({APPLICATION_PROFILE_ARN_SHAPE}), got {arn!r}")
    if not arn and not (isinstance(given_id, str) and given_id):
        # inference_profile_usage_info answers a model ID given to it with arn null and the model ID as id
        return None, f"{where} needs arn (an inference profile ARN) or id (a model or profile ID), got {profile!r}"
    name = profile.get("name") or profile.get("inference_profile_name") or given_id
    if not isinstance(name, str) or not name:
        return None, f"{where}.name must be the profile's name (a non-empty string), got {name!r}"
    model_ids = profile.get("model_ids")
    if model_ids is None:  # inference_profile_info's shape: the foundation models it routes to
        model_ids = [foundation_model_id(m.get("model_arn")) for m in profile.get("models") or []]
        model_ids = [m for m in model_ids if m]
    if isinstance(model_ids, str):
        model_ids = [model_ids]
    if not isinstance(model_ids, list) or not all(isinstance(m, str) for m in model_ids):
        return None, f"{where}.model_ids must be a list of model IDs, got {model_ids!r}"
    entry = dict(arn=arn, name=name, id=given_id or parsed["id"], model_ids=sorted(set(model_ids)))
    return entry, None


def normalize_profiles(profiles):
    """The profiles as the body uses them, sorted by name then ID so the body does not depend on list order, and
    the list of errors (each naming the entry, the value and the fix). A profile is {arn, name, model_ids, id} (id
    defaults to the ARN's last part; without an ARN, id is a model or system profile ID), as
    inference_profile_usage_info answers, or an entry of inference_profile_info's inference_profiles."""
    errors = []
    found = []
    for index, profile in enumerate(profiles or []):
        entry, error = _profile_entry(profile, f"profiles[{index}]")
        if error:
            errors.append(error)
        else:
            found.append(entry)
    keys = [p["arn"] or p["id"] for p in found]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        errors.append(f"profiles lists {', '.join(twice)} more than once; give each profile once")
    return sorted(found, key=lambda p: (p["name"], p["id"])), errors


def dimension_value(profile, form="id"):
    """The ModelId value of a profile's lines: its ID, or with form arn its ARN (an entry without one: its ID)."""
    return profile["arn"] if form == "arn" and profile["arn"] else profile["id"]


def _header(profiles, form):
    lines = [
        "## LibreChat on Amazon Bedrock",
        "Managed by the librechat.bedrock collection (usage_dashboard): changes made here are replaced on its next "
        "run. One line per application inference profile.",
    ]
    if profiles:
        lines += ["", "| profile | models | ModelId |", "| --- | --- | --- |"]
        lines += [
            f"| {p['name']} | {', '.join(p['model_ids']) or '-'} | {dimension_value(p, form)} |" for p in profiles
        ]
    else:
        lines += ["", "No profiles yet."]
    return "\n".join(lines)


def build_body(profiles, region, period=300, form="id"):
    """The dashboard body (a dict) for normalized `profiles`: a text widget naming them, then one graph per metric
    of WIDGETS with one line per profile. The same profiles always give the same body."""
    header_height = 3 + len(profiles) if profiles else 3
    widgets = [
        {
            "type": "text",
            "x": 0,
            "y": 0,
            "width": 24,
            "height": header_height,
            "properties": {"markdown": _header(profiles, form)},
        }
    ]
    if profiles:
        for index, (metric, title, stat) in enumerate(WIDGETS):
            widgets.append(
                {
                    "type": "metric",
                    "x": (index % 2) * WIDTH,
                    "y": header_height + (index // 2) * HEIGHT,
                    "width": WIDTH,
                    "height": HEIGHT,
                    "properties": {
                        "title": title,
                        "region": region,
                        "view": "timeSeries",
                        "stacked": False,
                        "period": period,
                        "stat": stat,
                        "metrics": [
                            [NAMESPACE, metric, DIMENSION, dimension_value(p, form), {"label": p["name"]}]
                            for p in profiles
                        ],
                    },
                }
            )
    return {"widgets": widgets}


def serialize(body):
    """The body as PutDashboard takes it: compact JSON with sorted keys, byte-identical for the same profiles."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def parse_body(text):
    """A dashboard body as GetDashboard answers it, parsed; None when it is not JSON (then it differs)."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def bodies_equal(current_text, wanted):
    """Whether the dashboard already holds `wanted`: parsed JSON compared, so key order and spacing do not count."""
    return current_text is not None and parse_body(current_text) == wanted


# ------------------------------------------------------------------------------------------------ CloudWatch calls


class DashboardError(AnsibleAWSError):
    """A failed CloudWatch dashboard call; the module turns it into fail_json_aws_error."""


class DashboardErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = DashboardError

    @classmethod
    def _is_missing(cls):
        # GetDashboard's DashboardNotFoundError shape has the wire code ResourceNotFound (botocore's model)
        return is_boto3_error_code(["ResourceNotFound", "DashboardNotFoundError"])


@DashboardErrorHandler.list_error_handler("get the dashboard")
def get_body(client, name):
    """The dashboard's body as CloudWatch holds it, or None when there is no such dashboard."""
    return client.get_dashboard(DashboardName=name, aws_retry=True)["DashboardBody"]


@DashboardErrorHandler.common_error_handler("put the dashboard")
def put_body(client, name, body):
    """PutDashboard; the validation messages it answers (warnings: the dashboard was saved)."""
    answer = client.put_dashboard(DashboardName=name, DashboardBody=serialize(body), aws_retry=True)
    return answer.get("DashboardValidationMessages") or []


@DashboardErrorHandler.common_error_handler("delete the dashboard")
def delete_dashboard(client, name):
    client.delete_dashboards(DashboardNames=[name], aws_retry=True)
