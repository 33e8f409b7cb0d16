# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Per-profile usage from CloudWatch: the time window and period as CloudWatch accepts them, the GetMetricData
queries for many profiles batched into as few calls as the API allows, and the figures summed per profile, in
total and per tag value.

Bedrock's runtime metrics live in the AWS/Bedrock namespace under the ModelId dimension
(https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html). Which value that dimension
carries for an application inference profile (its ID or its ARN) the page does not say, so every profile is
queried under both and the larger figure of each metric counts: right whichever form AWS publishes, and no
double count if it published both.
"""

import datetime
import math

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import BedrockErrorHandler
from ansible_collections.librechat.bedrock.plugins.module_utils.rules import (
    APPLICATION_PROFILE_ARN_SHAPE,
    duration_seconds,
    managed_tags,
    parse_profile_arn,
    parse_timestamp,
)

# The profiles a report covers when told nothing: the ones the collection made.
MANAGED_TAGS = managed_tags()
NAMESPACE = "AWS/Bedrock"
DIMENSION = "ModelId"
# The option's names, CloudWatch's metric names, and the key of each in the returned usage.
METRICS = {
    "Invocations": "invocations",
    "InputTokenCount": "input_tokens",
    "OutputTokenCount": "output_tokens",
    "InvocationThrottles": "throttles",
    "InvocationClientErrors": "client_errors",
    "InvocationServerErrors": "server_errors",
    "InvocationLatency": "latency_ms",
}
# Latency is read as Sum and SampleCount (an average that stays right over several datapoints and profiles) and
# Maximum; every other metric as Sum.
LATENCY_STATS = ("Sum", "SampleCount", "Maximum")
USAGE_KEYS = (
    "invocations",
    "input_tokens",
    "output_tokens",
    "throttles",
    "client_errors",
    "server_errors",
    "latency_ms_average",
    "latency_ms_maximum",
)
# GetMetricData: at most 500 queries and 100,800 datapoints per call
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
MAX_QUERIES = 500
MAX_DATAPOINTS = 100800
# CloudWatch keeps 1-minute datapoints 15 days, 5-minute ones 63 days, 1-hour ones 455 days; a start further back
# than 15 (63) days needs a period that is a multiple of 300 (3600) seconds, and Bedrock's metrics are standard
# resolution, so the period is a multiple of 60 seconds
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html, StartTime and Period).
RETENTION_SECONDS = 455 * 86400
_PERIOD_STEPS = ((63 * 86400, 3600), (15 * 86400, 300), (0, 60))


# ------------------------------------------------------------------------------------------------ the window


def window_seconds(text, option="window"):
    """The window's length in seconds, or ValueError naming the option, the value and the fix."""
    seconds = duration_seconds(text or "", units="mhdw", positive=True)
    if seconds is None:
        raise ValueError(
            f"{option}: {text!r} is not a duration; write a whole number and a unit, m (minutes), h (hours), "
            "d (days) or w (weeks), for example 90m, 24h or 7d"
        )
    if seconds > RETENTION_SECONDS:
        raise ValueError(f"{option}: {text!r} is longer than the 455 days CloudWatch keeps metrics; use 455d or less")
    return seconds


def parse_end_time(text, now, option="end_time"):
    """end_time as an aware UTC datetime (a time without a zone is UTC), or `now` when unset."""
    if text in (None, ""):
        return now
    try:
        parsed = parse_timestamp(str(text).strip())
    except ValueError as e:
        raise ValueError(f"{option}: {text!r} is not an ISO 8601 time; write for example 2026-12-01T12:00:00Z") from e
    if parsed > now + datetime.timedelta(days=1):
        raise ValueError(f"{option}: {text!r} is in the future; give a past time or leave it unset for now")
    return parsed


def period_step(start, now):
    """The multiple CloudWatch requires of a period whose window starts at `start`."""
    age = (now - start).total_seconds()
    return next(step for threshold, step in _PERIOD_STEPS if age > threshold)


