"""Invocation logging decisions: the configuration compared as Bedrock treats it, the propagation retry and its
message, and reading records."""

from __future__ import annotations

import datetime
import json

import pytest
from botocore.exceptions import ClientError

from ansible_collections.librechat.bedrock.plugins.module_utils import invocation_logs as il

FLAGS = ["text_data_delivery_enabled", "image_data_delivery_enabled", "embedding_data_delivery_enabled"]
PARAMS = {
    "cloudwatch_config": {
        "log_group_name": "/aws/bedrock/model-invocations",
        "role_arn": "arn:aws:iam::123456789012:role/BedrockLoggingRole",
        "large_data_delivery_s3_config": {"bucket_name": "bedrock-logs-123456789012", "key_prefix": "large-data"},
    },
    "s3_config": None,
    "text_data_delivery_enabled": True,
    "image_data_delivery_enabled": True,
    "embedding_data_delivery_enabled": True,
}


def permission_error():
    return ClientError(
        {"Error": {"Code": "ValidationException", "Message": "Failed to validate permissions for log group: g"}}, "Put"
    )


def test_built_config_round_trips_and_compares_equal():
    wanted = il.build_api_config(PARAMS, FLAGS)
    assert wanted["cloudWatchConfig"]["largeDataDeliveryS3Config"] == {
        "bucketName": "bedrock-logs-123456789012",
        "keyPrefix": "large-data",
    }
    current = il.normalize_api_config(json.loads(json.dumps(wanted)))
    assert il.configs_equal(current, wanted)
    assert not il.configs_equal(current, dict(wanted, textDataDeliveryEnabled=False))
    assert il.config_to_snake(wanted)["cloudwatch_config"]["log_group_name"] == "/aws/bedrock/model-invocations"


def test_an_emptied_configuration_counts_as_none():
    assert il.normalize_api_config({}) is None
    assert il.normalize_api_config({"textDataDeliveryEnabled": True}) is None
    assert il.configs_equal(None, None)


def test_propagation_retry_gives_up_with_what_to_check():
    attempts = []

    def put(config):
        attempts.append(config)
        raise permission_error()

    clock = iter(range(0, 1000, 5))
    with pytest.raises(il.LoggingConfigError) as error:
        il.put_with_propagation_retry(
            put, il.build_api_config(PARAMS, FLAGS), 20, sleep=lambda s: None, clock=lambda: next(clock)
        )
    message = error.value.message
    assert len(attempts) > 1
    assert "BedrockLoggingRole" in message and "/aws/bedrock/model-invocations" in message
    assert "bedrock.amazonaws.com" in message and "wait_timeout" in message


def test_propagation_retry_succeeds_once_the_role_is_usable():
    outcomes = [permission_error(), permission_error(), None]

    def put(config):
        outcome = outcomes.pop(0)
        if outcome:
            raise outcome

    assert il.put_with_propagation_retry(put, {}, 60, sleep=lambda s: None, clock=lambda: 0) == 3


def test_other_errors_are_not_retried():
    def put(config):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "Put")

    with pytest.raises(ClientError):
        il.put_with_propagation_retry(put, {}, 60, sleep=lambda s: None, clock=lambda: 0)


def test_since_accepts_durations_and_timestamps_and_names_bad_values():
    now = datetime.datetime(2025, 1, 31, 12, tzinfo=datetime.timezone.utc)
    assert il.parse_since("5m", now) == now - datetime.timedelta(minutes=5)
    assert il.parse_since("2025-01-31T11:00:00Z", now) == now - datetime.timedelta(hours=1)
    with pytest.raises(ValueError, match="since='yesterday'"):
        il.parse_since("yesterday", now)


def test_records_are_parsed_and_summarised():
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdefabcdef"
    events = [
        {
            "message": json.dumps(
                {
                    "modelId": arn,
                    "inferenceRegion": "us-east-2",
                    "operation": "Converse",
                    "requestId": "r1",
                    "timestamp": "2025-01-31T12:00:00Z",
                    "input": {"inputTokenCount": 3},
                }
            )
        },
        {"message": "not json"},
        {"message": json.dumps({"modelId": "us.amazon.nova-pro-v1:0", "inferenceRegion": "us-west-2"})},
    ]
    records, skipped = il.collect_records(events)
    assert skipped == 1 and [r["model_id"] for r in records] == [arn, "us.amazon.nova-pro-v1:0"]
    assert records[0]["input_token_count"] == 3
    summary = il.summarize(records, lambda m: m.startswith("arn:") and "application" in m)
    assert summary[arn]["is_application_profile"] and summary[arn]["inference_regions"] == ["us-east-2"]
    assert not summary["us.amazon.nova-pro-v1:0"]["is_application_profile"]
    only, _skipped = il.collect_records(events, model_id="abcdefabcdef")
    assert [r["model_id"] for r in only] == [arn]
