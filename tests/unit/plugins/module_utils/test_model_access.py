"""Model access decisions: which statuses are good, the sentence (and fix) for each bad one, what waiting can
change, and the one failure message."""

from __future__ import annotations

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
