"""The emulator as a server: routing by botocore's model, throttling, the call log, the control API, and the
one-command start."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from emulator import Control, api
from emulator.bedrock import HANDLERS

TESTS = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("service", sorted(HANDLERS))
def test_every_handler_is_an_operation_of_botocores_model(service):
    operations = set(api.service_model(service).operation_names)
    assert set(HANDLERS[service]) <= operations
    routed = {route.operation.name for route in api.routes(service)}
    assert set(HANDLERS[service]) <= routed


def test_requests_are_validated_against_the_model(client):
    bedrock = client("bedrock")
    with pytest.raises(ClientError) as error:
        bedrock.list_inference_profiles(maxResults=1001)
    response = error.value.response
    assert response["Error"]["Code"] == "ValidationException"
    assert response["Error"]["Message"] == (
        "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: "
        "Member must have less than or equal to 1000"
    )


def test_throttling_knob_answers_throttling_exception(client, control):
    bedrock = client("bedrock")
    control.config(throttle_every=2, throttle_operations=["ListInferenceProfiles"])
    bedrock.list_inference_profiles()
    with pytest.raises(ClientError) as error:
        bedrock.list_inference_profiles()
    assert error.value.response["Error"]["Code"] == "ThrottlingException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    bedrock.get_inference_profile(inferenceProfileIdentifier="us.amazon.nova-pro-v1:0")  # other operations pass
    bedrock.list_inference_profiles()


def test_throttling_covers_moto_services_with_their_own_codes(client, control):
    control.config(throttle_every=1, throttle_services=["iam", "logs"])
    with pytest.raises(ClientError) as error:
        client("iam").list_roles()
    assert error.value.response["Error"]["Code"] == "Throttling"
    with pytest.raises(ClientError) as error:
        client("logs").describe_log_groups()
    assert error.value.response["Error"]["Code"] == "ThrottlingException"
    client("s3").list_buckets()


def test_boto3_retries_through_throttling(client, control, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    control.config(throttle_every=2)
    control.clear_calls()
    bedrock = client("bedrock")
    for _attempt in range(3):
        bedrock.get_inference_profile(inferenceProfileIdentifier="us.amazon.nova-pro-v1:0")
    statuses = [c["status"] for c in control.calls()["calls"]]
    assert statuses.count(429) >= 1 and statuses.count(200) == 3


def test_clearing_the_call_log_restarts_the_throttling_count(client, control):
    bedrock = client("bedrock")
    control.config(throttle_every=3, throttle_operations=["GetInferenceProfile"])
    for _attempt in range(2):
        bedrock.get_inference_profile(inferenceProfileIdentifier="us.amazon.nova-pro-v1:0")
    control.clear_calls()
    statuses = []
    for _attempt in range(6):
        try:
            bedrock.get_inference_profile(inferenceProfileIdentifier="us.amazon.nova-pro-v1:0")
            statuses.append(200)
        except ClientError as error:
            statuses.append(error.response["ResponseMetadata"]["HTTPStatusCode"])
    # the 3rd and 6th calls of the fresh log, whatever came before it
    assert statuses == [200, 200, 429, 200, 200, 429]
    assert [c["status"] for c in control.calls()["calls"]] == statuses


def test_call_log_counts_writes(client, control):
    control.clear_calls()
    bedrock = client("bedrock")
    bedrock.list_inference_profiles()
    arn = bedrock.get_inference_profile(inferenceProfileIdentifier="us.amazon.nova-pro-v1:0")["inferenceProfileArn"]
    bedrock.create_inference_profile(inferenceProfileName="counted", modelSource={"copyFrom": arn})
    client("logs").create_log_group(logGroupName="/counted")
    client("logs").describe_log_groups()
    log = control.calls()
    assert [(c["service"], c["operation"], c["write"]) for c in log["calls"]] == [
        ("bedrock", "ListInferenceProfiles", False),
        ("bedrock", "GetInferenceProfile", False),
        ("bedrock", "CreateInferenceProfile", True),
        ("logs", "CreateLogGroup", True),
        ("logs", "DescribeLogGroups", False),
    ]
    assert log["writes"] == 2 and log["count"] == 5
    assert control.clear_calls()["count"] == 0


def test_reset_forgets_everything(client, control):
    bedrock = client("bedrock")
    arn = bedrock.get_inference_profile(inferenceProfileIdentifier="us.amazon.nova-pro-v1:0")["inferenceProfileArn"]
    bedrock.create_inference_profile(inferenceProfileName="gone", modelSource={"copyFrom": arn})
    client("logs").create_log_group(logGroupName="/gone")
    control.config(consistency_reads=5, iam_propagation_attempts=2, log_delivery_reads=1)
    control.reset()
    assert bedrock.list_inference_profiles(typeEquals="APPLICATION")["inferenceProfileSummaries"] == []
    assert client("logs").describe_log_groups()["logGroups"] == []
    settings = control.config()
    assert (settings["consistency_reads"], settings["iam_propagation_attempts"], settings["log_delivery_reads"]) == (
        0,
        0,
        0,
    )
    assert control.state()["application_inference_profiles"] == []


def test_control_api_rejects_unknown_settings_and_routes(control):
    with pytest.raises(urllib.error.HTTPError) as error:
        control.config(consistency_seconds=1)  # the timed knob is gone: faults are counted
    assert error.value.code == 400
    assert b"consistency_reads" in error.value.read()
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(control.base + "nothing")
    assert error.value.code == 404


def test_one_command_starts_a_server_on_a_free_port(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(TESTS))
    pid_file = tmp_path / "emulator.pid"
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--pid-file", str(pid_file)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        endpoint = proc.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:")
        assert Control(endpoint).health() == {"status": "ok"}
        assert pid_file.read_text().strip() == str(proc.pid)
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    assert not pid_file.exists()
