"""Resolving a model source against the emulator: a listing handed over is used, foundation models and ARNs,
and the messages of a source that cannot be used, naming the source and the region."""

from __future__ import annotations

import pytest

from ansible_collections.librechat.bedrock.plugins.module_utils import bedrock
from ansible_collections.librechat.bedrock.plugins.module_utils.model_source import resolve_model_source


def test_resolve_a_system_profile_id_from_a_listing_makes_no_call(bedrock_client):
    listing = bedrock.list_inference_profiles(bedrock_client, "SYSTEM_DEFINED")
    bedrock_client.calls.clear()
    source = resolve_model_source(bedrock_client, "us.amazon.nova-pro-v1:0", "us-east-1", listing)
    assert bedrock_client.calls == []
    assert source.arn == "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0"
    assert len(source.models) == 3


def test_resolve_a_foundation_model_and_arns(bedrock_client):
    source = resolve_model_source(bedrock_client, "anthropic.claude-3-haiku-20240307-v1:0", "us-east-1")
    assert source.arn == "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    assert source.models == [source.arn]
    by_arn = resolve_model_source(bedrock_client, source.arn, "us-east-1")
    assert by_arn.arn == source.arn
    profile_arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0"
    assert resolve_model_source(bedrock_client, profile_arn, "us-east-1").arn == profile_arn


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("us.acme.nothing-v1:0", "searched every page"),
        ("acme.nothing-v1:0", "offered in us-east-1"),
        ("arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0", "another region than us-east-1"),
        (
            "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0",
            "ID or the ARN of the profile in us-east-1",
        ),
    ],
)
def test_unresolvable_sources_name_source_and_region(bedrock_client, source, fragment):
    with pytest.raises(bedrock.BedrockError) as error:
        resolve_model_source(bedrock_client, source, "us-east-1")
    assert fragment in error.value.message
    assert repr(source) in error.value.message


def test_a_model_without_on_demand_throughput_is_refused_naming_its_system_profiles(bedrock_client):
    with pytest.raises(bedrock.BedrockError) as error:
        resolve_model_source(bedrock_client, "anthropic.claude-sonnet-4-5-20250929-v1:0", "us-east-1")
    message = error.value.message
    assert error.value.exception is None
    assert "no on-demand throughput in us-east-1" in message
    assert "us.anthropic.claude-sonnet-4-5-20250929-v1:0" in message
    assert "global.anthropic.claude-sonnet-4-5-20250929-v1:0" in message
    assert "eu.anthropic" not in message  # only profiles the region offers
    arn = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"
    with pytest.raises(bedrock.BedrockError, match="no on-demand throughput"):
        resolve_model_source(bedrock_client, arn, "us-east-1")
    # a listing handed over (or a callable making it) is used instead of a call of its own
    bedrock_client.calls.clear()
    with pytest.raises(bedrock.BedrockError, match="no system inference profile in us-east-1 routes to it"):
        resolve_model_source(bedrock_client, arn, "us-east-1", lambda: [])
    assert "list_inference_profiles" not in bedrock_client.calls
