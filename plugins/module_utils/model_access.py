# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Model access: whether the foundation models behind the models LibreChat will use can be invoked in a region,
what to do when they cannot, and the two writes that fix it when the user asks for them.

Model access as AWS runs it today (https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html): the
console's model-access page is retired and serverless models are enabled by default. Two things remain:
- Anthropic models need a one-time use-case form per account (or once from an organization's management
  account): GetUseCaseForModelAccess / PutUseCaseForModelAccess. GetFoundationModelAvailability does not show it.
- Third-party (AWS Marketplace) models have an agreement per account and region: GetFoundationModelAvailability,
  ListFoundationModelAgreementOffers, CreateFoundationModelAgreement. A new one takes minutes to propagate.

The decision logic is plain functions over plain data so roles, other modules and tests can reuse it; the module
plans every write from reads first (plan_access), so a refusal fails before anything is written.
"""

import base64
import binascii
import json
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import (
    BedrockError,
    BedrockErrorHandler,
    get_inference_profile,
)
from ansible_collections.librechat.bedrock.plugins.module_utils.rules import (
    SYSTEM_PROFILE_ID,
    foundation_model_id,
    parse_profile_arn,
)

AGREEMENT_AVAILABLE = "AVAILABLE"
AGREEMENT_PENDING = "PENDING"
AGREEMENT_NOT_AVAILABLE = "NOT_AVAILABLE"
AGREEMENT_ERROR = "ERROR"

# The value each status has when the model can be invoked.
GOOD = {
    "agreement_status": "AVAILABLE",
    "authorization_status": "AUTHORIZED",
    "entitlement_availability": "AVAILABLE",
    "region_availability": "AVAILABLE",
}

# Worst first: when a requested model routes to several foundation models, it reports the worst of each status.
_SEVERITY = {
    "agreement_status": ["ERROR", "NOT_AVAILABLE", "PENDING", "AVAILABLE"],
    "authorization_status": ["NOT_AUTHORIZED", "AUTHORIZED"],
    "entitlement_availability": ["NOT_AVAILABLE", "AVAILABLE"],
    "region_availability": ["NOT_AVAILABLE", "AVAILABLE"],
}

MARKETPLACE_ACTIONS = "aws-marketplace:ViewSubscriptions and aws-marketplace:Subscribe"
MODEL_ACCESS_GUIDE = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html"

# The Anthropic use-case form, account-wide. SUBMITTED / NOT_SUBMITTED come from GetUseCaseForModelAccess
# (ResourceNotFoundException means none was submitted); UNKNOWN when the caller may not read it; NOT_CHECKED when
# no requested model is Anthropic's and no form was given.
USE_CASE_SUBMITTED = "SUBMITTED"
USE_CASE_NOT_SUBMITTED = "NOT_SUBMITTED"
USE_CASE_UNKNOWN = "UNKNOWN"
USE_CASE_NOT_CHECKED = "NOT_CHECKED"
# The module's use_case_form keys and the form's field names, as AWS's examples and Terraform's
# aws_bedrock_use_case_for_model_access send them. Only other_industry_option may be empty.
USE_CASE_FIELDS = (
    ("company_name", "companyName"),
    ("company_website", "companyWebsite"),
    ("intended_users", "intendedUsers"),
    ("industry_option", "industryOption"),
    ("other_industry_option", "otherIndustryOption"),
    ("use_cases", "useCases"),
)
USE_CASE_OPTIONAL = ("other_industry_option",)
# PutUseCaseForModelAccess's formData constraint (botocore's bedrock model).
FORM_DATA_MIN = 10
FORM_DATA_MAX = 16384


def availability_from_api(response):
    """A GetFoundationModelAvailability response as snake_case statuses."""
    agreement = response.get("agreementAvailability") or {}
    return {
        "agreement_status": agreement.get("status"),
        "agreement_error": agreement.get("errorMessage"),
        "authorization_status": response.get("authorizationStatus"),
        "entitlement_availability": response.get("entitlementAvailability"),
        "region_availability": response.get("regionAvailability"),
    }


def is_available(availability):
    """All four statuses are the good ones: the model can be invoked."""
    return all(availability.get(key) == value for key, value in GOOD.items())


def needs_agreement(availability):
    """The model agreement has not been accepted (and could be, with CreateFoundationModelAgreement)."""
    return availability.get("agreement_status") == AGREEMENT_NOT_AVAILABLE


def problems(model_id, availability, region):
    """Plain sentences, one per status that is not good, each saying what to do about it."""
    out = []
    agreement = availability.get("agreement_status")
    if agreement == AGREEMENT_NOT_AVAILABLE:
        out.append(
            f"The AWS Marketplace agreement for {model_id} has not been accepted in {region} (it is per account and "
            "region): run librechat.bedrock.model_availability with accept_agreement: true (the inference_profiles "
            "role: inference_profiles_accept_agreements: true), with an identity allowed "
            f"{MARKETPLACE_ACTIONS}."
        )
    elif agreement == AGREEMENT_PENDING:
        out.append(
            f"The model agreement for {model_id} is still propagating (PENDING), which takes minutes: until then "
            "invocations fail with AccessDeniedException naming aws-marketplace permissions. Wait and run again, "
            "or run librechat.bedrock.model_availability with wait: true."
        )
    elif agreement == AGREEMENT_ERROR:
        detail = availability.get("agreement_error")
        out.append(
            f"The model agreement for {model_id} is in ERROR"
            + (f" ({detail})" if detail else "")
            + ": AWS could not complete the Marketplace subscription. Check that the account has a valid payment "
            f"method for AWS Marketplace and that the identity is allowed {MARKETPLACE_ACTIONS} (no SCP denies "
            f"them); see {MODEL_ACCESS_GUIDE}."
        )
    elif agreement != AGREEMENT_AVAILABLE:
        out.append(f"The model agreement for {model_id} has the unknown status {agreement!r}.")
    if availability.get("authorization_status") != GOOD["authorization_status"]:
        out.append(
            f"The identity running this is not authorized to use {model_id}: allow it {MARKETPLACE_ACTIONS} "
            "(and the bedrock actions it needs) in IAM, and check that no SCP or permissions boundary denies them."
        )
    if availability.get("entitlement_availability") != GOOD["entitlement_availability"]:
        out.append(
            f"The account is not entitled to {model_id} (no AWS Marketplace subscription yet): accept the model "
            f"agreement with an identity allowed {MARKETPLACE_ACTIONS}; after accepting, wait a few minutes and retry."
        )
    if availability.get("region_availability") != GOOD["region_availability"]:
        out.append(
            f"{model_id} is not offered in {region}: use a region where the model is offered, or a cross-region "
            "inference profile that routes to one."
        )
    return out


def needs_use_case_form(model_id):
    """Anthropic's models need the account's use-case form (AWS's model-access guide)."""
    return (model_id or "").startswith("anthropic.")


def use_case_problem(model_id):
    """The sentence for an Anthropic model whose account has not submitted the use-case form."""
    return (
        f"{model_id} is an Anthropic model and the account has not submitted Anthropic's use-case form (once per "
        "account, or once from the organization's management account): until it has, invocations fail with "
        "ResourceNotFoundException 'Model use case details have not been submitted for this account'. It is the "
        "account owner's decision: submit it once with librechat.bedrock.model_availability's use_case_form "
        "option (the inference_profiles role: inference_profiles_use_case_form), or open an Anthropic model in "
        f"the Bedrock console's model catalog and fill it in there; see {MODEL_ACCESS_GUIDE}."
    )


def use_case_form_errors(form, option="use_case_form"):
    """Every way the given form is unusable, each naming the key, the value and the fix. Empty when usable."""
    if form is None:
        return []
    known = [key for key, _field in USE_CASE_FIELDS]
    if not isinstance(form, dict):
        return [f"{option} must be a mapping of {', '.join(known)}; got {form!r}"]
    errors = [
        f"{option}.{k} is not a field of the form; the fields are {', '.join(known)}" for k in form if k not in known
    ]
    for key, _field in USE_CASE_FIELDS:
        value = form.get(key)
        if value is None and key in USE_CASE_OPTIONAL:
            continue
        if not isinstance(value, str):
            errors.append(f"{option}.{key}={value!r} must be a string")
        elif not value.strip() and key not in USE_CASE_OPTIONAL:
            errors.append(f"{option}.{key} is empty: the form needs it (give the account owner's answer)")
    if not errors:
        size = len(use_case_form_data(form))
        if not FORM_DATA_MIN <= size <= FORM_DATA_MAX:
            errors.append(
                f"{option} is {size} bytes as JSON; PutUseCaseForModelAccess takes {FORM_DATA_MIN} to "
                f"{FORM_DATA_MAX}: shorten use_cases"
            )
    return errors


def use_case_form_data(form):
    """The form as PutUseCaseForModelAccess's formData: the JSON document of AWS's field names (boto3 encodes the
    blob for the wire itself)."""
    return json.dumps({field: form.get(key) or "" for key, field in USE_CASE_FIELDS}).encode("utf-8")


def parse_use_case_form(data):
    """GetUseCaseForModelAccess's formData as a dict, or None when it is not readable. Terraform's provider
    decodes it from base64 once more than the SDK does; either encoding is accepted here."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    for _attempt in range(3):
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
        try:
            data = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError, TypeError):
            return None
    return None


def use_case_form_differs(submitted, form):
    """The given form's keys whose answers differ from the submitted form's (empty when unreadable)."""
    if submitted is None or form is None:
        return []
    wanted = json.loads(use_case_form_data(form))
    return [key for key, field in USE_CASE_FIELDS if field in submitted and submitted.get(field) != wanted[field]]


def plan_access(availability, offers, use_case_status, accept_agreements, use_case_form=None):
    """Every write the run makes, decided from reads alone, and every refusal, before anything is written.

    `availability` maps foundation model IDs to their statuses; `offers` maps those needing an agreement (when
    accept_agreements) to ListFoundationModelAgreementOffers' offers. Returns {"agreements": [(model, token)],
    "submit_use_case_form": bool, "refusals": [sentence]}.
    """
    agreements, refusals = [], []
    if accept_agreements:
        for fm, state in availability.items():
            if not needs_agreement(state):
                continue
            token = pick_offer(offers.get(fm))
            if token is None:
                refusals.append(
                    f"Bedrock lists no agreement offer for {fm}, so accept_agreement cannot accept one: check the "
                    f"model ID and region, or invoke the model once with an identity allowed {MARKETPLACE_ACTIONS} "
                    f"(Bedrock then subscribes the account itself); see {MODEL_ACCESS_GUIDE}."
                )
            else:
                agreements.append((fm, token))
    submit = False
    if use_case_form is not None:
        if use_case_status == USE_CASE_NOT_SUBMITTED:
            submit = True
        elif use_case_status == USE_CASE_UNKNOWN:
            refusals.append(
                "use_case_form is given, but whether the account already submitted the Anthropic use-case form "
                "cannot be read: allow the identity bedrock:GetUseCaseForModelAccess (and "
                "bedrock:PutUseCaseForModelAccess) so the form is sent only when it is missing."
            )
    return {"agreements": agreements, "submit_use_case_form": submit, "refusals": refusals}


class AppliedPartly(Exception):
    """AWS failed part-way through apply_plan: `error` is the BedrockError, `done` what was written before it."""

    def __init__(self, error, done):
        super().__init__(error.message)
        self.error = error
        self.done = done


def apply_plan(client, plan, use_case_form=None):
    """Make the plan's writes: the form first (account-wide, one call), then each agreement. Returns what was
    done ({"agreements": [...], "use_case_form_submitted": bool}); raises AppliedPartly when AWS fails part-way,
    so the caller can report the writes already made as a change."""
    done = {"agreements": [], "use_case_form_submitted": False}
    try:
        if plan["submit_use_case_form"]:
            put_use_case_form(client, use_case_form)
            done["use_case_form_submitted"] = True
        for fm, token in plan["agreements"]:
            create_agreement(client, fm, token)
            done["agreements"].append(fm)
    except BedrockError as e:
        raise AppliedPartly(e, done) from e
    return done


def partly_done_message(error, done):
    """The failure message once some writes were made: the error, then what is already done."""
    made = (["submitted the Anthropic use-case form"] if done["use_case_form_submitted"] else []) + [
        f"accepted the agreement for {fm}" for fm in done["agreements"]
    ]
    return error.message + (f" (already done before the failure: {'; '.join(made)})" if made else "")


def waitable(availability, agreement_requested=False):
    """Whether waiting can make the model available: only propagation is in the way, nothing a person must fix."""
    if is_available(availability):
        return False
    if availability.get("region_availability") != GOOD["region_availability"]:
        return False
    if availability.get("authorization_status") != GOOD["authorization_status"]:
        return False
    agreement = availability.get("agreement_status")
    if agreement == AGREEMENT_ERROR:
        return False
    return agreement != AGREEMENT_NOT_AVAILABLE or agreement_requested


def predicted_after_agreement(availability):
    """What a model's statuses become once its agreement is accepted and has propagated (for check mode)."""
    predicted = dict(availability)
    predicted["agreement_status"] = AGREEMENT_AVAILABLE
    predicted["agreement_error"] = None
    predicted["entitlement_availability"] = GOOD["entitlement_availability"]
    return predicted


