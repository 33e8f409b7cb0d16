# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Model invocation logging's configuration: Get, Put and Delete ModelInvocationLoggingConfiguration, the
configuration compared as Bedrock treats it, and Put retried while a new IAM role propagates.

Everything here is a plain function over plain data so roles, other modules and tests can reuse it.
"""

import time

try:
    from botocore.exceptions import ClientError
except ImportError:
    # AnsibleAWSModule fails early when botocore is missing; this only keeps the module importable.
    class ClientError(Exception):
        pass


from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import BedrockErrorHandler

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