def plan_window(window, end_time=None, period=None, now=None):
    """{start, end, period} (datetimes and seconds) for GetMetricData, or ValueError naming the option.

    The end is rounded up to a whole minute (CloudWatch's datapoints are per minute, so the current minute is
    inside). Without `period` it is the whole window rounded up to the multiple CloudWatch requires: one
    datapoint per metric. A given period must be such a multiple and no longer than needed."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    seconds = window_seconds(window)
    end = parse_end_time(end_time, now)
    if end.second or end.microsecond:
        end = end.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    start = end - datetime.timedelta(seconds=seconds)
    if (now - start).total_seconds() > RETENTION_SECONDS:
        raise ValueError(
            f"end_time and window: the window starts {start.isoformat()}, earlier than the 455 days CloudWatch "
            "keeps metrics; move end_time later or shorten window"
        )
    step = period_step(start, now)
    if period is None:
        period = int(math.ceil(seconds / step) * step)
    else:
        if isinstance(period, bool) or not isinstance(period, int) or period <= 0 or period % step:
            raise ValueError(
                f"period: {period!r} is not accepted for a window starting {start.isoformat()}; CloudWatch needs a "
                f"positive multiple of {step} seconds there (leave period unset for one datapoint per window)"
            )
    return {"start": start, "end": end, "period": period}


def datapoints_per_query(plan):
    return max(1, math.ceil((plan["end"] - plan["start"]).total_seconds() / plan["period"]))


# ------------------------------------------------------------------------------------------------ targets


def dimension_values(target):
    """The ModelId values a target's metrics may be published under: an application (or system) profile's ID
    and ARN, both (FIDELITY.md: which one AWS uses for application profiles is not documented); a model or
    system profile ID as given."""
    values = [target.get("id"), target.get("arn")]
    return [v for v in dict.fromkeys(values) if v]


def metric_stats(metrics):
    """(metric, stat) pairs to query for the chosen metrics."""
    pairs = []
    for metric in metrics:
        for stat in LATENCY_STATS if metric == "InvocationLatency" else ("Sum",):
            pairs.append((metric, stat))
    return pairs


def build_queries(targets, metrics, period):
    """One MetricStat query per target, dimension value, metric and statistic, with IDs the results are read
    back by: q<target>_<form>_<metric>_<stat>."""
    queries = []
    for t_index, target in enumerate(targets):
        for f_index, value in enumerate(dimension_values(target)):
            for metric, stat in metric_stats(metrics):
                queries.append(
                    {
                        "Id": f"q{t_index}_{f_index}_{metric}_{stat}",
                        "MetricStat": {
                            "Metric": {
                                "Namespace": NAMESPACE,
                                "MetricName": metric,
                                "Dimensions": [{"Name": DIMENSION, "Value": value}],
                            },
                            "Period": period,
                            "Stat": stat,
                        },
                        "ReturnData": True,
                    }
                )
    return queries


def batches(queries, datapoints):
    """The queries in calls of at most 500 queries and 100,800 datapoints each."""
    size = max(1, min(MAX_QUERIES, MAX_DATAPOINTS // max(1, datapoints)))
    return [queries[i : i + size] for i in range(0, len(queries), size)]


@BedrockErrorHandler.common_error_handler("read the Bedrock metrics from CloudWatch (GetMetricData)")
def fetch(client, queries, plan):
    """Every datapoint's value per query ID, and the number of GetMetricData calls made (each batch, every
    NextToken page; each call retried on throttling by the client's AWSRetry)."""
    values = {}
    calls = 0
    for batch in batches(queries, datapoints_per_query(plan)):
        params = {
            "MetricDataQueries": batch,
            "StartTime": plan["start"],
            "EndTime": plan["end"],
            "ScanBy": "TimestampAscending",
        }
        while True:
            answer = client.get_metric_data(aws_retry=True, **params)
            calls += 1
            for result in answer.get("MetricDataResults") or []:
                values.setdefault(result["Id"], []).extend(result.get("Values") or [])
            token = answer.get("NextToken")
            if not token or token == params.get("NextToken"):
                break
            params["NextToken"] = token
    return values, calls


