"""Model access decisions: which statuses are good, the sentence (and fix) for each bad one, what waiting can
change, and the one failure message."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

from ansible_collections.librechat.bedrock.plugins.module_utils import model_access as ma

GOOD = {
    "agreement_status": "AVAILABLE",
    "agreement_error": None,
    "authorization_status": "AUTHORIZED",
    "entitlement_availability": "AVAILABLE",
    "region_availability": "AVAILABLE",
}


def state(**changes):
    return dict(GOOD, **changes)


def test_availability_from_the_api_shape():
    parsed = ma.availability_from_api(
        {
            "agreementAvailability": {"status": "ERROR", "errorMessage": "boom"},
            "authorizationStatus": "AUTHORIZED",
            "entitlementAvailability": "AVAILABLE",
            "regionAvailability": "AVAILABLE",
        }
    )
    assert parsed == state(agreement_status="ERROR", agreement_error="boom")
    assert ma.is_available(GOOD) and not ma.is_available(parsed)


def test_each_problem_carries_its_fix():
    assert ma.problems("m", GOOD, "us-east-1") == []
    (agreement,) = ma.problems("m", state(agreement_status="NOT_AVAILABLE"), "us-east-1")
    assert "accept_agreement: true" in agreement and "us-east-1" in agreement
    (pending,) = ma.problems("m", state(agreement_status="PENDING"), "us-east-1")
    assert "wait: true" in pending
    (error,) = ma.problems("m", state(agreement_status="ERROR", agreement_error="card declined"), "r")
    assert "card declined" in error
    (auth,) = ma.problems("m", state(authorization_status="NOT_AUTHORIZED"), "r")
    assert "aws-marketplace:Subscribe" in auth
    (region,) = ma.problems("m", state(region_availability="NOT_AVAILABLE"), "eu-west-3")
    assert "not offered in eu-west-3" in region and "cross-region inference profile" in region


def test_only_time_fixable_states_are_waited_for():
    assert ma.waitable(state(agreement_status="PENDING"))
    assert not ma.waitable(state(agreement_status="NOT_AVAILABLE"))
    assert ma.waitable(state(agreement_status="NOT_AVAILABLE"), agreement_requested=True)
    assert not ma.waitable(state(region_availability="NOT_AVAILABLE", agreement_status="PENDING"))
    assert not ma.waitable(state(authorization_status="NOT_AUTHORIZED"))
    assert not ma.waitable(GOOD)


def test_wait_polls_only_what_can_change():
    availability = {"a": state(agreement_status="PENDING"), "b": state(region_availability="NOT_AVAILABLE")}
    fetched = []

    def fetch(model):
        fetched.append(model)
        return GOOD

    clock = iter(range(0, 1000, 1))
    ma.wait_until_available(fetch, availability, [], 60, sleep=lambda s: None, clock=lambda: next(clock))
    assert fetched == ["a"]
    assert availability["a"] == GOOD


def test_worst_status_wins_and_the_message_lists_every_model():
    result = ma.model_result("us.x.y-v1:0", ["x.y-v1:0"], {"x.y-v1:0": state(agreement_status="PENDING")}, "us-east-1")
    assert result["available"] is False and result["agreement_status"] == "PENDING"
    ok = ma.model_result("z", ["z"], {"z": GOOD}, "us-east-1")
    message = ma.unavailable_message([result, ok], "us-east-1")
    assert message.startswith("1 of 2 model(s) cannot be invoked in us-east-1.")
    assert "us.x.y-v1:0 (routes to x.y-v1:0)" in message
    assert ma.unavailable_message([ok], "us-east-1") is None
    assert ma.worst([GOOD, state(agreement_status="ERROR")])["agreement_status"] == "ERROR"


def test_check_mode_judges_on_the_predicted_state():
    availability = {"m": state(agreement_status="NOT_AVAILABLE", entitlement_availability="NOT_AVAILABLE")}
    judged = {"m": ma.predicted_after_agreement(availability["m"])}
    result = ma.model_result("m", ["m"], availability, "r", ["m"], judged)
    assert result["available"] and result["agreement_created"]
    assert result["agreement_status"] == "NOT_AVAILABLE"


# ----------------------------------------------------------------------------- model access as AWS runs it today


def test_no_advice_points_at_the_retired_model_access_page():
    sentences = []
    for status in ("NOT_AVAILABLE", "PENDING", "ERROR"):
        sentences += ma.problems("m", state(agreement_status=status, agreement_error="x"), "us-east-1")
    sentences.append(ma.use_case_problem("anthropic.claude-x-v1:0"))
    sentences += ma.plan_access({"m": state(agreement_status="NOT_AVAILABLE")}, {"m": []}, "SUBMITTED", True)[
        "refusals"
    ]
    assert sentences and not [s for s in sentences if "Model access page" in s or "model access page" in s]


def test_pending_agreement_says_it_propagates_and_how_invocations_fail_meanwhile():
    (pending,) = ma.problems("m", state(agreement_status="PENDING"), "us-east-1")
    assert "minutes" in pending and "AccessDeniedException" in pending and "aws-marketplace" in pending


def test_only_anthropic_models_need_the_use_case_form():
    assert ma.needs_use_case_form("anthropic.claude-3-haiku-20240307-v1:0")
    assert not ma.needs_use_case_form("amazon.nova-pro-v1:0")
    assert not ma.needs_use_case_form("meta.llama3-3-70b-instruct-v1:0")


def test_a_missing_form_makes_an_anthropic_model_unavailable_and_names_the_fix():
    claude, nova = "anthropic.claude-x-v1:0", "amazon.nova-pro-v1:0"
    availability = {claude: GOOD, nova: GOOD}
    missing = ma.model_result("us." + claude, [claude], availability, "us-east-1", use_case_status="NOT_SUBMITTED")
    assert missing["available"] is False and missing["use_case_form_required"] is True
    (sentence,) = missing["problems"]
    assert (
        "use-case form" in sentence and "use_case_form" in sentence and "inference_profiles_use_case_form" in sentence
    )
    assert "once per account" in sentence and "management account" in sentence
    assert ma.model_result(nova, [nova], availability, "r", use_case_status="NOT_SUBMITTED")["available"] is True
    assert ma.model_result(claude, [claude], availability, "r", use_case_status="SUBMITTED")["available"] is True
    # a caller that may not read the form is warned, not failed: the check is advice
    assert ma.model_result(claude, [claude], availability, "r", use_case_status="UNKNOWN")["available"] is True


FORM = {
    "company_name": "Example Corp",
    "company_website": "https://example.com",
    "intended_users": "0",
    "industry_option": "Technology",
    "other_industry_option": "",
    "use_cases": "Internal chat assistant for staff.",
}


def test_the_form_maps_to_aws_field_names():
    data = json.loads(ma.use_case_form_data(FORM))
    assert data == {
        "companyName": "Example Corp",
        "companyWebsite": "https://example.com",
        "intendedUsers": "0",
        "industryOption": "Technology",
        "otherIndustryOption": "",
        "useCases": "Internal chat assistant for staff.",
    }


def test_form_errors_name_the_key_the_value_and_the_fix():
    assert ma.use_case_form_errors(None) == [] and ma.use_case_form_errors(FORM) == []
    (empty,) = ma.use_case_form_errors(dict(FORM, company_name=" "))
    assert "use_case_form.company_name" in empty and "empty" in empty
    (kind,) = ma.use_case_form_errors(dict(FORM, use_cases=7))
    assert "use_case_form.use_cases=7" in kind
    assert ma.use_case_form_errors(dict(FORM, other_industry_option=None)) == []
    (size,) = ma.use_case_form_errors(dict(FORM, use_cases="x" * 17000))
    assert "16384" in size and "use_cases" in size


def test_the_submitted_form_is_read_whichever_way_it_is_encoded():
    raw = ma.use_case_form_data(FORM)
    assert ma.parse_use_case_form(raw)["companyName"] == "Example Corp"
    assert ma.parse_use_case_form(base64.b64encode(raw))["companyName"] == "Example Corp"
    assert ma.parse_use_case_form(b"not a form") is None
    submitted = json.loads(raw)
    assert ma.use_case_form_differs(submitted, FORM) == []
    assert ma.use_case_form_differs(submitted, dict(FORM, use_cases="Other")) == ["use_cases"]


def test_the_plan_submits_the_form_only_when_given_and_missing():
    assert ma.plan_access({}, {}, "NOT_SUBMITTED", False)["submit_use_case_form"] is False
    assert ma.plan_access({}, {}, "NOT_SUBMITTED", False, FORM)["submit_use_case_form"] is True
    assert ma.plan_access({}, {}, "SUBMITTED", False, FORM)["submit_use_case_form"] is False
    unknown = ma.plan_access({}, {}, "UNKNOWN", False, FORM)
    assert unknown["submit_use_case_form"] is False
    (refusal,) = unknown["refusals"]
    assert "bedrock:GetUseCaseForModelAccess" in refusal


def test_the_plan_finds_every_refusal_before_any_agreement_is_created():
    availability = {
        "a": state(agreement_status="NOT_AVAILABLE"),
        "b": state(agreement_status="NOT_AVAILABLE"),
        "c": GOOD,
    }
    offers = {"a": [{"offerToken": "tok-a"}], "b": []}
    plan = ma.plan_access(availability, offers, "NOT_CHECKED", True)
    assert plan["agreements"] == [("a", "tok-a")]
    (refusal,) = plan["refusals"]
    assert refusal.startswith("Bedrock lists no agreement offer for b")
    assert ma.plan_access(availability, offers, "NOT_CHECKED", False) == {
        "agreements": [],
        "submit_use_case_form": False,
        "refusals": [],
    }


class FakeBedrock:
    """Records the writes; the Nth CreateFoundationModelAgreement (1-based) fails as AWS would."""

    def __init__(self, fail_on_create=None):
        self.writes = []
        self.fail_on_create = fail_on_create

    def put_use_case_for_model_access(self, formData, aws_retry):
        self.writes.append(("PutUseCaseForModelAccess", json.loads(formData)["companyName"]))

    def create_foundation_model_agreement(self, modelId, offerToken, aws_retry):
        if len([w for w in self.writes if w[0] == "CreateFoundationModelAgreement"]) + 1 == self.fail_on_create:
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, "Create")
        self.writes.append(("CreateFoundationModelAgreement", modelId))


def test_apply_writes_the_form_then_each_agreement():
    plan = {"agreements": [("a", "t-a"), ("b", "t-b")], "submit_use_case_form": True, "refusals": []}
    client = FakeBedrock()
    assert ma.apply_plan(client, plan, FORM) == {"agreements": ["a", "b"], "use_case_form_submitted": True}
    assert client.writes == [
        ("PutUseCaseForModelAccess", "Example Corp"),
        ("CreateFoundationModelAgreement", "a"),
        ("CreateFoundationModelAgreement", "b"),
    ]


def test_a_failure_part_way_reports_what_was_already_done():
    plan = {"agreements": [("a", "t-a"), ("b", "t-b"), ("c", "t-c")], "submit_use_case_form": True, "refusals": []}
    client = FakeBedrock(fail_on_create=2)
    with pytest.raises(ma.AppliedPartly) as failure:
        ma.apply_plan(client, plan, FORM)
    assert failure.value.done == {"agreements": ["a"], "use_case_form_submitted": True}
    message = ma.partly_done_message(failure.value.error, failure.value.done)
    assert message.startswith("Failed to accept the model agreement for b")
    assert "submitted the Anthropic use-case form; accepted the agreement for a" in message
    assert ("CreateFoundationModelAgreement", "c") not in client.writes


class RefusingBedrock:
    """PutUseCaseForModelAccess refused with ValidationException, in `region`."""

    def __init__(self, region):
        self.meta = type("Meta", (), {"region_name": region})()

    def put_use_case_for_model_access(self, formData, aws_retry):
        raise ClientError({"Error": {"Code": "ValidationException", "Message": "Invalid form data."}}, "Put")


def test_an_invalid_form_outside_us_east_1_names_the_region_to_use():
    with pytest.raises(ma.BedrockError) as outside:
        ma.put_use_case_form(RefusingBedrock("eu-west-1"), FORM)
    assert "eu-west-1" in outside.value.message and "region: us-east-1" in outside.value.message
    with pytest.raises(ma.BedrockError) as inside:
        ma.put_use_case_form(RefusingBedrock("us-east-1"), FORM)
    assert "region: us-east-1" not in inside.value.message
