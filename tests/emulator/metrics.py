"""What bedrock-runtime publishes to CloudWatch, and the event-stream encoding of ConverseStream's answer.

Metrics: every Converse/ConverseStream request Bedrock accepts puts its `AWS/Bedrock` runtime metrics into moto's
CloudWatch backend of the caller's account and region, so `GetMetricData` and `GetMetricStatistics` see them as
they see AWS's (FIDELITY.md, "Runtime metrics"):

- a success: `Invocations` 1, `InputTokenCount`, `OutputTokenCount`, `InvocationLatency` (milliseconds);
- an error Bedrock answers after accepting the request (access denied, the model's use-case form missing):
  `Invocations` 1 and `InvocationClientErrors` 1 (`InvocationServerErrors` for a 5xx);
- a throttled request: `InvocationThrottles` 1 and nothing else (AWS: throttles count as neither invocations
  nor errors).

Each datum carries one dimension, `ModelId`, whose value is `model_dimension()` of the identifier the caller sent.

Event stream: `application/vnd.amazon.eventstream` messages as botocore's `EventStreamBuffer` decodes them: a
prelude (total length, headers length, CRC32 of the two), the headers, the JSON payload and a CRC32 of all that
precedes it.
"""

from __future__ import annotations

import binascii
import json
import re
import struct
from urllib.parse import unquote

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.utils import utcnow

NAMESPACE = "AWS/Bedrock"
DIMENSION = "ModelId"
METRICS = (
    "Invocations",
    "InputTokenCount",
    "OutputTokenCount",
    "InvocationThrottles",
    "InvocationClientErrors",
    "InvocationServerErrors",
    "InvocationLatency",
)
_APP_PROFILE_ARN = re.compile(r"^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{12}:application-inference-profile/(?P<id>.+)$")
_RUNTIME_PATH = re.compile(r"^/model/(?P<model>[^/]+)/(?P<verb>converse|converse-stream)/?$")


def model_dimension(model_id: str) -> str:
    """The ModelId dimension's value for a request naming `model_id`. An application profile's ARN is published
    under the profile's ID (the public AIP-monitoring samples query `ModelId` = the ID, "not the full ARN"); a
    system profile ID, a model ID or a foundation-model ARN as it was sent. Which form AWS uses for an
    application profile is an **assumption** (FIDELITY.md): the usage module queries both and is right either
    way."""
    found = _APP_PROFILE_ARN.match(model_id)
    return found["id"] if found else model_id


def _put(account: str, region: str, model_id: str, values: dict[str, float]) -> None:
    now = utcnow()
    dimensions = [{"Name": DIMENSION, "Value": model_dimension(model_id)}]
    data = [
        {
            "MetricName": name,
            "Value": value,
            "Unit": "Milliseconds" if name == "InvocationLatency" else "Count",
            "Dimensions": dimensions,
            "Timestamp": now,
        }
        for name, value in values.items()
    ]
    cloudwatch_backends[account][region].put_metric_data(NAMESPACE, data)


def publish_success(account: str, region: str, model_id: str, usage: dict, latency_ms: int) -> None:
    _put(
        account,
        region,
        model_id,
        {
            "Invocations": 1,
            "InputTokenCount": usage["inputTokens"],
            "OutputTokenCount": usage["outputTokens"],
            "InvocationLatency": latency_ms,
        },
    )


def publish_error(account: str, region: str, model_id: str, status: int) -> None:
    kind = "InvocationServerErrors" if status >= 500 else "InvocationClientErrors"
    _put(account, region, model_id, {"Invocations": 1, kind: 1})


def publish_throttle(account: str, region: str, raw_path: str) -> bool:
    """A Converse/ConverseStream request at `raw_path` was throttled: count it under its model. False when the
    path names no model (nothing to publish)."""
    found = _RUNTIME_PATH.match(raw_path)
    if found is None:
        return False
    _put(account, region, unquote(found["model"]), {"InvocationThrottles": 1})
    return True


# ----------------------------------------------------------------------------------------------- event stream
def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    # type 7: a string, its length as an unsigned 16-bit integer
    return struct.pack("!B", len(raw_name)) + raw_name + struct.pack("!BH", 7, len(raw_value)) + raw_value


def event_message(event_type: str, payload: dict) -> bytes:
    """One event message, as `botocore.eventstream.EventStreamMessage` decodes it."""
    headers = (
        _header(":event-type", event_type)
        + _header(":content-type", "application/json")
        + _header(":message-type", "event")
    )
    body = json.dumps(payload).encode()
    total = 12 + len(headers) + len(body) + 4
    prelude = struct.pack("!II", total, len(headers))
    prelude += struct.pack("!I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + headers + body
    return message + struct.pack("!I", binascii.crc32(message) & 0xFFFFFFFF)


def converse_stream(output: dict) -> bytes:
    """Converse's answer as ConverseStream's events: messageStart, one contentBlockDelta per word, contentBlockStop,
    messageStop, and metadata with the usage and metrics."""
    text = output["output"]["message"]["content"][0]["text"]
    words = text.split(" ")
    events = [event_message("messageStart", {"role": "assistant"})]
    for index, word in enumerate(words):
        piece = word if index == 0 else " " + word
        events.append(event_message("contentBlockDelta", {"delta": {"text": piece}, "contentBlockIndex": 0}))
    events.append(event_message("contentBlockStop", {"contentBlockIndex": 0}))
    events.append(event_message("messageStop", {"stopReason": output["stopReason"]}))
    events.append(event_message("metadata", {"usage": output["usage"], "metrics": output["metrics"]}))
    return b"".join(events)
