# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Model access: whether the foundation models behind the models LibreChat will use can be invoked in a region
(GetFoundationModelAvailability), what to do when they cannot, and accepting model agreements.

The decision logic is plain functions over plain data so roles, other modules and tests can reuse it.
"""

import time

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import BedrockError, BedrockErrorHandler

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
            f"The model agreement for {model_id} has not been accepted in {region}: accept it on the Bedrock "
            "console's Model access page, or run librechat.bedrock.model_availability with accept_agreement: true."
        )
    elif agreement == AGREEMENT_PENDING:
        out.append(
            f"The model agreement for {model_id} is still being processed (PENDING): wait a few minutes and retry, "
            "or run librechat.bedrock.model_availability with wait: true; until then invocations fail with "
            "AccessDeniedException."
        )
    elif agreement == AGREEMENT_ERROR:
        detail = availability.get("agreement_error")
        out.append(
            f"The model agreement for {model_id} is in ERROR"
            + (f" ({detail})" if detail else "")
            + ": request access again on the Bedrock console's Model access page."
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


def model_result(model_id, foundation_ids, availability, region, agreements_created=(), judged=None):
    """The per-model result the module returns.

    `availability` maps each foundation model ID to its statuses; `judged`, when given, maps them to the statuses
    the model is judged on (in check mode, the statuses an accepted agreement would bring).
    """
    current = worst([availability[fm] for fm in foundation_ids])
    basis = worst([(judged or availability)[fm] for fm in foundation_ids])
    sentences = []
    for fm in foundation_ids:
        sentences.extend(problems(fm, (judged or availability)[fm], region))
    return {
        "model_id": model_id,
        "foundation_model_ids": list(foundation_ids),
        "agreement_status": current["agreement_status"],
        "authorization_status": current["authorization_status"],
        "entitlement_availability": current["entitlement_availability"],
        "region_availability": current["region_availability"],
        "available": is_available(basis),
        "agreement_created": any(fm in agreements_created for fm in foundation_ids),
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


def accept_agreement(client, model_id):
    """Accept the model's agreement offer (ListFoundationModelAgreementOffers, CreateFoundationModelAgreement)."""

    @BedrockErrorHandler.common_error_handler(f"accept the model agreement for {model_id}")
    def _accept():
        offers = client.list_foundation_model_agreement_offers(modelId=model_id, aws_retry=True).get("offers")
        token = pick_offer(offers)
        if token is None:
            return False
        client.create_foundation_model_agreement(modelId=model_id, offerToken=token, aws_retry=True)
        return True

    if not _accept():
        raise BedrockError(
            message=f"Bedrock has no agreement offer for {model_id}: accept its agreement on the Bedrock console's "
            "Model access page"
        )
