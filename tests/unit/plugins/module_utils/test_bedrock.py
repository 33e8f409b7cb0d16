"""The AWS plumbing shared by the modules: client request tokens, retries, the error code, the client every
module makes, listings that name their type, paging and waiting, against the emulator."""

from __future__ import annotations

import pathlib
import re

import boto3
import botocore
import botocore.exceptions
import botocore.loaders
import botocore.session
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.botocore import botocore_at_least
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper

from ansible_collections.librechat.bedrock.plugins.module_utils import bedrock

MODEL = botocore.session.get_session().get_service_model("bedrock")


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


def test_every_listing_names_its_type(client, recording_client):
    """Without typeEquals Bedrock lists SYSTEM_DEFINED profiles only (aws/aws-cli#9728): a listing that does not
    say which type it wants is a bug, and both kinds take two calls."""
    recording = recording_client
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


def test_sessions_of_one_module_run_share_one_data_loader(monkeypatch):
    # botocore's own factory, restored after the test (conftest.py restores it after every test)
    monkeypatch.setattr(botocore.session, "create_loader", botocore.loaders.create_loader)
    separate = [boto3.session.Session()._session.get_component("data_loader") for _session in range(2)]
    assert separate[0] is not separate[1]
    bedrock.share_data_loader()
    bedrock.share_data_loader()  # once is enough: a second call wraps nothing again
    assert botocore.session.create_loader.shared_by_librechat_bedrock
    sessions = [boto3.session.Session() for _session in range(3)]
    loaders = {id(s._session.get_component("data_loader")) for s in sessions}
    assert len(loaders) == 1
    # and clients made from those sessions read their models through it, as amazon.aws makes them
    clients = [
        s.client(service, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
        for s, service in zip(sessions, ("bedrock", "logs", "iam"))
    ]
    assert [c.meta.service_model.service_name for c in clients] == ["bedrock", "logs", "iam"]
