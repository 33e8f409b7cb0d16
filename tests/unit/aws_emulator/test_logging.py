"""Model invocation logging through boto3 against the emulator: the configuration is validated as Bedrock validates
it (log group, role, its trust and permissions, buckets and their policies), IAM propagation and log delivery are
counted faults, and Converse writes the invocation record (tokens, prompt cache, inference region)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from test_inference_profiles import assert_valid_output

ACCOUNT = "123456789012"
GROUP = "/aws/bedrock/model-invocations"
BUCKET = f"bedrock-logs-{ACCOUNT}"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "bedrock.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:*"},
            },
        }
    ],
}
LOGS_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{GROUP}:*",
        }
    ],
}
S3_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}],
}


def bucket_policy(bucket: str = BUCKET, prefix: str = "") -> dict:
    """The bucket policy AWS's invocation-logging guide gives an S3 destination."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AmazonBedrockLogsWrite",
                "Effect": "Allow",
                "Principal": {"Service": "bedrock.amazonaws.com"},
                "Action": ["s3:PutObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/{prefix}AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/*"],
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:*"},
                },
            }
        ],
    }


def make_role(iam, name="BedrockLoggingRole", trust=None, policies=(LOGS_POLICY, S3_POLICY)) -> str:
    trust = TRUST if trust is None else trust
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    for index, policy in enumerate(policies):
        iam.put_role_policy(RoleName=name, PolicyName=f"policy-{index}", PolicyDocument=json.dumps(policy))
    return arn


def config(role_arn: str, group: str = GROUP, large_bucket: str | None = None) -> dict:
    cloudwatch = {"logGroupName": group, "roleArn": role_arn}
    if large_bucket:
        cloudwatch["largeDataDeliveryS3Config"] = {"bucketName": large_bucket, "keyPrefix": "large-data"}
    return {
        "cloudWatchConfig": cloudwatch,
        "textDataDeliveryEnabled": True,
        "imageDataDeliveryEnabled": True,
        "embeddingDataDeliveryEnabled": True,
    }


@pytest.fixture
def logging_setup(client):
    iam, logs, s3 = client("iam"), client("logs"), client("s3")
    logs.create_log_group(logGroupName=GROUP)
    s3.create_bucket(Bucket=BUCKET)
    return {"iam": iam, "logs": logs, "s3": s3, "bedrock": client("bedrock")}


def assert_rejected(bedrock, logging_config: dict, fragment: str) -> None:
    with pytest.raises(ClientError) as error:
        bedrock.put_model_invocation_logging_configuration(loggingConfig=logging_config)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert fragment in error.value.response["Error"]["Message"]
    assert "loggingConfig" not in bedrock.get_model_invocation_logging_configuration()


def test_never_configured_is_empty(client):
    response = client("bedrock").get_model_invocation_logging_configuration()
    assert_valid_output("GetModelInvocationLoggingConfiguration", response)
    assert "loggingConfig" not in response


def test_valid_configuration_round_trips(logging_setup):
    bedrock = logging_setup["bedrock"]
    wanted = config(make_role(logging_setup["iam"]), large_bucket=BUCKET)
    wanted["s3Config"] = {"bucketName": BUCKET, "keyPrefix": "invocations/"}
    logging_setup["s3"].put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(bucket_policy(prefix="invocations/")))
    bedrock.put_model_invocation_logging_configuration(loggingConfig=wanted)
    response = bedrock.get_model_invocation_logging_configuration()
    assert_valid_output("GetModelInvocationLoggingConfiguration", response)
    assert response["loggingConfig"] == wanted
    bedrock.delete_model_invocation_logging_configuration()
    assert bedrock.get_model_invocation_logging_configuration().get("loggingConfig") in (None, {})


def test_missing_log_group_is_rejected(logging_setup):
    assert_rejected(
        logging_setup["bedrock"], config(make_role(logging_setup["iam"]), group="/no/such/group"), "/no/such/group"
    )


def test_missing_role_is_rejected(logging_setup):
    arn = f"arn:aws:iam::{ACCOUNT}:role/NoSuchRole"
    assert_rejected(logging_setup["bedrock"], config(arn), arn)


def test_role_that_does_not_trust_bedrock_is_rejected(logging_setup):
    trust = json.loads(json.dumps(TRUST))
    trust["Statement"][0]["Principal"] = {"Service": "lambda.amazonaws.com"}
    assert_rejected(
        logging_setup["bedrock"], config(make_role(logging_setup["iam"], trust=trust)), "BedrockLoggingRole"
    )


