#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: model_availability
version_added: 0.1.0
short_description: Check that Bedrock models can be invoked, and accept their agreements
description:
  - For each model, says whether it can be invoked and, for each thing in the way, what to do about it, in
    the terms of model access as AWS runs it today. The console's model-access page is retired and serverless
    models are enabled by default; what remains is checked here.
  - Third-party (AWS Marketplace) models have an agreement per account and region. C(GetFoundationModelAvailability)
    tells whether it is accepted, the caller is authorized, the account is entitled and the region offers the model.
  - Anthropic models also need Anthropic's use-case form, submitted once per account (or once from the
    organization's management account). C(GetUseCaseForModelAccess) tells whether it was; it is read only when a
    requested model routes to an Anthropic model or O(use_case_form) is given.
  - For a system inference profile ID, the foundation models it routes to are checked.
  - Optionally accepts missing agreements (C(ListFoundationModelAgreementOffers), C(CreateFoundationModelAgreement))
    and waits for them to propagate, and submits the use-case form (C(PutUseCaseForModelAccess)) with the answers
    you give in O(use_case_form).
  - Every write is planned from reads first. A model that has no agreement offer, or a form whose state cannot be
    read, fails the run before anything is written. When AWS fails part-way, the failure says what was already
    done and reports C(changed).
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
      - Accept the agreement offer of every model whose agreement is not accepted. Agreements are per account
        and region; accepting one is a commercial decision (the offer carries the model's pricing terms).
    type: bool
    default: false
  use_case_form:
    description:
      - Anthropic's use-case form, submitted with C(PutUseCaseForModelAccess) when the account has not submitted
        it yet. Without this option the module only reports a missing form.
      - The form is account-wide (once per account, or once from the organization's management account for its
        member accounts) and is the account owner's statement to Anthropic, so give the owner's answers.
      - It is sent at most once. When the account already submitted a form, nothing is sent, and a warning names
        the answers that differ from the submitted ones.
      - Check mode reads whether the form was submitted and reports whether it would be sent; it sends nothing.
      - Bedrock may take up to 15 minutes to honour a new form; until then Anthropic models answer
        C(ResourceNotFoundException).
      - Users report that C(PutUseCaseForModelAccess) is accepted only in V(us-east-1). Elsewhere a
        C(ValidationException) fails the run with that advice; the form is account-wide, so submitting it once
        with O(region=us-east-1) serves every region.
    type: dict
    suboptions:
      company_name:
        description:
          - The company (or your name) submitting the form. Required.
        type: str
      company_website:
        description:
          - The company's website. Required.
        type: str
      intended_users:
        description:
          - Who will use the models, as the form codes it. V(0) means internal users (the only code AWS's
            public examples show). Required.
        type: str
      industry_option:
        description:
          - The company's industry, for example V(Technology). Required.
        type: str
      other_industry_option:
        description:
          - The industry in your words when O(use_case_form.industry_option) does not fit; may be empty.
        type: str
        default: ""
      use_cases:
        description:
          - What the models will be used for, in a sentence or two. Required.
        type: str
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
  - librechat.bedrock.aws
  - librechat.bedrock.attributes
attributes:
  check_mode:
    support: full
    details:
      - Nothing is accepted or submitted; C(changed) says whether a real run would.
  diff_mode:
    support: none
  idempotent:
    support: full
notes:
  - Supports check mode; it never accepts an agreement or submits the form then, and reports whether it would.
  - The identity needs C(bedrock:GetFoundationModelAvailability), C(bedrock:GetInferenceProfile) and
    C(bedrock:GetUseCaseForModelAccess); with O(accept_agreement) also C(bedrock:ListFoundationModelAgreementOffers),
    C(bedrock:CreateFoundationModelAgreement), C(aws-marketplace:Subscribe) and C(aws-marketplace:ViewSubscriptions);
    with O(use_case_form) also C(bedrock:PutUseCaseForModelAccess). See C(examples/iam/).
  - Without C(bedrock:GetUseCaseForModelAccess) the form cannot be checked; the module warns and does not count
    it against the model (and refuses to send O(use_case_form), which could duplicate a submitted form).
seealso:
  - name: Access Amazon Bedrock foundation models
    description: AWS's guide to model access today (agreements, the Anthropic use-case form, Marketplace permissions).
    link: https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html
  - name: PutUseCaseForModelAccess
    description: The API that submits the Anthropic use-case form.
    link: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_PutUseCaseForModelAccess.html
requirements:
  - boto3 >= 1.38.43
  - botocore >= 1.38.43
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

- name: Submit Anthropic's use-case form if the account has not (the account owner's answers)
  librechat.bedrock.model_availability:
    models:
      - us.anthropic.claude-sonnet-4-5-20250929-v1:0
    use_case_form:
      company_name: Example Corp
      company_website: https://example.com
      intended_users: "0"
      industry_option: Technology
      use_cases: An internal LibreChat deployment for our staff's writing and coding questions.

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
    use_case_form_required:
      description: Whether it routes to an Anthropic model, which needs the account's use-case form.
      type: bool
    available:
      description:
        - Whether all four statuses are good and, for an Anthropic model, the use-case form is submitted.
        - In check mode, whether they would be once the agreements are accepted and the form submitted.
      type: bool
    agreement_created:
      description: Whether an agreement was (in check mode, would be) accepted for it.
      type: bool
    problems:
      description: One sentence per thing in the way, with what to do about it.
      type: list
      elements: str
unavailable:
  description: The requested models that cannot be invoked.
  returned: always
  type: list
  elements: str
