#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: usage_dashboard
version_added: 0.1.0
short_description: A CloudWatch dashboard of the LibreChat inference profiles' Bedrock usage
description:
  - Creates, updates or deletes one CloudWatch dashboard showing, for each application inference profile given,
    Bedrock's runtime metrics (namespace C(AWS/Bedrock)) C(Invocations), C(InputTokenCount), C(OutputTokenCount),
    C(InvocationThrottles), C(InvocationClientErrors), C(InvocationServerErrors) and C(InvocationLatency), in one graph
    per metric with one line per profile, under a text panel listing the profiles and their models.
  - The body is generated from O(profiles) alone, so a new profile appears on the dashboard without anyone editing
    JSON. The same profiles always give the same body.
  - Idempotent. C(GetDashboard) is read first and its body compared, as parsed JSON, with the wanted one.
    C(PutDashboard) is called only when they differ, C(DeleteDashboards) only when the dashboard exists.
  - Alarms are not made here. M(amazon.aws.cloudwatch_metric_alarm) makes them (the C(librechat.bedrock.usage)
    role adds one on throttles and one on server errors per profile when given an SNS topic).
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
options:
  name:
    description:
      - The dashboard's name. 1 to 255 characters of V(A-Z), V(a-z), V(0-9), V(-) and V(_) (CloudWatch's rule);
        anything else fails before any call.
    type: str
    required: true
  profiles:
    description:
      - The profiles to show, each a dict with C(arn) (the inference profile's ARN), C(name) (the label of its
        lines), and optionally C(model_ids) (the model IDs it serves, listed in the text panel) and C(id) (defaults
        to the last part of the ARN).
      - An entry without C(arn) draws its lines under C(id), a model or system profile ID.
      - The C(profiles) list that M(librechat.bedrock.inference_profile_usage_info) returns has this shape. The
        C(inference_profiles) list of M(librechat.bedrock.inference_profile_info) is taken as it is, where
        C(inference_profile_arn), C(inference_profile_name), C(inference_profile_id) and the foundation-model IDs
        of C(models) stand for C(arn), C(name), C(id) and C(model_ids).
      - Other keys of each entry are ignored. An empty list gives a dashboard with the text panel only.
      - Required when O(state=present).
    type: list
    elements: dict
  dimension:
    description:
      - Which form of the profile the graphs give Bedrock's C(ModelId) dimension. V(id) (the profile ID, the last
        part of the ARN) is what public monitoring code queries for application profiles; AWS's metrics page does
        not say which form it publishes, so V(arn) is there should a real account publish the ARN.
    type: str
    choices: [id, arn]
    default: id
  period:
    description: The graphs' period in seconds (60 or a multiple of 60).
    type: int
    default: 300
  state:
    description: V(present) creates or updates the dashboard; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - librechat.bedrock.aws
  - librechat.bedrock.attributes
attributes:
  check_mode:
    support: full
    details:
      - Nothing is written; C(changed) says whether a real run would write.
  diff_mode:
    support: full
    details:
      - The dashboard body before and after.
  idempotent:
    support: full
notes:
  - CloudWatch dashboards belong to the account, not to a region; the graphs show the metrics of O(region).
  - The metrics exist only for requests Bedrock accepted or throttled; a profile nobody used yet draws no line.
seealso:
  - name: Monitor bedrock-runtime inference using CloudWatch metrics
    description: The metrics, their units and the ModelId dimension.
    link: https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html
  - name: Dashboard body structure and syntax
    description: The JSON this module writes.
    link: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
  - module: amazon.aws.cloudwatch_metric_alarm
  - module: librechat.bedrock.inference_profile_info
requirements:
  - boto3 >= 1.38.43
  - botocore >= 1.38.43
"""

EXAMPLES = r"""
- name: Read the profiles' usage
  librechat.bedrock.inference_profile_usage_info:
  register: usage

- name: The LibreChat dashboard, one line per profile
  librechat.bedrock.usage_dashboard:
    name: LibreChat-Bedrock
    profiles: "{{ usage.profiles }}"

- name: List the application profiles
  librechat.bedrock.inference_profile_info:
    type: APPLICATION
  register: info

- name: The same dashboard from inference_profile_info's answer, taken as it is
  librechat.bedrock.usage_dashboard:
    name: LibreChat-Bedrock
    profiles: "{{ info.inference_profiles }}"

- name: Remove the dashboard
  librechat.bedrock.usage_dashboard:
    name: LibreChat-Bedrock
    state: absent
"""

RETURN = r"""
dashboard_name:
  description: The dashboard's name.
  returned: always
  type: str
  sample: LibreChat-Bedrock
dashboard_body:
  description:
    - The body the dashboard holds after the run (what a real run would leave, in check mode), parsed.
    - Empty when O(state=absent).
  returned: always
  type: dict
  sample:
    widgets:
      - type: metric
        x: 0
        y: 3
        width: 12
        height: 6
        properties:
          title: Invocations
          metrics: [["AWS/Bedrock", "Invocations", "ModelId", "a1b2c3d4e5f6", {"label": "LibreChat-sonnet"}]]
profiles:
  description:
    - The profiles the body shows, sorted by name, each with C(arn) (null for a model ID), C(name), C(id) and
      C(model_ids).
  returned: always
  type: list
  elements: dict
validation_messages:
  description: The warnings C(PutDashboard) answered (the dashboard was saved, but these parts may not render).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import bedrock_client
from ansible_collections.librechat.bedrock.plugins.module_utils.dashboard import (
    bodies_equal,
    build_body,
    delete_dashboard,
    get_body,
    name_error,
    normalize_profiles,
    parse_body,
    put_body,
)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        profiles=dict(type="list", elements="dict"),
        dimension=dict(type="str", choices=["id", "arn"], default="id"),
        period=dict(type="int", default=300),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["profiles"])],
    )
    params = module.params
    name = params["name"]
    problem = name_error(name)
    if problem:
        module.fail_json(msg=problem)
    if params["period"] < 60 or params["period"] % 60:
        module.fail_json(msg=f"period must be 60 or a multiple of 60 seconds, got {params['period']}; for example 300")
    profiles, errors = normalize_profiles(params["profiles"] or [])
    if errors:
        module.fail_json(msg="; ".join(errors))

    client = bedrock_client(module, "cloudwatch")
    messages = []
    try:
        current = get_body(client, name)
        if params["state"] == "present":
            wanted = build_body(profiles, module.region, params["period"], params["dimension"])
            changed = not bodies_equal(current, wanted)
            after = wanted
            if changed and not module.check_mode:
                messages = put_body(client, name, wanted)
        else:
            changed = current is not None
            after = None
            if changed and not module.check_mode:
                delete_dashboard(client, name)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    for message in messages:
        module.warn(f"PutDashboard saved {name} with a warning at {message.get('DataPath')}: {message.get('Message')}")
    result = dict(
        changed=changed,
        dashboard_name=name,
        dashboard_body=after or {},
        profiles=profiles if params["state"] == "present" else [],
        validation_messages=[dict(data_path=m.get("DataPath"), message=m.get("Message")) for m in messages],
    )
    if module._diff:
        before = parse_body(current) if current is not None else {}
        result["diff"] = dict(before=before if before is not None else current, after=after or {})
    module.exit_json(**result)


if __name__ == "__main__":
    main()
