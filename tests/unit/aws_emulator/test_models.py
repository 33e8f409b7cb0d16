"""Foundation models, their availability and agreements through boto3 against the emulator."""

from __future__ import annotations

import time

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


def test_offers_and_agreement_propagation(client, control):
    bedrock = client("bedrock")
    control.set_availability("us-east-1", CLAUDE, agreement="NOT_AVAILABLE")
    control.config(agreement_propagation_seconds=0.5)
    offers = bedrock.list_foundation_model_agreement_offers(modelId=CLAUDE)
    assert_valid_output("ListFoundationModelAgreementOffers", offers)
    assert len(offers["offers"]) == 1
    token = offers["offers"][0]["offerToken"]
    created = bedrock.create_foundation_model_agreement(modelId=CLAUDE, offerToken=token)
    assert_valid_output("CreateFoundationModelAgreement", created)
    assert created["modelId"] == CLAUDE
    assert bedrock.get_foundation_model_availability(modelId=CLAUDE)["agreementAvailability"]["status"] == "PENDING"
    time.sleep(0.6)
    assert bedrock.get_foundation_model_availability(modelId=CLAUDE)["agreementAvailability"]["status"] == "AVAILABLE"
    with pytest.raises(ClientError) as error:
        bedrock.create_foundation_model_agreement(modelId=CLAUDE, offerToken=token)
    assert error.value.response["Error"]["Code"] == "ConflictException"


def test_agreement_rejects_a_foreign_offer_token(client):
    bedrock = client("bedrock")
    token = bedrock.list_foundation_model_agreement_offers(modelId=CLAUDE)["offers"][0]["offerToken"]
    with pytest.raises(ClientError) as error:
        bedrock.create_foundation_model_agreement(modelId="anthropic.claude-opus-4-20250514-v1:0", offerToken=token)
    assert error.value.response["Error"]["Code"] == "ValidationException"


def test_first_party_models_offer_no_agreement(client):
    assert client("bedrock").list_foundation_model_agreement_offers(modelId=NOVA)["offers"] == []
