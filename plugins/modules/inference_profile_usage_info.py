#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: inference_profile_usage_info
version_added: 0.1.0
short_description: Per-profile Bedrock usage from CloudWatch (calls, tokens, throttles, errors, latency)
description:
  - Reads Amazon Bedrock's runtime metrics (namespace C(AWS/Bedrock)) from CloudWatch for each of the collection's
    application inference profiles, or for given profile ARNs or model IDs, over a time window, and returns per
    profile its calls, input and output tokens, throttles, client and server errors and latency, with totals and
    totals per tag value (C(team), C(application), ...).
  - All the figures come from as few C(GetMetricData) calls as the API allows (up to 500 queries each); 20
    profiles and all seven metrics take one call.
  - The metrics sit under the C(ModelId) dimension. Which value it carries for an application profile (its ID or
    its ARN) AWS does not document, so each profile is read under both and the larger figure of each metric
    counts, which is right whichever form AWS publishes and never counts a request twice.
  - CloudWatch receives the metrics some time after the requests (typically within minutes); a window that ends
    now may not yet show the last requests.
  - The module only reads. Without O(profile_arns) and O(model_ids) it lists the region's application profiles
    (C(typeEquals=APPLICATION)) and reads each one's tags.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
options:
  profile_arns:
    description:
      - Inference profile ARNs to report on (application or system). Each is described (C(GetInferenceProfile))
        for its name and models; an application profile's tags are read too.
    type: list
    elements: str
    default: []
  model_ids:
    description:
      - Model IDs or system inference profile IDs to report on as well (requests sent to them directly, not
        through an application profile). Reported with the ID as name and no tags.
    type: list
    elements: str
    default: []
  tags:
    description:
      - Report on every application profile of the region carrying all these tags.
      - When neither O(profile_arns), O(model_ids) nor O(tags) is given, the profiles tagged
        C(ManagedBy=librechat.bedrock) (the ones the collection made).
    type: dict
  window:
    description:
      - How far back from O(end_time) to read, a whole number and a unit, V(m) (minutes), V(h) (hours),
        V(d) (days) or V(w) (weeks), for example V(90m), V(24h), V(7d). At most 455 days (CloudWatch's retention).
    type: str
    default: 24h
  end_time:
    description:
      - The end of the window, ISO 8601 (V(2026-12-01T12:00:00Z)); a time without a zone is UTC. Unset, now.
      - Rounded up to a whole minute.
    type: str
  period:
    description:
      - Seconds per CloudWatch datapoint. Unset, the whole window rounded up to what CloudWatch accepts (one
        datapoint per metric, which is all a total needs).
      - Must be a positive multiple of 60 (300 when the window starts more than 15 days ago, 3600 when more than
        63 days ago), as CloudWatch requires; anything else fails before any call.
    type: int
  metrics:
    description: The metrics to read; the others are returned as null.
    type: list
    elements: str
    choices:
      - Invocations
      - InputTokenCount
      - OutputTokenCount
      - InvocationThrottles
      - InvocationClientErrors
      - InvocationServerErrors
      - InvocationLatency
    default:
      - Invocations
      - InputTokenCount
      - OutputTokenCount
      - InvocationThrottles
      - InvocationClientErrors
      - InvocationServerErrors
      - InvocationLatency
extends_documentation_fragment:
  - librechat.bedrock.aws
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.info_module
notes:
  - Needs C(cloudwatch:GetMetricData), and, to find and describe the profiles, C(bedrock:ListInferenceProfiles),
    C(bedrock:GetInferenceProfile) and C(bedrock:ListTagsForResource).
seealso:
  - name: Monitor bedrock-runtime inference using CloudWatch metrics
    description: The metrics, their units and the ModelId dimension.
    link: https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html
  - name: GetMetricData
    description: The CloudWatch call, its 500-query limit and its period rules.
    link: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
  - module: librechat.bedrock.inference_profile_info
  - module: librechat.bedrock.invocation_logs_info
requirements:
  - boto3 >= 1.38.43
  - botocore >= 1.38.43
"""

EXAMPLES = r"""
- name: The last 24 hours of every profile the collection made
  librechat.bedrock.inference_profile_usage_info:
    region: us-east-1
  register: usage

- name: Calls per profile
  ansible.builtin.debug:
    msg: "{{ usage.profiles | items2dict(key_name='name', value_name='usage') }}"

- name: One team's profiles over the last week, by day
  librechat.bedrock.inference_profile_usage_info:
    tags:
      team: research
    window: 7d
    period: 86400

- name: A profile and a model invoked directly, for a fixed hour
  librechat.bedrock.inference_profile_usage_info:
    profile_arns:
      - arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcd1234efgh
    model_ids:
      - us.amazon.nova-micro-v1:0
    window: 60m
    end_time: "2026-12-01T12:00:00Z"
"""

RETURN = r"""
profiles:
  description: One entry per profile or model, application profiles in the order Bedrock lists them, then
    O(profile_arns), then O(model_ids).
  returned: always
  type: list
  elements: dict
  contains:
    arn:
      description: The profile's ARN; null for a model ID.
      type: str
    id:
      description: The profile ID, or the model ID.
      type: str
    name:
      description: The profile's name, or the model ID.
      type: str
    model_ids:
      description: The foundation models it routes to.
      type: list
      elements: str
    tags:
      description: The profile's tags.
      type: dict
    usage:
      description: The figures over the window; null for a metric not read.
      type: dict
      contains:
        invocations:
          description: Requests Bedrock accepted (C(Invocations)).
          type: int
        input_tokens:
          description: Input tokens (C(InputTokenCount)).
          type: int
        output_tokens:
          description: Output tokens (C(OutputTokenCount)).
          type: int
        throttles:
          description: Throttled requests (C(InvocationThrottles)).
          type: int
        client_errors:
          description: Requests that failed on the caller's side (C(InvocationClientErrors)).
          type: int
        server_errors:
          description: Requests that failed on AWS's side (C(InvocationServerErrors)).
          type: int
        latency_ms_average:
          description: Average C(InvocationLatency) in milliseconds; null without invocations.
          type: float
        latency_ms_maximum:
          description: Largest C(InvocationLatency) in milliseconds; null without invocations.
          type: float
totals:
  description: The usage of all the profiles together; latency is the invocation-weighted average.
  returned: always
  type: dict
totals_by_tag:
  description: For each tag key, for each of its values, the usage of the profiles carrying it.
  returned: always
  type: dict
  sample: {"team": {"research": {"invocations": 12, "input_tokens": 340}}}
window:
  description: The window read, as sent to CloudWatch.
  returned: always
  type: dict
  contains:
    start:
      description: ISO 8601, UTC.
      type: str
    end:
      description: ISO 8601, UTC.
      type: str
    period:
      description: Seconds per datapoint.
      type: int
metric_data_calls:
  description: How many C(GetMetricData) calls were made (pages included).
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import (
    BedrockError,
    bedrock_client,
    get_inference_profile,
    list_inference_profiles,
    list_tags,
)
from ansible_collections.librechat.bedrock.plugins.module_utils.rules import SYSTEM_PROFILE_ID, routing
from ansible_collections.librechat.bedrock.plugins.module_utils.usage import (
    MANAGED_TAGS,
    METRICS,
    build_queries,
    fetch,
    plan_window,
    profile_arn_errors,
    report,
)


def target_of(profile, tags):
    """A profile (Get or List shape) as a report target."""
    return {
        "arn": profile.get("inferenceProfileArn"),
        "id": profile.get("inferenceProfileId"),
        "name": profile.get("inferenceProfileName"),
        "model_ids": routing([m.get("modelArn") for m in profile.get("models") or []])[0],
        "tags": dict(tags or {}),
    }


def select(client, params):
    """The targets: tagged application profiles, then the given ARNs, then the given model IDs (each once)."""
    wanted_tags = params["tags"]
    if wanted_tags is None and not params["profile_arns"] and not params["model_ids"]:
        wanted_tags = dict(MANAGED_TAGS)
    targets = []
    seen = set()
    if wanted_tags is not None:
        wanted = {str(k): str(v) for k, v in wanted_tags.items()}
        for profile in list_inference_profiles(client, "APPLICATION"):
            tags = list_tags(client, profile["inferenceProfileArn"])
            if all(tags.get(k) == v for k, v in wanted.items()):
                targets.append(target_of(profile, tags))
                seen.add(profile["inferenceProfileArn"])
    for arn in params["profile_arns"]:
        if arn in seen:
            continue
        profile = get_inference_profile(client, arn)
        if profile is None:
            raise LookupError(f"profile_arns: {arn} does not exist in this region; check the ARN and the region")
        tags = list_tags(client, arn) if profile.get("type") == "APPLICATION" else {}
        targets.append(target_of(profile, tags))
        seen.add(arn)
    for model_id in params["model_ids"]:
        if model_id in seen:
            continue
        models = [model_id]
        if SYSTEM_PROFILE_ID.match(model_id):
            profile = get_inference_profile(client, model_id)
            if profile is not None:
                models = target_of(profile, {})["model_ids"]
        targets.append({"arn": None, "id": model_id, "name": model_id, "model_ids": models, "tags": {}})
        seen.add(model_id)
    return targets


def main():
    argument_spec = dict(
        profile_arns=dict(type="list", elements="str", default=[]),
        model_ids=dict(type="list", elements="str", default=[]),
        tags=dict(type="dict"),
        window=dict(type="str", default="24h"),
        end_time=dict(type="str"),
        period=dict(type="int"),
        metrics=dict(type="list", elements="str", choices=list(METRICS), default=list(METRICS)),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    # Everything is validated before the first call.
    errors = profile_arn_errors(params["profile_arns"])
    errors += [
        f"model_ids[{i}]: {m!r} is empty or an ARN; give a model ID such as us.amazon.nova-micro-v1:0 "
        "(ARNs go in profile_arns)"
        for i, m in enumerate(params["model_ids"])
        if not (m or "").strip() or m.startswith("arn:")
    ]
    try:
        plan = plan_window(params["window"], params["end_time"], params["period"])
    except ValueError as e:
        errors.append(str(e))
    if errors:
        module.fail_json(msg="; ".join(errors), metric_data_calls=0)
    metrics = list(dict.fromkeys(params["metrics"]))
    bedrock = bedrock_client(module)
    cloudwatch = bedrock_client(module, "cloudwatch")
    try:
        targets = select(bedrock, params)
        values, calls = fetch(cloudwatch, build_queries(targets, metrics, plan["period"]), plan) if targets else ({}, 0)
    except LookupError as e:
        module.fail_json(msg=str(e), metric_data_calls=0)
    except BedrockError as e:
        module.fail_json_aws_error(e)
    result = report(targets, metrics, values)
    module.exit_json(
        changed=False,
        window={"start": plan["start"].isoformat(), "end": plan["end"].isoformat(), "period": plan["period"]},
        metric_data_calls=calls,
        **result,
    )


if __name__ == "__main__":
    main()
