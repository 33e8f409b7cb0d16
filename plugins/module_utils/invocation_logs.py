# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Model invocation logging: the configuration (Get/Put/Delete ModelInvocationLoggingConfiguration) and the
records Bedrock writes to CloudWatch Logs.

Everything here is a plain function over plain data so roles, other modules and tests can reuse it.
"""

import datetime
import json
import re
import time

try:
    from botocore.exceptions import ClientError
except ImportError:
    # AnsibleAWSModule fails early when botocore is missing; this only keeps the module importable.
    class ClientError(Exception):
        pass


from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import BedrockErrorHandler

DEFAULT_LOG_GROUP_NAME = "/aws/bedrock/model-invocations"

# Delivery flags of LoggingConfig: option name -> API member. Newer botocore releases add media types, so the
# modules only send the ones the installed botocore's service model knows (see known_delivery_flags()).
DELIVERY_FLAGS = {
    "text_data_delivery_enabled": "textDataDeliveryEnabled",
    "image_data_delivery_enabled": "imageDataDeliveryEnabled",
    "embedding_data_delivery_enabled": "embeddingDataDeliveryEnabled",
    "video_data_delivery_enabled": "videoDataDeliveryEnabled",
    "audio_data_delivery_enabled": "audioDataDeliveryEnabled",
}

PERMISSION_VALIDATION_TEXT = "Failed to validate permissions"


class LoggingConfigError(AnsibleAWSError):
    """A logging configuration that cannot be applied; the message says why and what to check."""


class InvocationLogsError(AnsibleAWSError):
    pass


class LogsErrorHandler(AWSErrorHandler):
    """Errors of the CloudWatch Logs calls, raised as InvocationLogsError and caught once in main()."""

    _CUSTOM_EXCEPTION = InvocationLogsError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


# ---------------------------------------------------------------------------------------------------------------
# The logging configuration
# ---------------------------------------------------------------------------------------------------------------


def known_delivery_flags(service_model):
    """The delivery flag option names the given bedrock service model (client.meta.service_model) accepts."""
    members = service_model.shape_for("LoggingConfig").members
    return [option for option, member in DELIVERY_FLAGS.items() if member in members]


def unsupported_flags(params, known_flags):
    """Delivery flags the user set that the installed botocore cannot send."""
    return [option for option in DELIVERY_FLAGS if params.get(option) is not None and option not in known_flags]


def _s3_to_api(s3):
    if not s3:
        return None
    out = {"bucketName": s3["bucket_name"]}
    if s3.get("key_prefix"):
        out["keyPrefix"] = s3["key_prefix"]
    return out


def _s3_from_api(s3):
    if not s3 or not s3.get("bucketName"):
        return None
    out = {"bucket_name": s3["bucketName"]}
    if s3.get("keyPrefix"):
        out["key_prefix"] = s3["keyPrefix"]
    return out


def normalize_api_config(config):
    """The loggingConfig Get returned, in a canonical API shape, or None when there is none.

    After a Delete, Get may answer `loggingConfig: {}` (or a config without any destination); that is no
    configuration. Empty key prefixes are dropped and missing flags mean false, so two configurations that
    Bedrock treats alike compare equal.
    """
    if not config:
        return None
    cloudwatch = config.get("cloudWatchConfig") or {}
    s3 = _s3_to_api(_s3_from_api(config.get("s3Config")))
    out = {}
    if cloudwatch.get("logGroupName"):
        cw = {"logGroupName": cloudwatch["logGroupName"], "roleArn": cloudwatch.get("roleArn", "")}
        large = _s3_to_api(_s3_from_api(cloudwatch.get("largeDataDeliveryS3Config")))
        if large:
            cw["largeDataDeliveryS3Config"] = large
        out["cloudWatchConfig"] = cw
    if s3:
        out["s3Config"] = s3
    if not out:
        return None
    for member in DELIVERY_FLAGS.values():
        if member in config:
            out[member] = bool(config[member])
    return out


def build_api_config(params, known_flags, current=None):
    """The loggingConfig to Put for the module parameters.

    A delivery flag left unset (None) keeps the value of the current configuration (false when there is none),
    because Put replaces the whole configuration and would otherwise silently turn it off.
    """
    out = {}
    cloudwatch = params.get("cloudwatch_config")
    if cloudwatch:
        cw = {"logGroupName": cloudwatch["log_group_name"], "roleArn": cloudwatch["role_arn"]}
        large = _s3_to_api(cloudwatch.get("large_data_delivery_s3_config"))
        if large:
            cw["largeDataDeliveryS3Config"] = large
        out["cloudWatchConfig"] = cw
    s3 = _s3_to_api(params.get("s3_config"))
    if s3:
        out["s3Config"] = s3
    current = current or {}
    for option in known_flags:
        member = DELIVERY_FLAGS[option]
        value = params.get(option)
        out[member] = bool(current.get(member, False)) if value is None else bool(value)
    return out


def configs_equal(current, wanted):
    """Whether the (normalized) current configuration already is the wanted one; absent flags mean false."""
    if current is None or wanted is None:
        return current is None and wanted is None
    for key in ("cloudWatchConfig", "s3Config"):
        if current.get(key) != wanted.get(key):
            return False
    return all(
        bool(current.get(member, False)) == bool(wanted.get(member, False)) for member in DELIVERY_FLAGS.values()
    )


def config_to_snake(config):
    """An API loggingConfig as the module returns it (option names); {} for no configuration."""
    if not config:
        return {}
    out = {}
    cloudwatch = config.get("cloudWatchConfig")
    if cloudwatch:
        cw = {"log_group_name": cloudwatch.get("logGroupName"), "role_arn": cloudwatch.get("roleArn")}
        large = _s3_from_api(cloudwatch.get("largeDataDeliveryS3Config"))
        if large:
            cw["large_data_delivery_s3_config"] = large
        out["cloudwatch_config"] = cw
    s3 = _s3_from_api(config.get("s3Config"))
    if s3:
        out["s3_config"] = s3
    for option, member in DELIVERY_FLAGS.items():
        if member in config:
            out[option] = bool(config[member])
    return out


# ---------------------------------------------------------------------------------------------------------------
# Retrying Put while a new IAM role propagates
# ---------------------------------------------------------------------------------------------------------------


def is_permission_validation_error(error):
    """The ValidationException Put answers while Bedrock cannot yet assume a new role or reach its resources."""
    if not isinstance(error, ClientError):
        return False
    err = error.response.get("Error", {})
    return err.get("Code") == "ValidationException" and PERMISSION_VALIDATION_TEXT in err.get("Message", "")


def permission_failure_message(config, waited, attempts):
    """What to check when Put still fails permission validation after waiting."""
    cloudwatch = (config or {}).get("cloudWatchConfig") or {}
    s3 = (config or {}).get("s3Config") or {}
    large = cloudwatch.get("largeDataDeliveryS3Config") or {}
    parts = [
        f"Bedrock could not validate the permissions of the invocation logging configuration after {attempts} "
        f"attempt(s) over {waited:.0f}s."
    ]
    if cloudwatch:
        role = cloudwatch.get("roleArn")
        group = cloudwatch.get("logGroupName")
        parts.append(
            f"Check that the role {role} trusts the service principal bedrock.amazonaws.com (sts:AssumeRole, "
            "with aws:SourceAccount set to this account and aws:SourceArn matching "
            "arn:aws:bedrock:<region>:<account>:*), that it allows logs:CreateLogStream and logs:PutLogEvents "
            f"on the log group {group} (arn:aws:logs:<region>:<account>:log-group:{group}:log-stream:*), "
            "and that the log group exists in this region."
        )
    buckets = [b["bucketName"] for b in (s3, large) if b.get("bucketName")]
    if buckets:
        parts.append(
            "Check that the bucket policy of "
            + ", ".join(buckets)
            + " lets bedrock.amazonaws.com s3:PutObject (with aws:SourceAccount and aws:SourceArn conditions)."
        )
    parts.append(
        "A role or policy created moments ago can take a minute or two to propagate through IAM: "
        "raise wait_timeout if it was just created."
    )
    return " ".join(parts)


def put_with_propagation_retry(put, config, timeout, sleep=time.sleep, clock=time.monotonic, delay=2.0, max_delay=15.0):
    """Call put(config), retrying the permission ValidationException with a growing delay for up to timeout
    seconds. Returns the number of attempts; raises LoggingConfigError naming what to check when it gives up.
    Every other error propagates unchanged."""
    started = clock()
    attempts = 0
    while True:
        attempts += 1
        try:
            put(config)
            return attempts
        except ClientError as e:
            if not is_permission_validation_error(e):
                raise
            waited = clock() - started
            remaining = timeout - waited
            if remaining <= 0:
                raise LoggingConfigError(
                    message=permission_failure_message(config, waited, attempts), exception=e
                ) from e
            sleep(min(delay, remaining))
            delay = min(delay * 2, max_delay)


# ---------------------------------------------------------------------------------------------------------------
# The Bedrock calls
# ---------------------------------------------------------------------------------------------------------------


@BedrockErrorHandler.common_error_handler("get the model invocation logging configuration")
def get_logging_config(client):
    """The region's logging configuration in canonical API shape, or None when there is none."""
    response = client.get_model_invocation_logging_configuration(aws_retry=True)
    return normalize_api_config(response.get("loggingConfig"))


