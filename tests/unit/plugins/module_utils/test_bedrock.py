"""The decision logic shared by the modules: the API's constraints (kept equal to botocore's model), input
messages, ARN parsing, model-source resolution against the emulator, and what counts as an immutable change."""

from __future__ import annotations

import re

import boto3
import botocore.session
import pytest

from ansible_collections.librechat.bedrock.plugins.module_utils import bedrock

MODEL = botocore.session.get_session().get_service_model("bedrock")


@pytest.mark.parametrize(
    ("shape", "pattern", "maximum"),
    [
        ("InferenceProfileName", bedrock.NAME_PATTERN, bedrock.NAME_MAX),
        ("InferenceProfileDescription", bedrock.DESCRIPTION_PATTERN, bedrock.DESCRIPTION_MAX),
        ("TagKey", bedrock.TAG_PATTERN, bedrock.TAG_KEY_MAX),
        ("TagValue", bedrock.TAG_PATTERN, bedrock.TAG_VALUE_MAX),
    ],
)
def test_constraints_equal_botocores_model(shape, pattern, maximum):
    metadata = MODEL.shape_for(shape).metadata
    assert metadata["pattern"] == pattern
    assert metadata["max"] == maximum
    assert MODEL.shape_for("TagList").metadata["max"] == bedrock.TAGS_MAX


@pytest.mark.parametrize("name", ["LibreChat-us-anthropic-claude-3-7-sonnet-20250219-v1-0", "a", "A b_c-d", "x" * 64])
def test_valid_names_pass(name):
    assert bedrock.name_error(name) is None


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("LibreChat claude 3.7!", "for example 'LibreChat-claude-3-7'"),
        ("x" * 65, "65 characters long; Bedrock allows at most 64"),
        ("", "must not be empty"),
        ("double  space", "does not match"),
    ],
)
def test_bad_names_say_value_and_fix(name, fragment):
    message = bedrock.name_error(name)
    assert message.startswith("name=") or "empty" in message
    assert fragment in message


def test_suggested_names_are_valid_and_follow_the_seed():
    assert bedrock.suggest_name("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "LibreChat-") == (
        "LibreChat-us-anthropic-claude-3-7-sonnet-20250219-v1-0"
    )
    for text in ("!!!", "a" * 100, "us.amazon.nova-pro-v1:0"):
        assert bedrock.name_error(bedrock.suggest_name(text)) is None


def test_description_and_tag_errors():
    assert bedrock.description_error("Custom inference profile for LibreChat-claude") is None
    assert "no commas" in bedrock.description_error("a, b")
    assert bedrock.tags_errors({"Application": "LibreChat", "Empty": ""}) == []
    errors = bedrock.tags_errors({"bad,key": "v", "k": "bad,value", "x" * 129: "v"})
    assert len(errors) == 3
    assert any("tags key='bad,key'" in e for e in errors)
    assert any("tags['k']='bad,value'" in e for e in errors)
    assert any("129 characters long" in e for e in errors)
    assert "201 tags" in bedrock.tags_errors({f"k{i}": "v" for i in range(201)})[0]


def test_arn_parsing():
    app = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdefabcdef"
    system = "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0"
    assert bedrock.is_application_profile_arn(app)
    assert not bedrock.is_application_profile_arn(system)
    assert not bedrock.is_application_profile_arn("us.amazon.nova-pro-v1:0")
    assert bedrock.parse_profile_arn(system)["region"] == "eu-west-1"
    fm = "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0"
    assert bedrock.foundation_model_id(fm) == "amazon.nova-pro-v1:0"
    assert bedrock.foundation_model_id(app) is None
    assert bedrock.SYSTEM_PROFILE_ID.match("global.anthropic.claude-opus-4-5-20251101-v1:0")
    assert not bedrock.SYSTEM_PROFILE_ID.match("anthropic.claude-3-haiku-20240307-v1:0")


def test_immutable_differences_name_both_values():
    existing = {"models": [{"modelArn": "a"}, {"modelArn": "b"}], "description": "old"}
    assert bedrock.immutable_differences(existing, ["b", "a"], None) == []
    assert bedrock.immutable_differences(existing, ["b", "a"], "old") == []
    differences = bedrock.immutable_differences(existing, ["c"], "new")
    assert differences == [
        "models: it routes to ['a', 'b'], model_source routes to ['c']",
        "description: it is 'old', wanted 'new'",
    ]