def worst(availabilities):
    """One availability summing up several: the worst value of each status."""
    if not availabilities:
        return {}
    out = {}
    for key, order in _SEVERITY.items():
        values = [a.get(key) for a in availabilities]
        unknown = [v for v in values if v not in order]
        out[key] = unknown[0] if unknown else min(values, key=order.index)
    errors = [a.get("agreement_error") for a in availabilities if a.get("agreement_error")]
    out["agreement_error"] = errors[0] if errors else None
    return out


def pick_offer(offers):
    """The offer token to accept: the first offer that has one, or None."""
    for offer in offers or []:
        if offer.get("offerToken"):
            return offer["offerToken"]
    return None


def model_result(
    model_id, foundation_ids, availability, region, agreements_created=(), judged=None, use_case_status=None
):
    """The per-model result the module returns.

    `availability` maps each foundation model ID to its statuses; `judged`, when given, maps them to the statuses
    the model is judged on (in check mode, the statuses an accepted agreement would bring). `use_case_status` is
    the account's Anthropic use-case form as the model is judged (SUBMITTED once this run submitted it).
    """
    current = worst([availability[fm] for fm in foundation_ids])
    basis = worst([(judged or availability)[fm] for fm in foundation_ids])
    sentences = []
    for fm in foundation_ids:
        sentences.extend(problems(fm, (judged or availability)[fm], region))
    form_needed = any(needs_use_case_form(fm) for fm in foundation_ids)
    form_missing = form_needed and use_case_status == USE_CASE_NOT_SUBMITTED
    if form_missing:
        sentences.extend(use_case_problem(fm) for fm in foundation_ids if needs_use_case_form(fm))
    return {
        "model_id": model_id,
        "foundation_model_ids": list(foundation_ids),
        "agreement_status": current["agreement_status"],
        "authorization_status": current["authorization_status"],
        "entitlement_availability": current["entitlement_availability"],
        "region_availability": current["region_availability"],
        "available": is_available(basis) and not form_missing,
        "agreement_created": any(fm in agreements_created for fm in foundation_ids),
        "use_case_form_required": form_needed,
        "problems": sentences,
    }


