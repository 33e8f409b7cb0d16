"""Foundation models, their availability and agreements through boto3 against the emulator."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError
from test_inference_profiles import assert_valid_output

CLAUDE = "anthropic.claude-3-7-sonnet-20250219-v1:0"
NOVA = "amazon.nova-pro-v1:0"


def test_get_foundation_model_by_id_and_arn(client):
    bedrock = client("bedrock")
    by_id = bedrock.get_foundation_model(modelIdentifier=CLAUDE)
    assert_valid_output("GetFoundationModel", by_id)
    details = by_id["modelDetails"]
    assert details["modelId"] == CLAUDE
    assert details["modelArn"] == f"arn:aws:bedrock:us-east-1::foundation-model/{CLAUDE}"
    assert details["providerName"] == "Anthropic"
    assert details["inferenceTypesSupported"] == []  # reachable only through an inference profile
    by_arn = bedrock.get_foundation_model(modelIdentifier=details["modelArn"])
    assert by_arn["modelDetails"] == details
    assert bedrock.get_foundation_model(modelIdentifier=NOVA)["modelDetails"]["inferenceTypesSupported"] == [
        "ON_DEMAND"
    ]


def test_unknown_model_is_not_found(client):
    bedrock = client("bedrock")
    for call in (
        lambda: bedrock.get_foundation_model(modelIdentifier="acme.nothing-v1:0"),
        lambda: bedrock.get_foundation_model_availability(modelId="acme.nothing-v1:0"),
        lambda: bedrock.list_foundation_model_agreement_offers(modelId="acme.nothing-v1:0"),
    ):
        with pytest.raises(ClientError) as error:
            call()
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_list_foundation_models_filters(client):
    bedrock = client("bedrock")
    everything = bedrock.list_foundation_models()
    assert_valid_output("ListFoundationModels", everything)
    ids = {m["modelId"] for m in everything["modelSummaries"]}
    assert {CLAUDE, NOVA} <= ids
    anthropic = bedrock.list_foundation_models(byProvider="Anthropic")["modelSummaries"]
    assert anthropic and {m["providerName"] for m in anthropic} == {"Anthropic"}
    embeddings = bedrock.list_foundation_models(byOutputModality="EMBEDDING")["modelSummaries"]
    assert [m["modelId"] for m in embeddings] == ["amazon.titan-embed-text-v2:0"]
    on_demand = bedrock.list_foundation_models(byInferenceType="ON_DEMAND")["modelSummaries"]
    assert NOVA in {m["modelId"] for m in on_demand} and CLAUDE not in {m["modelId"] for m in on_demand}


def test_availability_defaults_to_usable(client):
    response = client("bedrock").get_foundation_model_availability(modelId=CLAUDE)
    assert_valid_output("GetFoundationModelAvailability", response)
    assert response["agreementAvailability"] == {"status": "AVAILABLE"}
    assert response["authorizationStatus"] == "AUTHORIZED"
    assert response["entitlementAvailability"] == "AVAILABLE"
    assert response["regionAvailability"] == "AVAILABLE"


def test_availability_is_not_available_outside_the_models_regions(client):
    response = client("bedrock", region="eu-west-1").get_foundation_model_availability(
        modelId="anthropic.claude-opus-4-20250514-v1:0"
    )
    assert response["regionAvailability"] == "NOT_AVAILABLE"


@pytest.mark.parametrize(
    ("states", "field", "expected"),
    [
        ({"agreement": "NOT_AVAILABLE"}, "agreementAvailability", {"status": "NOT_AVAILABLE"}),
        ({"agreement": "PENDING"}, "agreementAvailability", {"status": "PENDING"}),
        ({"authorization": "NOT_AUTHORIZED"}, "authorizationStatus", "NOT_AUTHORIZED"),
        ({"entitlement": "NOT_AVAILABLE"}, "entitlementAvailability", "NOT_AVAILABLE"),
        ({"region": "NOT_AVAILABLE"}, "regionAvailability", "NOT_AVAILABLE"),
    ],
)
def test_tests_set_each_availability_state(client, control, states, field, expected):
    control.set_availability("us-east-1", CLAUDE, **states)
    bedrock = client("bedrock")
    response = bedrock.get_foundation_model_availability(modelId=CLAUDE)
    assert_valid_output("GetFoundationModelAvailability", response)
    assert response[field] == expected
    assert client("bedrock", region="us-west-2").get_foundation_model_availability(modelId=CLAUDE)[field] != expected


def test_agreement_error_carries_a_message(client, control):
    control.set_availability("us-east-1", CLAUDE, agreement="ERROR")
    response = client("bedrock").get_foundation_model_availability(modelId=CLAUDE)
    assert response["agreementAvailability"]["status"] == "ERROR"
    assert response["agreementAvailability"]["errorMessage"]


def test_control_rejects_unknown_states(control):
    with pytest.raises(Exception, match="400"):
        control.set_availability("us-east-1", CLAUDE, agreement="MAYBE")


def test_offers_and_agreement_propagation_is_counted(client, control):
    bedrock = client("bedrock")
    control.set_availability("us-east-1", CLAUDE, agreement="NOT_AVAILABLE")
    control.config(agreement_propagation_checks=2)
    offers = bedrock.list_foundation_model_agreement_offers(modelId=CLAUDE)
    assert_valid_output("ListFoundationModelAgreementOffers", offers)
    assert len(offers["offers"]) == 1
    token = offers["offers"][0]["offerToken"]
    created = bedrock.create_foundation_model_agreement(modelId=CLAUDE, offerToken=token)
    assert_valid_output("CreateFoundationModelAgreement", created)
    assert created["modelId"] == CLAUDE
    # PENDING for exactly the first two checks after the creation, however fast or slow they come
    statuses = [
        bedrock.get_foundation_model_availability(modelId=CLAUDE)["agreementAvailability"]["status"]
        for check in range(3)
    ]
    assert statuses == ["PENDING", "PENDING", "AVAILABLE"]
    with pytest.raises(ClientError) as error:
        bedrock.create_foundation_model_agreement(modelId=CLAUDE, offerToken=token)
    assert error.value.response["Error"]["Code"] == "ConflictException"


def accept_claude_agreement(client, control, propagation_checks):
    """Accept Claude's offer on an account without its agreement, the agreement then PENDING for that many
    availability checks; returns the bedrock client."""
    control.set_availability("us-east-1", CLAUDE, agreement="NOT_AVAILABLE")
    control.config(agreement_propagation_checks=propagation_checks)
    bedrock = client("bedrock")
    token = bedrock.list_foundation_model_agreement_offers(modelId=CLAUDE)["offers"][0]["offerToken"]
    bedrock.create_foundation_model_agreement(modelId=CLAUDE, offerToken=token)
    return bedrock


def test_a_pending_agreement_denies_invocation_as_aws_does(client, control):
    bedrock = accept_claude_agreement(client, control, propagation_checks=1)
    runtime = client("bedrock-runtime")
    request = {"modelId": f"us.{CLAUDE}", "messages": [{"role": "user", "content": [{"text": "hi"}]}]}
    with pytest.raises(ClientError) as error:
        runtime.converse(**request)
    assert error.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "aws-marketplace" in error.value.response["Error"]["Message"]
    # an invocation does not count as a check: the agreement is still pending until one availability check
    assert bedrock.get_foundation_model_availability(modelId=CLAUDE)["agreementAvailability"]["status"] == "PENDING"
    assert runtime.converse(**request)["stopReason"] == "end_turn"


def test_setting_the_knob_back_to_zero_settles_every_agreement(client, control):
    bedrock = accept_claude_agreement(client, control, propagation_checks=100)
    assert bedrock.get_foundation_model_availability(modelId=CLAUDE)["agreementAvailability"]["status"] == "PENDING"
    control.config(agreement_propagation_checks=0)
    assert bedrock.get_foundation_model_availability(modelId=CLAUDE)["agreementAvailability"]["status"] == "AVAILABLE"


def test_agreement_rejects_a_foreign_offer_token(client):
    bedrock = client("bedrock")
    token = bedrock.list_foundation_model_agreement_offers(modelId=CLAUDE)["offers"][0]["offerToken"]
    with pytest.raises(ClientError) as error:
        bedrock.create_foundation_model_agreement(modelId="anthropic.claude-opus-4-20250514-v1:0", offerToken=token)
    assert error.value.response["Error"]["Code"] == "ValidationException"


def test_first_party_models_offer_no_agreement(client):
    assert client("bedrock").list_foundation_model_agreement_offers(modelId=NOVA)["offers"] == []


# ----------------------------------------------------------------------------- the Anthropic use-case form
FORM = {
    "companyName": "Example Corp",
    "companyWebsite": "https://example.com",
    "intendedUsers": "0",
    "industryOption": "Technology",
    "otherIndustryOption": "",
    "useCases": "Internal chat assistant for staff.",
}
CONVERSE = {"messages": [{"role": "user", "content": [{"text": "hi"}]}]}


def submitted_form(response) -> dict:
    # the SDK hands the form back base64-encoded once more, as Terraform's provider reads it
    return json.loads(base64.b64decode(response["formData"]))


def test_a_settled_account_has_submitted_the_form(client):
    response = client("bedrock").get_use_case_for_model_access()
    assert_valid_output("GetUseCaseForModelAccess", response)
    assert set(submitted_form(response)) == set(FORM)
    assert client("bedrock-runtime").converse(modelId=f"us.{CLAUDE}", **CONVERSE)["stopReason"] == "end_turn"


def test_without_the_form_anthropic_models_fail_as_aws_fails(client, control):
    control.config(use_case_form_required=True)
    bedrock, runtime = client("bedrock"), client("bedrock-runtime")
    with pytest.raises(ClientError) as error:
        bedrock.get_use_case_for_model_access()
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # an Anthropic model, directly or through a system profile or an application profile that copies one
    profile = bedrock.create_inference_profile(
        inferenceProfileName="form-test",
        modelSource={"copyFrom": f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.{CLAUDE}"},
    )["inferenceProfileArn"]
    for model in ("anthropic.claude-3-haiku-20240307-v1:0", f"us.{CLAUDE}", profile):
        with pytest.raises(ClientError) as error:
            runtime.converse(modelId=model, **CONVERSE)
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert error.value.response["Error"]["Message"].startswith(
            "Model use case details have not been submitted for this account."
        )
    # the availability call does not show the form; other providers' models are not affected
    assert bedrock.get_foundation_model_availability(modelId=CLAUDE)["agreementAvailability"]["status"] == "AVAILABLE"
    assert runtime.converse(modelId=f"us.{NOVA}", **CONVERSE)["stopReason"] == "end_turn"


def test_submitting_the_form_is_account_wide_and_held_in_state(client, control):
    control.config(use_case_form_required=True)
    bedrock = client("bedrock", region="eu-west-1")
    created = bedrock.put_use_case_for_model_access(formData=json.dumps(FORM).encode())
    assert_valid_output("PutUseCaseForModelAccess", created)
    assert submitted_form(client("bedrock").get_use_case_for_model_access()) == FORM
    assert client("bedrock-runtime").converse(modelId=f"us.{CLAUDE}", **CONVERSE)["stopReason"] == "end_turn"
    assert control.state()["use_case_forms"] == [{"account": "123456789012", "formData": FORM}]
    calls = control.calls()["calls"]
    assert [c["write"] for c in calls if "UseCase" in c["operation"]] == [True, False]


@pytest.mark.parametrize(
    "form_data",
    [b"not json at all", json.dumps({"companyName": "Example Corp"}).encode(), json.dumps(["a", "b", "c"]).encode()],
)
def test_a_form_aws_cannot_read_is_invalid_form_data(client, control, form_data):
    control.config(use_case_form_required=True)
    with pytest.raises(ClientError) as error:
        client("bedrock").put_use_case_for_model_access(formData=form_data)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert error.value.response["Error"]["Message"] == "Invalid form data."
    assert control.state()["use_case_forms"] == []
