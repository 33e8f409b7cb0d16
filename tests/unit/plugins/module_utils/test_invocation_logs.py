"""Reading invocation log records: the time to read from, records parsed and summarised, and waiting for the
records Bedrock delivers late."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.librechat.bedrock.plugins.module_utils import invocation_logs as il


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


def test_cache_tokens_are_counted_with_the_other_tokens():
    def event(read, write):
        record = {
            "modelId": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "input": {"inputTokenCount": 10, "cacheReadInputTokenCount": read, "cacheWriteInputTokenCount": write},
            "output": {"outputTokenCount": 4},
        }
        return {"message": json.dumps(record)}

    records, _skipped = il.collect_records([event(0, 2048), event(2048, 0), event(2048, 0)])
    assert records[0]["cache_write_input_token_count"] == 2048 and records[1]["cache_read_input_token_count"] == 2048
    entry = il.summarize(records, lambda m: False)["us.anthropic.claude-sonnet-4-5-20250929-v1:0"]
    assert (entry["input_token_count"], entry["output_token_count"]) == (30, 12)
    assert (entry["cache_read_input_token_count"], entry["cache_write_input_token_count"]) == (4096, 2048)
    # a record without cache fields (no prompt caching) counts 0, not an error
    plain, _skipped = il.collect_records([{"message": json.dumps({"modelId": "m", "input": {"inputTokenCount": 1}})}])
    assert "cache_read_input_token_count" not in plain[0]
    assert il.summarize(plain, lambda m: False)["m"]["cache_read_input_token_count"] == 0


class Delivery:
    """Records that become readable after a number of reads, as Bedrock's asynchronous delivery does."""

    def __init__(self, arrivals):
        self.arrivals = arrivals  # read number (1-based) at which each record is first seen
        self.reads = 0

    def __call__(self):
        self.reads += 1
        records = [{"model_id": m} for m, at in self.arrivals.items() if self.reads >= at]
        return records, 0, 1


def test_waiting_reads_until_every_wanted_model_has_a_record():
    system = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0"
    delivery = Delivery({"arn:a": 2, system: 3})
    pauses = []
    records, _skipped, reads, _waited, missing = il.read_invocations_waiting(
        delivery,
        wanted_model_ids=["arn:a", "us.amazon.nova-pro-v1:0"],
        timeout=60,
        sleep=pauses.append,
        clock=lambda: 0,
    )
    assert reads == 3 and missing == [] and len(records) == 2
    assert pauses == [1.0, 2.0]  # a growing pause between reads


def test_waiting_gives_up_at_the_timeout_and_says_what_is_missing():
    delivery = Delivery({"arn:a": 1})
    clock = iter(range(0, 1000, 7))
    records, _skipped, reads, waited, missing = il.read_invocations_waiting(
        delivery, wanted_model_ids=["arn:a", "arn:b"], timeout=20, sleep=lambda s: None, clock=lambda: next(clock)
    )
    assert missing == ["arn:b"] and [r["model_id"] for r in records] == ["arn:a"]
    assert waited >= 20 and reads == 3  # at 7s, 14s and 21s


def test_no_wait_reads_once():
    delivery = Delivery({"arn:a": 5})
    _records, _skipped, reads, _waited, missing = il.read_invocations_waiting(delivery, wanted_model_ids=["arn:a"])
    assert reads == 1 and missing == ["arn:a"]


def test_waiting_for_a_number_of_records():
    delivery = Delivery({"a": 1, "b": 2, "c": 4})
    records, _skipped, reads, _waited, _missing = il.read_invocations_waiting(
        delivery, wanted_records=3, timeout=60, sleep=lambda s: None, clock=lambda: 0
    )
    assert reads == 4 and len(records) == 3
