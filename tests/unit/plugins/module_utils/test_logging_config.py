"""The invocation logging configuration: compared as Bedrock treats it, and the propagation retry and its
message."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from ansible_collections.librechat.bedrock.plugins.module_utils import logging_config as il

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
