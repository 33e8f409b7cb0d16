"""The decision logic shared by the modules: the API's constraints (kept equal to botocore's model), input
messages, ARN parsing, model-source resolution against the emulator, and what counts as an immutable change."""

from __future__ import annotations

import pathlib
import re

import boto3
import botocore
import botocore.exceptions
import botocore.session
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.botocore import botocore_at_least
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper

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


def fm(region, model="anthropic.claude-sonnet-4-5-20250929-v1:0"):
    return f"arn:aws:bedrock:{region}::foundation-model/{model}"


def test_immutable_differences_name_both_values():
    existing = {"models": [{"modelArn": fm("us-east-1", "a.b")}], "description": "old"}
    assert bedrock.immutable_differences(existing, [fm("us-east-1", "a.b")], None) == []
    assert bedrock.immutable_differences(existing, [fm("us-east-1", "a.b")], "old") == []
    differences = bedrock.immutable_differences(existing, [fm("us-east-1", "c.d")], "new")
    assert differences == [
        "models: it routes to a.b (one region), model_source routes to c.d (one region)",
        "description: it is 'old', wanted 'new'",
    ]


@pytest.mark.parametrize(
    "current",
    [
        # the global shape: region-less ARN plus the source region's, in either order
        [fm("us-east-1"), fm("")],
        [fm(""), fm("us-east-1")],
        # AWS added a destination region to the global profile's list
        [fm(""), fm("us-east-1"), fm("eu-west-1")],
    ],
)
def test_a_global_profile_is_compared_by_model_not_by_arn_list(current):
    """A global profile's routing shape, or AWS adding a destination region, never makes a later run fail or
    recreate: what counts is the models and the reach, not the exact ARNs."""
    wanted = [fm("us-east-1"), fm("")]
    assert bedrock.immutable_differences({"models": [{"modelArn": a} for a in current]}, wanted, None) == []


def test_adding_a_destination_region_to_a_geography_changes_nothing():
    current = [{"modelArn": fm(r)} for r in ("us-east-1", "us-east-2", "us-west-2")]
    wanted = [fm(r) for r in ("us-east-1", "us-east-2", "us-west-2", "us-west-1")]
    assert bedrock.immutable_differences({"models": current}, wanted, None) == []


@pytest.mark.parametrize(
    ("current", "wanted", "fragment"),
    [
        ([fm("us-east-1")], [fm("us-east-1"), fm("us-west-2")], "(one region), model_source routes to"),
        ([fm("us-east-1"), fm("us-west-2")], [fm("us-east-1"), fm("")], "(cross-region), model_source routes to"),
        ([fm("us-east-1")], [fm("us-east-1", "amazon.nova-pro-v1:0")], "amazon.nova-pro-v1:0 (one region)"),
    ],
)
def test_a_change_of_model_or_reach_is_a_difference(current, wanted, fragment):
    differences = bedrock.immutable_differences({"models": [{"modelArn": a} for a in current]}, wanted, None)
    assert len(differences) == 1 and fragment in differences[0]


def test_client_request_tokens_are_fresh_and_valid():
    """A token is never reused for a new creation: a create after a delete of the same profile must not be taken
    for the earlier request (Bedrock ignores a request whose token matches a previous one)."""
    tokens = {bedrock.client_request_token() for _index in range(50)}
    assert len(tokens) == 50
    pattern = MODEL.operation_model("CreateInferenceProfile").input_shape.members["clientRequestToken"].metadata
    for token in tokens:
        assert re.fullmatch(pattern["pattern"], token) and len(token) <= pattern["max"]