def test_client_request_token_is_stable_and_valid():
    token = bedrock.client_request_token("us-east-1", "name", "arn", None, {"b": "2", "a": "1"}, None)
    assert token == bedrock.client_request_token("us-east-1", "name", "arn", None, {"a": "1", "b": "2"}, None)
    assert token != bedrock.client_request_token("us-east-1", "name", "arn", None, {"a": "1"}, None)
    assert re.fullmatch(
        MODEL.operation_model("CreateInferenceProfile").input_shape.members["clientRequestToken"].metadata["pattern"],
        token,
    )


def test_profile_result_is_snake_case():
    import datetime

    moment = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    result = bedrock.profile_result(
        {"inferenceProfileArn": "arn", "models": [{"modelArn": "m"}], "createdAt": moment, "type": "APPLICATION"},
        {"a": "1"},
    )
    assert result["inference_profile_arn"] == "arn"
    assert result["models"] == [{"model_arn": "m"}]
    assert result["created_at"] == "2025-01-01T00:00:00+00:00"
    assert result["tags"] == {"a": "1"}
    assert "tags" not in bedrock.profile_result({})


class Retrying:
    """The aws_retry keyword the amazon.aws wrapper adds, over a plain boto3 client."""

    def __init__(self, client):
        self.client = client
        self.calls = []

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(*args, aws_retry=False, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return call


@pytest.fixture
def bedrock_client(client):
    return Retrying(client("bedrock"))


def test_resolve_a_system_profile_id_from_a_listing_makes_no_call(bedrock_client):
    listing = bedrock.list_inference_profiles(bedrock_client)
    bedrock_client.calls.clear()
    source = bedrock.resolve_model_source(bedrock_client, "us.amazon.nova-pro-v1:0", "us-east-1", listing)
    assert bedrock_client.calls == []
    assert source.arn == "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0"
    assert len(source.models) == 3


def test_resolve_a_foundation_model_and_arns(bedrock_client):
    source = bedrock.resolve_model_source(bedrock_client, "anthropic.claude-3-haiku-20240307-v1:0", "us-east-1")
    assert source.arn == "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    assert source.models == [source.arn]
    by_arn = bedrock.resolve_model_source(bedrock_client, source.arn, "us-east-1")
    assert by_arn.arn == source.arn
    profile_arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0"
    assert bedrock.resolve_model_source(bedrock_client, profile_arn, "us-east-1").arn == profile_arn


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
        bedrock.resolve_model_source(bedrock_client, source, "us-east-1")
    assert fragment in error.value.message
    assert repr(source) in error.value.message


def test_paginate_follows_every_page(bedrock_client, control):
    control.config(page_size=5)
    items = bedrock.list_inference_profiles(bedrock_client, "SYSTEM_DEFINED")
    assert len(items) == len({p["inferenceProfileId"] for p in items}) > 20
    assert bedrock_client.calls.count("list_inference_profiles") == -(-len(items) // 5)


def test_wait_for_stops_when_ready_or_timed_out():
    ticks = iter(range(100))
    results = iter([None, None, {"status": "ACTIVE"}])
    found = bedrock.wait_for(
        lambda: next(results), lambda r: r is not None, 60, sleep=lambda s: None, clock=lambda: next(ticks)
    )
    assert found == {"status": "ACTIVE"}
    clock = iter([0, 0, 5, 11])
    assert (
        bedrock.wait_for(lambda: None, lambda r: r is not None, 10, sleep=lambda s: None, clock=lambda: next(clock))
        is None
    )


def test_the_retry_decorator_retries_bedrock_throttling(aws_env, control):
    control.config(throttle_every=2, throttle_services=["bedrock"])
    plain = boto3.session.Session().client("bedrock", config=botocore.config.Config(retries={"max_attempts": 1}))

    @bedrock.retry_decorator()
    def get():
        return plain.get_inference_profile(inferenceProfileIdentifier="us.amazon.nova-pro-v1:0")

    for _attempt in range(4):
        assert get()["inferenceProfileId"] == "us.amazon.nova-pro-v1:0"
    statuses = [c["status"] for c in control.calls()["calls"]]
    assert 429 in statuses and statuses.count(200) == 4