def unavailable_message(results, region):
    """One message naming every model that is not available and why; None when all are."""
    bad = [r for r in results if not r["available"]]
    if not bad:
        return None
    parts = []
    for r in bad:
        name = r["model_id"]
        routes = [fm for fm in r["foundation_model_ids"] if fm != name]
        if routes:
            name += f" (routes to {', '.join(routes)})"
        parts.append(f"{name}: {' '.join(r['problems'])}")
    return f"{len(bad)} of {len(results)} model(s) cannot be invoked in {region}. " + " | ".join(parts)


# When a model routes to an Anthropic model and GetUseCaseForModelAccess could not be read.
USE_CASE_UNREADABLE = (
    "Could not read whether the account submitted Anthropic's use-case form (GetUseCaseForModelAccess was "
    "denied, or botocore is too old to have it): allow bedrock:GetUseCaseForModelAccess so it can be checked."
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


def read_access(client, models, region, read_form=False):
    """The reads every access check starts with, before any write: the foundation models behind each of `models`,
    each one's availability (once), and the account's Anthropic use-case form when one of them is an Anthropic
    model, or `read_form`. Returns (routes {model: [foundation model IDs]}, availability {foundation model ID:
    statuses}, use-case form status, the submitted form or None)."""
    routes = {model: foundation_ids(client, model, region) for model in models}
    availability = {}
    for ids in routes.values():
        for fm in ids:
            if fm not in availability:
                availability[fm] = get_availability(client, fm)
    status, submitted = USE_CASE_NOT_CHECKED, None
    if read_form or any(needs_use_case_form(fm) for fm in availability):
        status, submitted = get_use_case_form(client)
    return routes, availability, status, submitted


def form_unreadable(availability, use_case_status):
    """Whether a checked model routes to an Anthropic model and the account's use-case form could not be read
    (warn with USE_CASE_UNREADABLE)."""
    return use_case_status == USE_CASE_UNKNOWN and any(needs_use_case_form(fm) for fm in availability)


def access_outcome(routes, availability, region, use_case_status, created=(), judged=None, submitted=False):
    """What an access check returns (model_availability's result, inference_profile's `access`): each model judged
    (model_result), the unavailable ones, the agreements created and the use-case form; with the message naming
    every unavailable model (None when all are available)."""
    judged_form = USE_CASE_SUBMITTED if submitted else use_case_status
    results = [model_result(m, ids, availability, region, created, judged, judged_form) for m, ids in routes.items()]
    outcome = dict(
        changed=bool(created) or submitted,
        models=results,
        unavailable=[r["model_id"] for r in results if not r["available"]],
        agreements_created=list(created),
        use_case_form=dict(status=use_case_status, submitted=submitted),
    )
    return outcome, unavailable_message(results, region)


def wait_until_available(fetch, availability, agreements_requested, timeout, sleep=time.sleep, clock=time.monotonic):
    """Poll fetch(foundation_model_id) for the models that waiting can still make available, until none is left
    or timeout seconds have passed. Updates and returns `availability`."""
    deadline = clock() + timeout
    delay = 2.0
    while True:
        pending = [fm for fm, av in availability.items() if waitable(av, fm in agreements_requested)]
        remaining = deadline - clock()
        if not pending or remaining <= 0:
            return availability
        sleep(min(delay, remaining))
        delay = min(delay * 2, 20.0)
        for fm in pending:
            availability[fm] = fetch(fm)


# ---------------------------------------------------------------------------------------------------------------
# The Bedrock calls
# ---------------------------------------------------------------------------------------------------------------


def get_availability(client, model_id):
    """The statuses of one foundation model (GetFoundationModelAvailability)."""

    @BedrockErrorHandler.common_error_handler(f"get the availability of {model_id}")
    def _get():
        return client.get_foundation_model_availability(modelId=model_id, aws_retry=True)

    return availability_from_api(_get())


def list_offers(client, model_id):
    """The model's agreement offers (ListFoundationModelAgreementOffers): a read, so the plan can refuse a model
    without an offer before any agreement is created."""

    @BedrockErrorHandler.common_error_handler(f"list the agreement offers of {model_id}")
    def _list():
        return client.list_foundation_model_agreement_offers(modelId=model_id, aws_retry=True).get("offers") or []

    return _list()


def create_agreement(client, model_id, offer_token):
    """Accept one agreement offer (CreateFoundationModelAgreement)."""

    @BedrockErrorHandler.common_error_handler(f"accept the model agreement for {model_id}")
    def _create():
        client.create_foundation_model_agreement(modelId=model_id, offerToken=offer_token, aws_retry=True)

    _create()


def get_use_case_form(client):
    """(status, submitted form or None): the account's Anthropic use-case form (GetUseCaseForModelAccess).

    ResourceNotFoundException means none was submitted. A caller without bedrock:GetUseCaseForModelAccess, or a
    botocore too old to have the call, gets UNKNOWN rather than a failure: the check is advice, not a gate."""
    if not hasattr(client, "get_use_case_for_model_access"):
        return USE_CASE_UNKNOWN, None

    @BedrockErrorHandler.common_error_handler("read the account's Anthropic use-case form")
    def _get():
        try:
            return client.get_use_case_for_model_access(aws_retry=True)
        except is_boto3_error_code("ResourceNotFoundException"):
            return None
        except is_boto3_error_code("AccessDeniedException"):
            return False

    response = _get()
    if response is None:
        return USE_CASE_NOT_SUBMITTED, None
    if response is False:
        return USE_CASE_UNKNOWN, None
    return USE_CASE_SUBMITTED, parse_use_case_form(response.get("formData"))


def put_use_case_form(client, form):
    """Submit the Anthropic use-case form for the account (PutUseCaseForModelAccess)."""

    @BedrockErrorHandler.common_error_handler("submit the Anthropic use-case form (PutUseCaseForModelAccess)")
    def _put():
        client.put_use_case_for_model_access(formData=use_case_form_data(form), aws_retry=True)

    try:
        _put()
    except BedrockError as e:
        code = (getattr(e.exception, "response", None) or {}).get("Error", {}).get("Code")
        region = getattr(getattr(client, "meta", None), "region_name", None)
        if code != "ValidationException" or region == "us-east-1":
            raise
        # Public reports (FIDELITY.md) say the call is accepted only in us-east-1; the form is account-wide, so
        # submitting it from there serves every region.
        raise BedrockError(
            message=f"{e.message}. Users report that PutUseCaseForModelAccess works only in us-east-1, while this "
            f"ran in {region}: the form is account-wide, so submit it once with region: us-east-1",
            exception=e.exception,
        ) from e
