"""Per-profile usage: the window and period as CloudWatch accepts them, queries batched into as few GetMetricData
calls as the API allows, either form of the ModelId dimension counted once, and the totals."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.librechat.bedrock.plugins.module_utils import rules, usage

NOW = datetime.datetime(2026, 12, 1, 12, 30, 15, tzinfo=datetime.timezone.utc)
ALL = list(usage.METRICS)


def target(index: int, tags=None) -> dict:
    profile_id = f"prof{index:08d}"
    return {
        "arn": f"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/{profile_id}",
        "id": profile_id,
        "name": f"LibreChat-{index}",
        "model_ids": ["amazon.nova-micro-v1:0"],
        "tags": tags or {},
    }


class CloudWatch:
    """GetMetricData that answers from `data` ({(ModelId, metric, stat): [values]}), pages when told, and records
    every call."""

    def __init__(self, data=None, page_after=None):
        self.data = data or {}
        self.page_after = page_after
        self.calls = []

    def get_metric_data(self, aws_retry=False, **params):
        assert aws_retry is True
        assert len(params["MetricDataQueries"]) <= usage.MAX_QUERIES
        self.calls.append(params)
        queries = params["MetricDataQueries"]
        start = 0
        if params.get("NextToken"):
            start = int(params["NextToken"])
        chosen = queries[start:] if self.page_after is None else queries[start : start + self.page_after]
        results = []
        for query in chosen:
            stat = query["MetricStat"]
            key = (stat["Metric"]["Dimensions"][0]["Value"], stat["Metric"]["MetricName"], stat["Stat"])
            results.append({"Id": query["Id"], "Values": self.data.get(key, [])})
        answer = {"MetricDataResults": results}
        if self.page_after is not None and start + self.page_after < len(queries):
            answer["NextToken"] = str(start + self.page_after)
        return answer


def plan():
    return usage.plan_window("24h", now=NOW)


def test_the_default_period_is_the_whole_window_rounded_as_cloudwatch_needs():
    found = usage.plan_window("90m", now=NOW)
    assert found["end"] == datetime.datetime(2026, 12, 1, 12, 31, tzinfo=datetime.timezone.utc)
    assert found["start"] == found["end"] - datetime.timedelta(minutes=90)
    assert found["period"] == 5400
    # a window reaching back more than 15 days needs a multiple of 300 seconds, more than 63 days of 3600
    assert usage.plan_window("16d", now=NOW)["period"] % 300 == 0
    assert usage.plan_window("64d", now=NOW)["period"] % 3600 == 0
    assert usage.plan_window("7d", "2026-11-30T00:00:00Z", 86400, now=NOW)["period"] == 86400


@pytest.mark.parametrize(
    ("window", "end_time", "period", "words"),
    [
        ("24", None, None, ["window: '24'", "90m, 24h or 7d"]),
        ("0h", None, None, ["window: '0h'"]),
        ("500d", None, None, ["455 days"]),
        ("24h", "yesterday", None, ["end_time: 'yesterday'", "ISO 8601"]),
        ("24h", None, 90, ["period: 90", "multiple of 60"]),
        ("24h", None, 0, ["period: 0"]),
        ("20d", None, 600 + 60, ["period: 660", "multiple of 300"]),
    ],
)
def test_bad_input_names_the_option_the_value_and_the_fix(window, end_time, period, words):
    with pytest.raises(ValueError) as error:
        usage.plan_window(window, end_time, period, now=NOW)
    for word in words:
        assert word in str(error.value)


def test_twenty_profiles_and_seven_metrics_take_one_call():
    targets = [target(i) for i in range(20)]
    queries = usage.build_queries(targets, ALL, plan()["period"])
    # per profile and dimension form: six Sums and latency's Sum, SampleCount and Maximum; two forms (ID, ARN)
    assert len(queries) == 20 * 2 * 9 == 360
    client = CloudWatch()
    _values, calls = usage.fetch(client, queries, plan())
    assert calls == len(client.calls) == 1
    assert len({q["Id"] for q in queries}) == len(queries)


def test_queries_are_batched_500_a_call():
    targets = [target(i) for i in range(60)]  # 1080 queries: 500 + 500 + 80
    queries = usage.build_queries(targets, ALL, plan()["period"])
    client = CloudWatch()
    _values, calls = usage.fetch(client, queries, plan())
    assert calls == 3
    assert [len(c["MetricDataQueries"]) for c in client.calls] == [500, 500, 80]


def test_many_datapoints_per_query_shrink_the_batches():
    # one-minute datapoints over 7 days: 10,080 per query, so 100,800 // 10,080 = 10 queries a call
    window = usage.plan_window("7d", period=60, now=NOW)
    queries = usage.build_queries([target(0)], ["Invocations"], window["period"])
    assert usage.batches(queries * 3, usage.datapoints_per_query(window))[0] == (queries * 3)[:10]


def test_next_token_pages_are_followed_and_counted():
    t = target(0)
    client = CloudWatch({(t["id"], "Invocations", "Sum"): [4.0]}, page_after=5)
    queries = usage.build_queries([t], ALL, plan()["period"])
    values, calls = usage.fetch(client, queries, plan())
    assert calls == 4  # 18 queries, 5 a page
    assert client.calls[1]["NextToken"] == "5"
    assert usage.report([t], ALL, values)["profiles"][0]["usage"]["invocations"] == 4


def test_either_form_of_the_dimension_is_counted_once():
    by_id, by_arn, both = target(0), target(1), target(2)
    data = {
        (by_id["id"], "Invocations", "Sum"): [3.0],
        (by_arn["arn"], "Invocations", "Sum"): [5.0],
        (both["id"], "Invocations", "Sum"): [2.0],
        (both["arn"], "Invocations", "Sum"): [2.0],
        (by_arn["arn"], "InvocationLatency", "Sum"): [300.0],
        (by_arn["arn"], "InvocationLatency", "SampleCount"): [5.0],
        (by_arn["arn"], "InvocationLatency", "Maximum"): [80.0],
    }
    targets = [by_id, by_arn, both]
    values, _calls = usage.fetch(CloudWatch(data), usage.build_queries(targets, ALL, plan()["period"]), plan())
    found = [p["usage"] for p in usage.report(targets, ALL, values)["profiles"]]
    assert [u["invocations"] for u in found] == [3, 5, 2]
    assert found[1]["latency_ms_average"] == 60 and found[1]["latency_ms_maximum"] == 80
    assert found[0]["latency_ms_average"] is None


def test_totals_weigh_latency_by_invocations_and_group_by_tag_value():
    a = target(0, {"team": "red", "application": "chat"})
    b = target(1, {"team": "blue", "application": "chat"})
    data = {}
    for t, calls, tokens, latency in ((a, 1, 10, 100.0), (b, 3, 30, 20.0)):
        data[(t["id"], "Invocations", "Sum")] = [float(calls)]
        data[(t["id"], "InputTokenCount", "Sum")] = [float(tokens)]
        data[(t["id"], "InvocationLatency", "Sum")] = [latency * calls]
        data[(t["id"], "InvocationLatency", "SampleCount")] = [float(calls)]
        data[(t["id"], "InvocationLatency", "Maximum")] = [latency]
    targets = [a, b]
    values, _calls = usage.fetch(CloudWatch(data), usage.build_queries(targets, ALL, plan()["period"]), plan())
    result = usage.report(targets, ALL, values)
    assert result["totals"]["invocations"] == 4
    assert result["totals"]["input_tokens"] == 40
    assert result["totals"]["latency_ms_average"] == 40  # (100 + 3 * 20) / 4
    assert result["totals"]["latency_ms_maximum"] == 100
    assert result["totals_by_tag"]["team"]["red"]["invocations"] == 1
    assert result["totals_by_tag"]["team"]["blue"]["input_tokens"] == 30
    assert result["totals_by_tag"]["application"]["chat"]["invocations"] == 4
    assert result["totals_by_tag"]["application"]["chat"]["latency_ms_average"] == 40


def test_metrics_not_read_are_null():
    t = target(0)
    values, _calls = usage.fetch(CloudWatch(), usage.build_queries([t], ["Invocations"], plan()["period"]), plan())
    found = usage.report([t], ["Invocations"], values)["profiles"][0]["usage"]
    assert found["invocations"] == 0
    assert found["input_tokens"] is None and found["latency_ms_average"] is None


def test_no_profile_totals_zero_calls_and_no_latency():
    totals = usage.report([], ALL, {})["totals"]
    assert totals["invocations"] == totals["input_tokens"] == totals["throttles"] == 0
    assert totals["latency_ms_average"] is None and totals["latency_ms_maximum"] is None
    assert usage.report([], ["Invocations"], {})["totals"]["input_tokens"] is None


def test_profile_arns_are_checked():
    errors = usage.profile_arn_errors(["arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x1", "x"])
    assert errors == [
        "profile_arns[1]: 'x' is not an inference profile ARN; give "
        "arn:aws:bedrock:<region>:<account>:application-inference-profile/<id> (or list model IDs in model_ids)"
    ]


def test_the_default_selection_is_the_collections_marker():
    assert usage.MANAGED_TAGS == {rules.MANAGED_TAG_KEY: rules.MANAGED_TAG_VALUE}