@BedrockErrorHandler.common_error_handler("put the model invocation logging configuration")
def put_logging_config(client, config, timeout, sleep=time.sleep, clock=time.monotonic):
    """Put the configuration, waiting out IAM propagation for up to timeout seconds. Returns the attempts."""

    def put(cfg):
        client.put_model_invocation_logging_configuration(loggingConfig=cfg, aws_retry=True)

    return put_with_propagation_retry(put, config, timeout, sleep=sleep, clock=clock)


@BedrockErrorHandler.common_error_handler("delete the model invocation logging configuration")
def delete_logging_config(client):
    client.delete_model_invocation_logging_configuration(aws_retry=True)


# ---------------------------------------------------------------------------------------------------------------
# Reading invocation log records
# ---------------------------------------------------------------------------------------------------------------

_RELATIVE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
DURATION_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(value, now=None):
    """The UTC datetime `value` stands for: a duration back from now (`90s`, `5m`, `1h`, `2d`, `1w`) or an
    ISO 8601 date or timestamp (no offset means UTC). Raises ValueError naming the bad value."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    text = str(value).strip() if value is not None else ""
    match = _RELATIVE.match(text)
    if match:
        return now - datetime.timedelta(seconds=int(match.group(1)) * DURATION_UNIT_SECONDS[match.group(2)])
    try:
        return parse_timestamp(text)
    except ValueError:
        raise ValueError(
            f"since={value!r} is neither a duration such as 30s, 5m, 1h, 2d or 1w nor an ISO 8601 timestamp "
            "such as 2025-01-31T12:00:00Z"
        ) from None


def parse_timestamp(text):
    """An ISO 8601 date or timestamp as an aware UTC datetime; no offset means UTC. Raises ValueError."""
    iso = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    parsed = datetime.datetime.fromisoformat(iso)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.astimezone(datetime.timezone.utc)


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