agreements_created:
  description:
    - The foundation models whose agreement this run accepted (in check mode, would accept).
    - On a failure part-way, the ones accepted before it.
  returned: always
  type: list
  elements: str
use_case_form:
  description: The account's Anthropic use-case form. The answers themselves are never returned.
  returned: always
  type: dict
  contains:
    status:
      description:
        - Before this run, C(SUBMITTED), C(NOT_SUBMITTED), C(UNKNOWN) (the caller may not read it) or
          C(NOT_CHECKED) (no requested model is Anthropic's and O(use_case_form) was not given).
      type: str
    submitted:
      description: Whether this run submitted it (in check mode, would submit it).
      type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import BedrockError, bedrock_client
from ansible_collections.librechat.bedrock.plugins.module_utils.model_access import (
    USE_CASE_SUBMITTED,
    USE_CASE_UNREADABLE,
    AppliedPartly,
    access_outcome,
    apply_plan,
    form_unreadable,
    get_availability,
    list_offers,
    needs_agreement,
    needs_use_case_form,
    partly_done_message,
    plan_access,
    predicted_after_agreement,
    read_access,
    use_case_form_differs,
    use_case_form_errors,
    wait_until_available,
)


def _fail_part_way(module, error, done, form_status):
    """AWS failed after some writes: say what is already done, and report it as a change."""
    partial = dict(
        changed=bool(done["agreements"]) or done["use_case_form_submitted"],
        agreements_created=list(done["agreements"]),
        use_case_form=dict(status=form_status, submitted=done["use_case_form_submitted"]),
    )
    msg = partly_done_message(error, done)
    if error.exception:
        module.fail_json_aws(error.exception, msg=msg, **partial)
    module.fail_json(msg=msg, **partial)


def main():
    form_options = dict(
        # The free-text answers may name a person or a small business: keep them out of logs and output.
        company_name=dict(type="str", no_log=True),
        company_website=dict(type="str", no_log=True),
        intended_users=dict(type="str"),
        industry_option=dict(type="str"),
        other_industry_option=dict(type="str", default=""),
        use_cases=dict(type="str", no_log=True),
    )
    argument_spec = dict(
        models=dict(type="list", elements="str", required=True),
        accept_agreement=dict(type="bool", default=False),
        use_case_form=dict(type="dict", options=form_options),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=300),
        fail_on_unavailable=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    form = params["use_case_form"]
    errors = []
    empty = [i for i, m in enumerate(params["models"]) if not (m or "").strip()]
    if not params["models"] or empty:
        errors.append(f"models must be a non-empty list of model or inference profile IDs; empty entries at {empty}")
    if params["wait_timeout"] < 0:
        errors.append(f"wait_timeout={params['wait_timeout']} must be 0 or more seconds")
    errors += use_case_form_errors(form)
    if errors:
        module.fail_json(msg=" | ".join(errors))

    client = bedrock_client(module)
    region = module.region
    # Reads only, then the plan: every refusal is known before the first write.
    try:
        routes, availability, use_case_status, submitted_form = read_access(
            client, params["models"], region, read_form=form is not None
        )
        anthropic = any(needs_use_case_form(fm) for fm in availability)
        offers = {}
        if params["accept_agreement"]:
            offers = {fm: list_offers(client, fm) for fm, state in availability.items() if needs_agreement(state)}
    except BedrockError as e:
        module.fail_json_aws_error(e)
    plan = plan_access(availability, offers, use_case_status, params["accept_agreement"], form)
    created = [fm for fm, _token in plan["agreements"]]
    submit = plan["submit_use_case_form"]
    if plan["refusals"]:
        module.fail_json(
            msg="Nothing was written. " + " ".join(plan["refusals"]),
            changed=False,
            agreements_created=[],
            use_case_form=dict(status=use_case_status, submitted=False),
        )
    if form_unreadable(availability, use_case_status):
        module.warn(USE_CASE_UNREADABLE)
    differs = use_case_form_differs(submitted_form, form) if use_case_status == USE_CASE_SUBMITTED else []
    if differs:
        module.warn(
            "The account already submitted Anthropic's use-case form, and its answers for "
            f"{', '.join(differs)} differ from use_case_form. The form is submitted once per account, so it was not "
            "sent again."
        )

    judged = None
    done = {"agreements": [], "use_case_form_submitted": False}
    if module.check_mode:
        if created:
            judged = dict(availability)
            for fm in created:
                judged[fm] = predicted_after_agreement(availability[fm])
    else:
        try:
            done = apply_plan(client, plan, form)
            for fm in done["agreements"]:
                availability[fm] = get_availability(client, fm)
        except AppliedPartly as e:
            _fail_part_way(module, e.error, e.done, use_case_status)
        except BedrockError as e:
            _fail_part_way(module, e, done, use_case_status)
    if params["wait"] and not (module.check_mode and created):
        try:
            wait_until_available(lambda fm: get_availability(client, fm), availability, created, params["wait_timeout"])
        except BedrockError as e:
            _fail_part_way(module, e, done, use_case_status)

    outcome, message = access_outcome(routes, availability, region, use_case_status, created, judged, submit)
    if submit and anthropic:
        module.warn(
            "Anthropic's use-case form "
            + ("would be submitted (check mode)" if module.check_mode else "was submitted")
            + " for the account. Bedrock may take up to 15 minutes to honour a new form; until then Anthropic models "
            "answer ResourceNotFoundException."
        )
    if message and params["fail_on_unavailable"]:
        module.fail_json(msg=message, **outcome)
    module.exit_json(**outcome)


if __name__ == "__main__":
    main()