# ------------------------------------------------------------------------------------------------ figures


def _statistic(values, stat):
    if not values:
        return 0.0
    return max(values) if stat == "Maximum" else float(sum(values))


def _number(value):
    return int(value) if float(value).is_integer() else round(value, 2)


def usage_of(t_index, target, metrics, values):
    """A target's usage: per metric the larger figure of its dimension forms (one form holds AWS's data, or
    both hold the same); latency from the form with the most samples."""
    forms = range(len(dimension_values(target)))

    def stat(f_index, metric, name):
        return _statistic(values.get(f"q{t_index}_{f_index}_{metric}_{name}"), name)

    usage = {key: None for key in USAGE_KEYS}
    sums = {"latency_sum": 0.0, "latency_samples": 0.0}
    for metric in metrics:
        key = METRICS[metric]
        if metric == "InvocationLatency":
            best = max(forms, key=lambda f: stat(f, metric, "SampleCount"), default=None)
            if best is None:
                continue
            samples = stat(best, metric, "SampleCount")
            sums = {"latency_sum": stat(best, metric, "Sum"), "latency_samples": samples}
            if samples:
                usage["latency_ms_average"] = _number(round(sums["latency_sum"] / samples, 2))
                usage["latency_ms_maximum"] = _number(stat(best, metric, "Maximum"))
        else:
            usage[key] = _number(max((stat(f, metric, "Sum") for f in forms), default=0.0))
    return usage, sums


def total(usages):
    """Sum of several (usage, latency sums) pairs: counts added, latency the invocation-weighted average (the
    latencies' Sum over their SampleCount) and the largest maximum."""
    result = {key: None for key in USAGE_KEYS}
    latency_sum = 0.0
    samples = 0.0
    for usage, sums in usages:
        for key in USAGE_KEYS[:6]:
            if usage.get(key) is not None:
                result[key] = _number((result[key] or 0) + usage[key])
        latency_sum += sums["latency_sum"]
        samples += sums["latency_samples"]
        if usage.get("latency_ms_maximum") is not None:
            result["latency_ms_maximum"] = max(result["latency_ms_maximum"] or 0, usage["latency_ms_maximum"])
    if samples:
        result["latency_ms_average"] = _number(round(latency_sum / samples, 2))
    return result


def totals_by_tag(targets, usages):
    """{tag key: {tag value: total usage of the targets carrying it}}."""
    groups = {}
    for target, pair in zip(targets, usages):
        for key, value in sorted((target.get("tags") or {}).items()):
            groups.setdefault(key, {}).setdefault(value, []).append(pair)
    return {key: {value: total(pairs) for value, pairs in sorted(by_value.items())} for key, by_value in groups.items()}


def report(targets, metrics, values):
    """The module's return values but for the window and the call count: profiles, totals, totals_by_tag."""
    usages = [usage_of(i, t, metrics, values) for i, t in enumerate(targets)]
    profiles = [dict(target, usage=usage) for target, (usage, _sums) in zip(targets, usages)]
    totals = total(usages)
    # no profile at all: every count read is 0, not unknown
    for metric in metrics:
        if metric != "InvocationLatency" and totals[METRICS[metric]] is None:
            totals[METRICS[metric]] = 0
    return {"profiles": profiles, "totals": totals, "totals_by_tag": totals_by_tag(targets, usages)}


def profile_arn_errors(arns, option="profile_arns"):
    """One message per value that is not an inference profile ARN."""
    return [
        f"{option}[{index}]: {arn!r} is not an inference profile ARN; give "
        f"{APPLICATION_PROFILE_ARN_SHAPE} (or list model IDs in model_ids)"
        for index, arn in enumerate(arns or [])
        if not parse_profile_arn(arn)
    ]