def test_role_without_log_permissions_is_rejected(logging_setup):
    role = make_role(logging_setup["iam"], policies=(S3_POLICY,))
    assert_rejected(logging_setup["bedrock"], config(role), "Verify the IAM role permissions")


def test_role_with_permissions_on_another_group_is_rejected(logging_setup):
    other = json.loads(json.dumps(LOGS_POLICY))
    other["Statement"][0]["Resource"] = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/other:*"
    assert_rejected(logging_setup["bedrock"], config(make_role(logging_setup["iam"], policies=(other,))), GROUP)


def test_missing_bucket_is_rejected(logging_setup):
    role = make_role(logging_setup["iam"])
    assert_rejected(logging_setup["bedrock"], config(role, large_bucket="bedrock-logs-missing"), "bedrock-logs-missing")
    s3_only = {"s3Config": {"bucketName": "bedrock-logs-missing"}, "textDataDeliveryEnabled": True}
    assert_rejected(logging_setup["bedrock"], s3_only, "bedrock-logs-missing")


def test_large_data_bucket_needs_put_object(logging_setup):
    role = make_role(logging_setup["iam"], policies=(LOGS_POLICY,))
    assert_rejected(logging_setup["bedrock"], config(role, large_bucket=BUCKET), BUCKET)


def test_s3_destination_needs_the_bucket_policy_of_the_guide(logging_setup):
    bedrock, s3 = logging_setup["bedrock"], logging_setup["s3"]
    s3_only = {"s3Config": {"bucketName": BUCKET, "keyPrefix": "invocations"}, "textDataDeliveryEnabled": True}
    assert_rejected(bedrock, s3_only, "bucket policy")
    # a policy for another principal, or for another prefix, is not enough
    other = bucket_policy(prefix="invocations/")
    other["Statement"][0]["Principal"] = {"Service": "logging.s3.amazonaws.com"}
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(other))
    assert_rejected(bedrock, s3_only, "bucket policy")
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(bucket_policy(prefix="elsewhere/")))
    assert_rejected(bedrock, s3_only, "bucket policy")
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(bucket_policy(prefix="invocations/")))
    bedrock.put_model_invocation_logging_configuration(loggingConfig=s3_only)
    assert bedrock.get_model_invocation_logging_configuration()["loggingConfig"]["s3Config"]["bucketName"] == BUCKET


def test_iam_propagation_fails_a_counted_number_of_puts_per_new_role(logging_setup, control):
    bedrock = logging_setup["bedrock"]
    control.config(iam_propagation_attempts=2)
    role = make_role(logging_setup["iam"])
    for _attempt in range(2):
        with pytest.raises(ClientError) as error:
            bedrock.put_model_invocation_logging_configuration(loggingConfig=config(role))
        # the text Terraform's provider retries on
        assert error.value.response["Error"]["Code"] == "ValidationException"
        assert "Failed to validate permissions for log group" in error.value.response["Error"]["Message"]
    bedrock.put_model_invocation_logging_configuration(loggingConfig=config(role))  # the third attempt
    assert bedrock.get_model_invocation_logging_configuration()["loggingConfig"]["cloudWatchConfig"]["roleArn"] == role
    # a second role propagates on its own count
    other = make_role(logging_setup["iam"], name="OtherLoggingRole")
    with pytest.raises(ClientError) as error:
        bedrock.put_model_invocation_logging_configuration(loggingConfig=config(other))
    assert "OtherLoggingRole" in error.value.response["Error"]["Message"]
    control.config(iam_propagation_attempts=0)  # turning the knob off settles every role at once
    bedrock.put_model_invocation_logging_configuration(loggingConfig=config(other))


def test_get_after_delete_answers_an_empty_configuration(logging_setup):
    bedrock = logging_setup["bedrock"]
    bedrock.put_model_invocation_logging_configuration(loggingConfig=config(make_role(logging_setup["iam"])))
    bedrock.delete_model_invocation_logging_configuration()
    response = bedrock.get_model_invocation_logging_configuration()
    assert_valid_output("GetModelInvocationLoggingConfiguration", response)
    assert response["loggingConfig"] == {}


def converse(runtime, model_id: str) -> dict:
    return runtime.converse(modelId=model_id, messages=[{"role": "user", "content": [{"text": "Say hello"}]}])


def records(logs) -> list[dict]:
    return [json.loads(e["message"]) for e in logs.filter_log_events(logGroupName=GROUP)["events"]]


def test_converse_answers_without_logging(client):
    response = converse(client("bedrock-runtime"), "us.amazon.nova-pro-v1:0")
    assert_valid_output("Converse", response, service="bedrock-runtime")
    assert response["output"]["message"]["role"] == "assistant"
    assert response["output"]["message"]["content"][0]["text"]
    assert response["stopReason"] == "end_turn"


