"""bedrock-runtime's CloudWatch metrics through boto3 against the emulator: Converse and ConverseStream publish
the AWS/Bedrock runtime metrics under the ModelId dimension, errors after acceptance count as invocations and
client errors, throttles only as throttles; ConverseStream answers an event stream botocore decodes."""

from __future__ import annotations

import datetime
import json

import pytest
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import ClientError
from test_inference_profiles import assert_valid_output

from emulator import metrics

NOVA = "amazon.nova-micro-v1:0"
CLAUDE = "anthropic.claude-3-7-sonnet-20250219-v1:0"
MESSAGES = [{"role": "user", "content": [{"text": "three words here"}]}]


def profile(client, name: str = "usage", source: str = f"us.{NOVA}") -> str:
    bedrock = client("bedrock")
    arn = f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{source}"
    return bedrock.create_inference_profile(inferenceProfileName=name, modelSource={"copyFrom": arn})[
        "inferenceProfileArn"
    ]


def sums(client, dimension: str, names=metrics.METRICS, stat: str = "Sum") -> dict[str, float]:
    """Every metric's statistic over the last hour, for one ModelId value, in one GetMetricData call."""
    end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
    queries = [
        {
            "Id": f"m{index}",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/Bedrock",
                    "MetricName": name,
                    "Dimensions": [{"Name": "ModelId", "Value": dimension}],
                },
                "Period": 3660,
                "Stat": stat,
            },
        }
        for index, name in enumerate(names)
    ]
    answer = client("cloudwatch").get_metric_data(
        MetricDataQueries=queries, StartTime=end - datetime.timedelta(seconds=3660), EndTime=end
    )
    found = {r["Id"]: sum(r["Values"]) for r in answer["MetricDataResults"]}
    return {name: found.get(f"m{index}", 0) for index, name in enumerate(names)}


def test_converse_through_a_profile_publishes_its_runtime_metrics(client):
    arn = profile(client)
    runtime = client("bedrock-runtime")
    answers = [runtime.converse(modelId=arn, messages=MESSAGES) for _request in range(3)]
    usage = [a["usage"] for a in answers]
    figures = sums(client, arn.rsplit("/", 1)[1])
    assert figures["Invocations"] == 3
    assert figures["InputTokenCount"] == sum(u["inputTokens"] for u in usage) == 9
    assert figures["OutputTokenCount"] == sum(u["outputTokens"] for u in usage)
    assert figures["InvocationLatency"] == sum(a["metrics"]["latencyMs"] for a in answers)
    assert figures["InvocationThrottles"] == figures["InvocationClientErrors"] == figures["InvocationServerErrors"] == 0
    # latency is a function of the answer: 40 ms + 2 ms per output token
    assert answers[0]["metrics"]["latencyMs"] == 40 + 2 * usage[0]["outputTokens"]
    assert sums(client, arn.rsplit("/", 1)[1], ["InvocationLatency"], "Maximum")["InvocationLatency"] == max(
        a["metrics"]["latencyMs"] for a in answers
    )


def test_the_model_id_dimension_per_kind_of_identifier(client):
    """An application profile's ARN is published under its ID (an assumption, FIDELITY.md); a system profile ID
    or a model ID as sent."""
    arn = profile(client)
    runtime = client("bedrock-runtime")
    for target in (arn, f"us.{NOVA}", NOVA):
        runtime.converse(modelId=target, messages=MESSAGES)
    assert sums(client, arn.rsplit("/", 1)[1])["Invocations"] == 1
    assert sums(client, arn)["Invocations"] == 0
    assert sums(client, f"us.{NOVA}")["Invocations"] == 1
    assert sums(client, NOVA)["Invocations"] == 1


def test_converse_stream_answers_an_event_stream_and_publishes_the_same_metrics(client):
    arn = profile(client)
    runtime = client("bedrock-runtime")
    plain = runtime.converse(modelId=arn, messages=MESSAGES)
    streamed = runtime.converse_stream(modelId=arn, messages=MESSAGES)
    events = list(streamed["stream"])
    kinds = [next(iter(e)) for e in events]
    assert kinds[0] == "messageStart" and kinds[-3:] == ["contentBlockStop", "messageStop", "metadata"]
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    # the same answer but for the region the request ran in (a cross-region profile rotates)
    assert text.startswith("Hello from Nova Micro in ") and len(text.split()) == len(
        plain["output"]["message"]["content"][0]["text"].split()
    )
    metadata = events[-1]["metadata"]
    assert metadata["usage"] == plain["usage"]
    assert metadata["metrics"] == plain["metrics"]
    assert events[-2]["messageStop"]["stopReason"] == "end_turn"
    figures = sums(client, arn.rsplit("/", 1)[1])
    assert figures["Invocations"] == 2
    assert figures["InputTokenCount"] == 2 * plain["usage"]["inputTokens"]
    assert figures["OutputTokenCount"] == 2 * plain["usage"]["outputTokens"]


def test_the_event_stream_frames_carry_valid_crcs():
    """botocore's own decoder checks both CRC32s and the lengths: every frame decodes to its headers and JSON."""
    buffer = EventStreamBuffer()
    buffer.add_data(metrics.event_message("messageStop", {"stopReason": "end_turn"}))
    (message,) = list(buffer)
    assert message.headers == {
        ":event-type": "messageStop",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert json.loads(message.payload) == {"stopReason": "end_turn"}


def test_a_denied_invocation_counts_as_an_invocation_and_a_client_error(client, control):
    arn = profile(client, source=f"us.{CLAUDE}")
    control.config(use_case_form_required=True)
    runtime = client("bedrock-runtime")
    with pytest.raises(ClientError) as error:
        runtime.converse(modelId=arn, messages=MESSAGES)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    figures = sums(client, arn.rsplit("/", 1)[1])
    assert figures["Invocations"] == 1
    assert figures["InvocationClientErrors"] == 1
    assert figures["InputTokenCount"] == figures["OutputTokenCount"] == figures["InvocationServerErrors"] == 0


def test_a_request_bedrock_cannot_resolve_publishes_nothing(client):
    runtime = client("bedrock-runtime")
    with pytest.raises(ClientError):
        runtime.converse(modelId="no.such-model-v1:0", messages=MESSAGES)
    assert client("cloudwatch").list_metrics(Namespace="AWS/Bedrock")["Metrics"] == []


def test_throttled_requests_count_only_as_throttles(client, control):
    arn = profile(client)
    control.config(throttle_every=2, throttle_services=["bedrock-runtime"])
    runtime = client("bedrock-runtime")
    outcomes = []
    for _request in range(4):
        try:
            runtime.converse(modelId=arn, messages=MESSAGES)
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
    assert outcomes == ["ok", "ThrottlingException", "ok", "ThrottlingException"]
    figures = sums(client, arn.rsplit("/", 1)[1])
    assert figures["InvocationThrottles"] == 2
    assert figures["Invocations"] == 2
    assert figures["InvocationClientErrors"] == 0


def test_converse_stream_output_satisfies_the_model(client):
    arn = profile(client)
    streamed = client("bedrock-runtime").converse_stream(modelId=arn, messages=MESSAGES)
    assert_valid_output("ConverseStream", {k: v for k, v in streamed.items() if k != "stream"}, "bedrock-runtime")
    assert list(streamed["stream"])
