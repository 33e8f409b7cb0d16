"""The invocation_logging role's plan: each comparison says "matches" exactly when its amazon.aws writer would
report no change, and "differs" otherwise."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.librechat.bedrock.plugins.module_utils import logging_plan as plan
from ansible_collections.librechat.bedrock.plugins.module_utils.logging_config import normalize_api_config
from ansible_collections.librechat.bedrock.plugins.modules.invocation_logging_info import wanted_logging_config

ACCOUNT = "123456789012"
SETTINGS = {
    "region": "us-east-1",
    "log_group_name": "/aws/bedrock/model-invocations",
    "role_name": "BedrockLoggingRole",
    "role_path": "/",
    "bucket_name": "",
    "key_prefix": "librechat/",
}
DOCS = plan.documents(SETTINGS, ACCOUNT, "aws")
TAGS = {"Application": "LibreChat"}
DESCRIPTION = "Lets Amazon Bedrock write model invocation logs for LibreChat"


def whats(differences):
    return [d["what"] for d in differences]


# ------------------------------------------------------------------------------------------------ documents


def test_documents_name_this_account_region_log_stream_and_prefix():
    assert plan.bucket_name(SETTINGS, ACCOUNT) == "bedrock-logs-123456789012"
    assert plan.bucket_name(dict(SETTINGS, bucket_name="mine"), ACCOUNT) == "mine"
    assert plan.role_arn(dict(SETTINGS, role_path="/service-role/"), ACCOUNT, "aws-cn") == (
        "arn:aws-cn:iam::123456789012:role/service-role/BedrockLoggingRole"
    )
    trust = DOCS["trust_policy"]["Statement"][0]
    assert trust["Principal"] == {"Service": "bedrock.amazonaws.com"}
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"] == "arn:aws:bedrock:us-east-1:123456789012:*"
    assert DOCS["cloudwatch_policy"]["Statement"][0]["Resource"] == (
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/bedrock/model-invocations:log-stream:"
        "aws/bedrock/modelinvocations"
    )
    objects = "arn:aws:s3:::bedrock-logs-123456789012/librechat/AWSLogs/123456789012/BedrockModelInvocationLogs/*"
    assert DOCS["s3_policy"]["Statement"][0]["Resource"] == objects
    assert DOCS["bucket_policy"]["Statement"][0]["Resource"] == objects
    assert DOCS["bucket_policy"]["Statement"][0]["Condition"] == trust["Condition"]


# ------------------------------------------------------------------------------------------------ log group


def group(retention=30, tags=None):
    found = {"logGroupName": "/aws/bedrock/model-invocations", "tags": dict(TAGS) if tags is None else tags}
    if retention:
        found["retentionInDays"] = retention
    return found


def test_log_group_matches_with_extra_tags_kept():
    assert plan.log_group_differences(group(tags={"Application": "LibreChat", "Team": "x"}), 30, TAGS) == []


@pytest.mark.parametrize(
    ("found", "retention", "expected"),
    [
        (None, 30, ["log_group"]),
        (group(retention=7), 30, ["retention_days"]),
        (group(retention=None), 30, ["retention_days"]),
        (group(retention=30), 0, ["retention_days"]),  # 0 is purge_retention_policy
        (group(tags={}), 30, ["tags"]),
        (group(tags={"Application": "Other"}), 30, ["tags"]),
    ],
)
def test_log_group_differs(found, retention, expected):
    assert whats(plan.log_group_differences(found, retention, TAGS)) == expected


def test_log_group_without_retention_matches_keep_forever():
    assert plan.log_group_differences(group(retention=None), 0, TAGS) == []


def test_tag_values_compare_as_text():
    # compare_aws_tags compares to_text(wanted) with what AWS holds (always text)
    assert plan.log_group_differences(group(tags={"Count": "3"}), 30, {"Count": 3}) == []


# ------------------------------------------------------------------------------------------------ role


def role(**changes):
    found = {
        "RoleName": "BedrockLoggingRole",
        "Path": "/",
        "Description": DESCRIPTION,
        "Tags": [{"Key": "Application", "Value": "LibreChat"}],
        # what GetRole returns: the same policy, its statement keys and condition in another order
        "AssumeRolePolicyDocument": {
            "Statement": [dict(reversed(list(copy.deepcopy(DOCS["trust_policy"]["Statement"][0]).items())))],
            "Version": "2012-10-17",
        },
    }
    found.update(changes)
    return found


def test_role_matches_whatever_the_order_of_its_trust_policy():
    assert plan.role_differences(role(), "/", DOCS["trust_policy"], DESCRIPTION, TAGS) == []


def test_role_description_not_asked_for_is_not_compared():
    assert plan.role_differences(role(Description="other"), "/", DOCS["trust_policy"], None, TAGS) == []


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (None, ["role"]),
        (role(Path="/service-role/"), ["path"]),
        (role(Tags=[]), ["tags"]),
        (role(Description="other"), ["description"]),
        (role(AssumeRolePolicyDocument={"Version": "2012-10-17", "Statement": []}), ["trust_policy"]),
    ],
)
def test_role_differs(found, expected):
    assert whats(plan.role_differences(found, "/", DOCS["trust_policy"], DESCRIPTION, TAGS)) == expected


def test_trust_policy_of_another_region_differs():
    other = plan.documents(dict(SETTINGS, region="eu-west-1"), ACCOUNT, "aws")["trust_policy"]
    assert whats(plan.role_differences(role(), "/", other, DESCRIPTION, TAGS)) == ["trust_policy"]


# ------------------------------------------------------------------------------------------------ inline policies


def test_inline_policy_matches_in_any_order():
    wanted = DOCS["cloudwatch_policy"]
    current = copy.deepcopy(wanted)
    current["Statement"][0]["Action"].reverse()
    name = plan.CLOUDWATCH_POLICY_NAME
    assert plan.inline_policy_differences(role(), {name: current}, name, wanted) == []


def test_inline_policy_differs():
    name = plan.S3_POLICY_NAME
    wanted = DOCS["s3_policy"]
    assert whats(plan.inline_policy_differences(role(), {}, name, wanted)) == [name]
    assert whats(plan.inline_policy_differences(None, {}, name, wanted)) == [name]
    other = plan.documents(dict(SETTINGS, key_prefix="other/"), ACCOUNT, "aws")["s3_policy"]
    assert whats(plan.inline_policy_differences(role(), {name: other}, name, wanted)) == ["policy"]


def test_inline_policy_to_remove():
    name = plan.S3_POLICY_NAME
    assert whats(plan.inline_policy_differences(role(), {name: DOCS["s3_policy"]}, name, None)) == [name]
    assert plan.inline_policy_differences(role(), {}, name, None) == []
    assert plan.inline_policy_differences(None, {}, name, None) == []


# ------------------------------------------------------------------------------------------------ bucket


def bucket(**changes):
    found = {
        "public_access_block": dict(plan.PUBLIC_ACCESS_BLOCK),
        "policy": copy.deepcopy(DOCS["bucket_policy"]),
        "tags": {"Application": "LibreChat", "Owner": "ops"},
        "encryption": {"SSEAlgorithm": "AES256"},
        "object_ownership": "BucketOwnerEnforced",
    }
    found.update(changes)
    return found


def test_bucket_matches():
    assert plan.bucket_differences(bucket(), DOCS["bucket_policy"], TAGS) == []


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (None, ["bucket"]),
        (bucket(public_access_block={}), ["public_access_block"]),
        (bucket(public_access_block=dict(plan.PUBLIC_ACCESS_BLOCK, BlockPublicPolicy=False)), ["public_access_block"]),
        (bucket(policy={}), ["policy"]),
        (bucket(tags={}), ["tags"]),
        (bucket(encryption=None), ["encryption"]),
        (bucket(encryption={"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"}), ["encryption"]),
        (bucket(object_ownership="ObjectWriter"), ["object_ownership"]),
        (bucket(object_ownership=None), ["object_ownership"]),
    ],
)
def test_bucket_differs(found, expected):
    assert whats(plan.bucket_differences(found, DOCS["bucket_policy"], TAGS)) == expected


# ------------------------------------------------------------------------------------------------ logging config

FLAGS = ["text_data_delivery_enabled", "image_data_delivery_enabled", "embedding_data_delivery_enabled"]
ROLE_ARN = "arn:aws:iam::123456789012:role/BedrockLoggingRole"


def wanted_config(current=None, **options):
    """The configuration the plan expects invocation_logging to hold, built as the module builds it."""
    params = dict(
        log_group_name=SETTINGS["log_group_name"],
        key_prefix=SETTINGS["key_prefix"],
        large_data_to_s3=True,
        text_data_delivery_enabled=True,
        image_data_delivery_enabled=True,
        embedding_data_delivery_enabled=True,
    )
    params.update(options)
    return wanted_logging_config(params, "bedrock-logs-123456789012", ROLE_ARN, FLAGS, current)


def test_logging_config_compared_as_the_writer_compares():
    wanted = wanted_config()
    assert wanted["cloudWatchConfig"]["largeDataDeliveryS3Config"] == {
        "bucketName": "bedrock-logs-123456789012",
        "keyPrefix": "librechat/",
    }
    assert plan.logging_config_differences(normalize_api_config(copy.deepcopy(wanted)), wanted) == []
    assert whats(plan.logging_config_differences(None, wanted)) == ["logging_config"]
    assert whats(plan.logging_config_differences(wanted, wanted_config(image_data_delivery_enabled=False))) == [
        "logging_config"
    ]
    assert plan.logging_config_differences(None, None) == []
    assert whats(plan.logging_config_differences(wanted, None)) == ["logging_config"]


def test_logging_config_without_the_bucket_and_prefix():
    wanted = wanted_config(large_data_to_s3=False)
    assert "largeDataDeliveryS3Config" not in wanted["cloudWatchConfig"]
    assert wanted_config(key_prefix="")["cloudWatchConfig"]["largeDataDeliveryS3Config"] == {
        "bucketName": "bedrock-logs-123456789012"
    }


# ------------------------------------------------------------------------------------------------ the result


def test_result_lists_what_differs_in_write_order():
    differences = {
        "logging_config": [{"what": "logging_config"}],
        "log_group": [],
        "bucket": [{"what": "policy"}],
        "role": [],
    }
    resources, changes = plan.plan_result(differences, {"log_group": {"x": 1}, "bucket": True})
    assert changes == ["bucket", "logging_config"]
    assert resources["log_group"] == {"exists": True, "matches": True, "differences": []}
    assert resources["role"]["exists"] is False
    assert resources["bucket"]["matches"] is False


def test_gone_differences():
    assert whats(plan.gone_differences("role", {"RoleName": "x"})) == ["role"]
    assert plan.gone_differences("role", None) == []