def test_converse_writes_the_invocation_record(logging_setup, client):
    bedrock, logs = logging_setup["bedrock"], logging_setup["logs"]
    bedrock.put_model_invocation_logging_configuration(loggingConfig=config(make_role(logging_setup["iam"])))
    source = bedrock.get_inference_profile(inferenceProfileIdentifier="us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    profile = bedrock.create_inference_profile(
        inferenceProfileName="LibreChat-sonnet", modelSource={"copyFrom": source["inferenceProfileArn"]}
    )
    runtime = client("bedrock-runtime")
    response = converse(runtime, profile["inferenceProfileArn"])
    converse(runtime, "us.amazon.nova-pro-v1:0")

    first, second = records(logs)
    assert first["modelId"] == profile["inferenceProfileArn"]  # exactly as the caller sent it
    assert second["modelId"] == "us.amazon.nova-pro-v1:0"
    assert first["requestId"] == response["ResponseMetadata"]["RequestId"]
    for record in (first, second):
        assert record["accountId"] == ACCOUNT
        assert record["region"] == "us-east-1"
        assert record["operation"] == "Converse"
        assert record["timestamp"].endswith("Z")
        assert record["inferenceRegion"] in ("us-east-1", "us-east-2", "us-west-2")
    routed = {m["modelArn"].split(":")[3] for m in source["models"]}
    assert first["inferenceRegion"] in routed
    assert first["input"]["inputBodyJson"]["messages"][0]["content"][0]["text"] == "Say hello"
    streams = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["aws/bedrock/modelinvocations"]


def test_records_reach_the_log_group_after_a_counted_number_of_reads(logging_setup, client, control):
    bedrock, logs = logging_setup["bedrock"], logging_setup["logs"]
    bedrock.put_model_invocation_logging_configuration(loggingConfig=config(make_role(logging_setup["iam"])))
    control.config(log_delivery_reads=2)
    converse(client("bedrock-runtime"), "us.amazon.nova-pro-v1:0")
    assert control.state()["pending_invocation_records"] == 1
    assert records(logs) == []  # read 1
    assert records(logs) == []  # read 2
    assert [r["modelId"] for r in records(logs)] == ["us.amazon.nova-pro-v1:0"]  # read 3: delivered
    assert control.state()["pending_invocation_records"] == 0


def test_prompt_cache_tokens_are_answered_and_logged(logging_setup, client):
    bedrock, logs = logging_setup["bedrock"], logging_setup["logs"]
    bedrock.put_model_invocation_logging_configuration(loggingConfig=config(make_role(logging_setup["iam"])))
    runtime = client("bedrock-runtime")
    content = [{"text": "a long shared system prompt"}, {"cachePoint": {"type": "default"}}, {"text": "hello"}]
    first, second = (
        runtime.converse(modelId="us.amazon.nova-pro-v1:0", messages=[{"role": "user", "content": content}])
        for _attempt in range(2)
    )
    assert_valid_output("Converse", first, service="bedrock-runtime")
    assert first["usage"]["cacheWriteInputTokens"] == 5 and "cacheReadInputTokens" not in first["usage"]
    assert second["usage"]["cacheReadInputTokens"] == 5 and "cacheWriteInputTokens" not in second["usage"]
    assert first["usage"]["inputTokens"] == 1
    written, read = records(logs)
    assert (written["input"]["cacheWriteInputTokenCount"], written["input"]["cacheReadInputTokenCount"]) == (5, 0)
    assert (read["input"]["cacheWriteInputTokenCount"], read["input"]["cacheReadInputTokenCount"]) == (0, 5)
    assert read["input"]["inputTokenCount"] == 1


def test_converse_on_a_profile_only_model_id_is_rejected(client):
    with pytest.raises(ClientError) as error:
        converse(client("bedrock-runtime"), "anthropic.claude-3-7-sonnet-20250219-v1:0")
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "on-demand throughput isn't supported" in error.value.response["Error"]["Message"]


def test_converse_without_model_access_is_denied(client, control):
    control.set_availability("us-east-1", "amazon.nova-pro-v1:0", agreement="NOT_AVAILABLE")
    control.set_availability("us-east-2", "amazon.nova-pro-v1:0", agreement="NOT_AVAILABLE")
    control.set_availability("us-west-2", "amazon.nova-pro-v1:0", agreement="NOT_AVAILABLE")
    with pytest.raises(ClientError) as error:
        converse(client("bedrock-runtime"), "us.amazon.nova-pro-v1:0")
    assert error.value.response["Error"]["Code"] == "AccessDeniedException"