def test_retries_of_one_create_resend_its_token():
    """AWSRetry re-calls the method with the same keyword arguments: the token chosen for one creation is sent
    again by every retry of it, so a retried create that had succeeded answers the same profile."""
    sent = []

    class Flaky:
        def create_inference_profile(self, **kwargs):
            sent.append(kwargs["clientRequestToken"])
            if len(sent) == 1:
                raise botocore.exceptions.ClientError(
                    {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "CreateInferenceProfile"
                )
            return {"inferenceProfileArn": "arn", "status": "ACTIVE"}

    wrapped = RetryingBotoClientWrapper(
        Flaky(), AWSRetry.jittered_backoff(retries=3, delay=0, catch_extra_error_codes=bedrock.RETRY_CODES)
    )
    token = bedrock.client_request_token()
    wrapped.create_inference_profile(aws_retry=True, inferenceProfileName="n", clientRequestToken=token)
    assert sent == [token, token]


def test_a_quota_is_not_retried():
    assert "ServiceQuotaExceededException" not in bedrock.RETRY_CODES
    calls = []

    @bedrock.retry_decorator()
    def create():
        calls.append(1)
        raise botocore.exceptions.ClientError(
            {"Error": {"Code": "ServiceQuotaExceededException", "Message": "quota"}}, "CreateInferenceProfile"
        )

    with pytest.raises(botocore.exceptions.ClientError):
        create()
    assert calls == [1]


def test_error_code_reads_a_wrapped_client_error():
    error = botocore.exceptions.ClientError({"Error": {"Code": "ConflictException"}}, "CreateInferenceProfile")
    assert bedrock.error_code(bedrock.BedrockError(message="x", exception=error)) == "ConflictException"
    assert bedrock.error_code(error) == "ConflictException"
    assert bedrock.error_code(bedrock.BedrockError(message="x")) is None


class FakeModule:
    def __init__(self, region="us-east-1"):
        self.region = region
        self.checked = []

    def require_botocore_at_least(self, desired, reason=None):
        self.checked.append(desired)
        if not botocore_at_least(desired):
            raise SystemExit(reason)

    def fail_json(self, msg, **kwargs):
        raise SystemExit(msg)

    def client(self, service, retry_decorator=None):
        return service


def test_every_client_requires_botocore_1_38_43(monkeypatch):
    """One place, bedrock_client(), checks the version for every module (each makes its client there)."""
    module = FakeModule()
    assert bedrock.bedrock_client(module, "logs") == "logs"
    assert module.checked == ["1.38.43"]
    monkeypatch.setattr(botocore, "__version__", "1.38.42")
    with pytest.raises(SystemExit) as failure:
        bedrock.bedrock_client(FakeModule())
    assert "pip install 'botocore>=1.38.43'" in str(failure.value)


def test_every_module_makes_its_client_through_bedrock_client():
    modules = pathlib.Path(bedrock.__file__).parents[1] / "modules"
    for path in modules.glob("*.py"):
        text = path.read_text()
        if "AnsibleAWSModule" in text:
            assert "bedrock_client(module" in text and "module.client(" not in text, path.name
            assert "botocore >= 1.38.43" in text, f"{path.name} documents no botocore requirement"


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
    listing = bedrock.list_inference_profiles(bedrock_client, "SYSTEM_DEFINED")
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


class Recording(Retrying):
    """Also keeps each call's keyword arguments."""

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(*args, aws_retry=False, **kwargs):
            self.calls.append((name, kwargs.get("typeEquals")))
            return method(*args, **kwargs)

        return call


def test_every_listing_names_its_type(client):
    """Without typeEquals Bedrock lists SYSTEM_DEFINED profiles only (aws/aws-cli#9728): a listing that does not
    say which type it wants is a bug, and both kinds take two calls."""
    recording = Recording(client("bedrock"))
    client("bedrock").create_inference_profile(
        inferenceProfileName="LibreChat-mine",
        modelSource={"copyFrom": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"},
    )
    with pytest.raises(ValueError):
        bedrock.list_inference_profiles(recording, None)
    apps = bedrock.list_inference_profiles(recording, "APPLICATION")
    assert [p["inferenceProfileName"] for p in apps] == ["LibreChat-mine"]
    both = bedrock.list_all_inference_profiles(recording)
    assert recording.calls == [
        ("list_inference_profiles", "APPLICATION"),
        ("list_inference_profiles", "SYSTEM_DEFINED"),
        ("list_inference_profiles", "APPLICATION"),
    ]
    assert {p["type"] for p in both} == {"SYSTEM_DEFINED", "APPLICATION"}
    assert both[-1]["inferenceProfileName"] == "LibreChat-mine"


def test_a_model_without_on_demand_throughput_is_refused_naming_its_system_profiles(bedrock_client):
    with pytest.raises(bedrock.BedrockError) as error:
        bedrock.resolve_model_source(bedrock_client, "anthropic.claude-sonnet-4-5-20250929-v1:0", "us-east-1")
    message = error.value.message
    assert error.value.exception is None
    assert "no on-demand throughput in us-east-1" in message
    assert "us.anthropic.claude-sonnet-4-5-20250929-v1:0" in message
    assert "global.anthropic.claude-sonnet-4-5-20250929-v1:0" in message
    assert "eu.anthropic" not in message  # only profiles the region offers
    arn = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"
    with pytest.raises(bedrock.BedrockError, match="no on-demand throughput"):
        bedrock.resolve_model_source(bedrock_client, arn, "us-east-1")
    # a listing handed over (or a callable making it) is used instead of a call of its own
    bedrock_client.calls.clear()
    with pytest.raises(bedrock.BedrockError, match="no system inference profile in us-east-1 routes to it"):
        bedrock.resolve_model_source(bedrock_client, arn, "us-east-1", lambda: [])
    assert "list_inference_profiles" not in bedrock_client.calls


def test_sources_and_tags_that_can_never_work_are_named_without_a_call():
    app = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdefabcdef"
    message = bedrock.model_source_error(app)
    assert f"model_source={app!r}" in message and "system inference profile ID" in message
    assert bedrock.model_source_error("us.amazon.nova-pro-v1:0") is None
    errors = bedrock.tags_errors({"aws:cloudformation:stack-name": "x", "Team": "a"})
    assert errors == [
        "tags key='aws:cloudformation:stack-name' starts with 'aws:', which AWS reserves for its own tags: rename "
        "the tag (for example 'cloudformation:stack-name')"
    ]
    assert bedrock.tags_errors({"AWS:x": "y"}, option="profiles[0] (a).tags")[0].startswith("profiles[0] (a).tags")
    assert bedrock.tags_errors({"aws:x": "y"}, reserved_ok=True) == []


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
