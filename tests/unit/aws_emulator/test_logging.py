"""Model invocation logging through boto3 against the emulator: the configuration is validated as Bedrock validates
it (log group, role, its trust and permissions, buckets), and Converse writes the invocation record."""

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
    wanted["s3Config"] = {"bucketName": BUCKET, "keyPrefix": "invocations"}
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


def test_iam_propagation_delay_rejects_a_new_role_for_a_while(logging_setup, control):
    bedrock = logging_setup["bedrock"]
    control.config(iam_propagation_seconds=60)
    role = make_role(logging_setup["iam"])
    assert_rejected(bedrock, config(role), "BedrockLoggingRole")
    control.config(iam_propagation_seconds=0)
    bedrock.put_model_invocation_logging_configuration(loggingConfig=config(role))
    assert bedrock.get_model_invocation_logging_configuration()["loggingConfig"]["cloudWatchConfig"]["roleArn"] == role


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
