#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: model_availability
version_added: 0.1.0
short_description: Check that Bedrock models can be invoked, and accept their agreements
description:
  - For each model, asks Amazon Bedrock (C(GetFoundationModelAvailability)) whether its access agreement is
    accepted, the caller is authorized, the account is entitled and the region offers it, and says what to do
    about each status that is not good.
  - For a system inference profile ID, the foundation model it routes to is checked.
  - Optionally accepts missing agreements (C(ListFoundationModelAgreementOffers), C(CreateFoundationModelAgreement))
    and waits for them to propagate, which is the LibreChat guide's "model access agreement propagation" step.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
options:
  models:
    description:
      - Foundation model IDs (V(anthropic.claude-3-haiku-20240307-v1:0)) or system inference profile IDs
        (V(us.anthropic.claude-3-7-sonnet-20250219-v1:0)), or the ARN of either.
    type: list
    elements: str
    required: true
  accept_agreement:
    description:
      - Accept the agreement offer of every model whose agreement is not accepted.
    type: bool
    default: false
  wait:
    description:
      - Poll until every model is available, or O(wait_timeout) passes. Only statuses that time can change are
        waited for (a pending agreement, a just-accepted one).
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait.
    type: int
    default: 300
  fail_on_unavailable:
    description:
      - Fail, naming every model that cannot be invoked and why, when one cannot.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode; it never accepts an agreement then, and reports whether it would.
"""

EXAMPLES = r"""
- name: Fail early when a model LibreChat will use cannot be invoked
  librechat.bedrock.model_availability:
    models:
      - us.anthropic.claude-3-7-sonnet-20250219-v1:0
      - us.amazon.nova-pro-v1:0

- name: Accept missing agreements and wait until they have propagated
  librechat.bedrock.model_availability:
    models:
      - anthropic.claude-sonnet-4-5-20250929-v1:0
    accept_agreement: true
    wait: true
    wait_timeout: 600

- name: Report without failing
  librechat.bedrock.model_availability:
    models: "{{ librechat_models }}"
    fail_on_unavailable: false
  register: access
"""

RETURN = r"""
models:
  description: One entry per requested model, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    model_id:
      description: The model as given.
      type: str
    foundation_model_ids:
      description: The foundation models checked for it.
      type: list
      elements: str
    agreement_status:
      description: C(AVAILABLE), C(PENDING), C(NOT_AVAILABLE) or C(ERROR).
      type: str
    authorization_status:
      description: C(AUTHORIZED) or C(NOT_AUTHORIZED).
      type: str
    entitlement_availability:
      description: C(AVAILABLE) or C(NOT_AVAILABLE).
      type: str
    region_availability:
      description: C(AVAILABLE) or C(NOT_AVAILABLE).
      type: str
    available:
      description:
        - Whether all four statuses are good.
        - In check mode, whether they would be once the agreements are accepted.
      type: bool
    agreement_created:
      description: Whether an agreement was (in check mode, would be) accepted for it.
      type: bool
    problems:
      description: One sentence per status that is not good, with what to do about it.
      type: list
      elements: str
unavailable:
  description: The requested models that cannot be invoked.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import (
    SYSTEM_PROFILE_ID,
    BedrockError,
    bedrock_client,
    foundation_model_id,
    get_inference_profile,
    parse_profile_arn,
)
from ansible_collections.librechat.bedrock.plugins.module_utils.model_access import (
    accept_agreement,
    get_availability,
    model_result,
    needs_agreement,
    predicted_after_agreement,
    unavailable_message,
    wait_until_available,
)


def foundation_ids(client, model, region):
    """The foundation model IDs behind a requested model: itself, or those its inference profile routes to."""
    arn_id = foundation_model_id(model)
    if arn_id:
        return [arn_id]
    if parse_profile_arn(model) or SYSTEM_PROFILE_ID.match(model):
        profile = get_inference_profile(client, model)
        if profile is None:
            raise BedrockError(
                message=f"models: {model!r} is not an inference profile in {region}: check the ID and the region"
            )
        ids = [foundation_model_id(m["modelArn"]) for m in profile.get("models", [])]
        return list(dict.fromkeys(i for i in ids if i))
    return [model]


def main():
    argument_spec = dict(
        models=dict(type="list", elements="str", required=True),
        accept_agreement=dict(type="bool", default=False),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=300),
        fail_on_unavailable=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    empty = [i for i, m in enumerate(params["models"]) if not (m or "").strip()]
    if not params["models"] or empty:
        module.fail_json(
            msg=f"models must be a non-empty list of model or inference profile IDs; empty entries at {empty}"
        )
    if params["wait_timeout"] < 0:
        module.fail_json(msg=f"wait_timeout={params['wait_timeout']} must be 0 or more seconds")

    client = bedrock_client(module)
    region = module.region
    try:
        routes = {model: foundation_ids(client, model, region) for model in params["models"]}
        availability = {}
        for ids in routes.values():
            for fm in ids:
                if fm not in availability:
                    availability[fm] = get_availability(client, fm)
        created = []
        if params["accept_agreement"]:
            for fm, state in availability.items():
                if needs_agreement(state):
                    if not module.check_mode:
                        accept_agreement(client, fm)
                        availability[fm] = get_availability(client, fm)
                    created.append(fm)
        judged = None
        if module.check_mode and created:
            judged = dict(availability)
            for fm in created:
                judged[fm] = predicted_after_agreement(availability[fm])
        elif params["wait"]:
            wait_until_available(lambda fm: get_availability(client, fm), availability, created, params["wait_timeout"])
    except BedrockError as e:
        module.fail_json_aws_error(e)

    results = [model_result(model, ids, availability, region, created, judged) for model, ids in routes.items()]
    outcome = dict(
        changed=bool(created), models=results, unavailable=[r["model_id"] for r in results if not r["available"]]
    )
    message = unavailable_message(results, region)
    if message and params["fail_on_unavailable"]:
        module.fail_json(msg=message, **outcome)
    module.exit_json(**outcome)


if __name__ == "__main__":
    main()
