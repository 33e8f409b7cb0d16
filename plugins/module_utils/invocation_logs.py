# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading model invocation log records from CloudWatch Logs: the time to read from, the records parsed from the
log events, waiting for records Bedrock delivers late, and their summary per model.

Everything here is a plain function over plain data so roles, other modules and tests can reuse it.
"""

import datetime
import json
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.librechat.bedrock.plugins.module_utils.rules import duration_seconds, parse_timestamp


class InvocationLogsError(AnsibleAWSError):
    pass


class LogsErrorHandler(AWSErrorHandler):
    """Errors of the CloudWatch Logs calls, raised as InvocationLogsError and caught once in main()."""

    _CUSTOM_EXCEPTION = InvocationLogsError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


def parse_since(value, now=None):
    """The UTC datetime `value` stands for: a duration back from now (`90s`, `5m`, `1h`, `2d`, `1w`) or an
    ISO 8601 date or timestamp (no offset means UTC). Raises ValueError naming the bad value."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    text = str(value).strip() if value is not None else ""
    seconds = duration_seconds(text)
    if seconds is not None:
        return now - datetime.timedelta(seconds=seconds)
    try:
        return parse_timestamp(text)
    except ValueError:
        raise ValueError(
            f"since={value!r} is neither a duration such as 30s, 5m, 1h, 2d or 1w nor an ISO 8601 timestamp "
            "such as 2025-01-31T12:00:00Z"
        ) from None


def to_epoch_millis(moment):
    return int(moment.timestamp() * 1000)


def _iso_from_millis(millis):
    moment = datetime.datetime.fromtimestamp(millis / 1000.0, tz=datetime.timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")


# The token counts of an invocation record: (side, record field, returned name). Prompt caching adds the cache
# reads and writes on the input side; they are billed, so the summary counts them with the others.
RECORD_TOKEN_FIELDS = (
    ("input", "inputTokenCount", "input_token_count"),
    ("output", "outputTokenCount", "output_token_count"),
    ("input", "cacheReadInputTokenCount", "cache_read_input_token_count"),
    ("input", "cacheWriteInputTokenCount", "cache_write_input_token_count"),
)


def parse_record(message, event_timestamp=None):
    """One invocation record from a log event's message, or None when the line is not one (Bedrock also writes
    a permission-check line when logging is set up, and other writers may share the group)."""
    try:
        data = json.loads(message)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("modelId"), str):
        return None
    record = {
        "timestamp": data.get("timestamp")
        or (_iso_from_millis(event_timestamp) if event_timestamp is not None else None),
        "request_id": data.get("requestId"),
        "operation": data.get("operation"),
        "model_id": data["modelId"],
        "inference_region": data.get("inferenceRegion"),
        "region": data.get("region"),
        "account_id": data.get("accountId"),
    }
    for side, key, name in RECORD_TOKEN_FIELDS:
        part = data.get(side)
        if isinstance(part, dict) and isinstance(part.get(key), int):
            record[name] = part[key]
    if data.get("errorCode"):
        record["error_code"] = data["errorCode"]
    return record


def model_id_matches(record_model_id, wanted):
    """Whether a record's modelId is the wanted one: equal, or a foundation-model / inference-profile ARN whose
    resource ID is the wanted ID."""
    if record_model_id == wanted:
        return True
    return record_model_id.startswith("arn:") and record_model_id.rsplit("/", 1)[-1] == wanted


def collect_records(events, model_id=None, limit=None):
    """Parse log events into records: (records, skipped) where skipped counts the lines that were not records.
    Stops once `limit` records are collected."""
    records = []
    skipped = 0
    for event in events:
        record = parse_record(event.get("message"), event.get("timestamp"))
        if record is None:
            skipped += 1
            continue
        if model_id and not model_id_matches(record["model_id"], model_id):
            continue
        records.append(record)
        if limit is not None and len(records) >= limit:
            break
    return records, skipped


def summarize(records, is_application_profile):
    """Per modelId: how many records, whether it is an application inference profile, the inference regions
    seen, the first and last timestamps and the token totals (input, output, cache read, cache write)."""
    summary = {}
    for record in records:
        model_id = record["model_id"]
        entry = summary.get(model_id)
        if entry is None:
            entry = summary[model_id] = {
                "count": 0,
                "is_application_profile": bool(is_application_profile(model_id)),
                "inference_regions": [],
                "first_timestamp": None,
                "last_timestamp": None,
            }
            entry.update({name: 0 for _side, _key, name in RECORD_TOKEN_FIELDS})
        entry["count"] += 1
        region = record.get("inference_region")
        if region and region not in entry["inference_regions"]:
            entry["inference_regions"].append(region)
        stamp = record.get("timestamp")
        if stamp:
            if entry["first_timestamp"] is None or _ts_key(stamp) < _ts_key(entry["first_timestamp"]):
                entry["first_timestamp"] = stamp
            if entry["last_timestamp"] is None or _ts_key(stamp) > _ts_key(entry["last_timestamp"]):
                entry["last_timestamp"] = stamp
        for _side, _key, name in RECORD_TOKEN_FIELDS:
            entry[name] += record.get(name) or 0
    for entry in summary.values():
        entry["inference_regions"].sort()
    return summary


def _ts_key(stamp):
    try:
        return parse_timestamp(stamp)
    except ValueError:
        return datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)


class LogGroupMissing(InvocationLogsError):
    pass


@LogsErrorHandler.common_error_handler("read model invocation log events")
def _filter_page(client, **params):
    try:
        return client.filter_log_events(aws_retry=True, **params)
    except is_boto3_error_code("ResourceNotFoundException") as e:
        raise LogGroupMissing(
            message=(
                f"The log group {params.get('logGroupName')} does not exist in this region: model invocation "
                "logging is not configured to deliver there (see librechat.bedrock.invocation_logging), or "
                "log_group_name or region is wrong"
            ),
            exception=e,
        ) from e


def read_invocations(client, log_group_name, start_time, model_id=None, limit=None, end_time=None):
    """Records of the log group from start_time (epoch milliseconds), oldest first, following every nextToken
    until `limit` records are found. Returns (records, skipped_lines, pages).

    `client` is a CloudWatch Logs client wrapped with a retry decorator (module.client(..., retry_decorator=)).
    """
    params = {"logGroupName": log_group_name, "startTime": start_time}
    if end_time is not None:
        params["endTime"] = end_time
    records = []
    skipped = 0
    pages = 0
    seen_tokens = set()
    while True:
        if limit is not None:
            # A page is at most 10,000 events; ask for no more than could still be kept.
            params["limit"] = max(1, min(10000, limit - len(records)))
        page = _filter_page(client, **params)
        pages += 1
        remaining = None if limit is None else limit - len(records)
        found, bad = collect_records(page.get("events") or [], model_id=model_id, limit=remaining)
        records.extend(found)
        skipped += bad
        token = page.get("nextToken")
        if not token or token in seen_tokens or (limit is not None and len(records) >= limit):
            return records, skipped, pages
        seen_tokens.add(token)
        params["nextToken"] = token


def missing_model_ids(records, wanted):
    """The wanted model IDs no record is for (matched as model_id_matches does)."""
    return [w for w in wanted if not any(model_id_matches(r["model_id"], w) for r in records)]


def read_invocations_waiting(
    read,
    wanted_model_ids=(),
    wanted_records=0,
    timeout=0,
    sleep=time.sleep,
    clock=time.monotonic,
    delay=1.0,
    max_delay=10.0,
):
    """Read until every wanted model ID has a record and at least wanted_records records are found, or timeout
    seconds have passed: Bedrock delivers records to CloudWatch Logs asynchronously, some time after the call.

    `read()` returns (records, skipped, pages) as read_invocations does. Returns (records, skipped, reads,
    waited, missing) where reads counts the read() calls and missing is what was still absent at the end (a
    timeout when not empty, or when fewer than wanted_records were found)."""
    started = clock()
    reads = 0
    while True:
        records, skipped, _pages = read()
        reads += 1
        missing = missing_model_ids(records, wanted_model_ids)
        waited = clock() - started
        enough = not missing and len(records) >= wanted_records
        remaining = timeout - waited
        if enough or remaining <= 0:
            return records, skipped, reads, waited, missing
        sleep(min(delay, remaining))
        delay = min(delay * 2, max_delay)
