# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The invocation_logging role's plan: the documents its resources must hold, and whether what AWS holds already
matches them by the rules of the amazon.aws writer that would otherwise run.

"Matches" must mean "that writer would report no change": a wrong "matches" skips a needed write. So each
comparison below repeats its writer's own (and uses amazon.aws's own helpers for policies and tags); anything
a writer compares that these functions cannot see counts as a difference.
"""

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.s3 import merge_tags
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.librechat.bedrock.plugins.module_utils.logging_config import configs_equal

CLOUDWATCH_POLICY_NAME = "BedrockInvocationLogsCloudWatch"
S3_POLICY_NAME = "BedrockInvocationLogsS3"
# The one stream of the log group Bedrock writes to.
LOG_STREAM = "aws/bedrock/modelinvocations"
# What the role asks of amazon.aws.s3_bucket, in the shapes S3's Get calls answer.
PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
BUCKET_ENCRYPTION = "AES256"
BUCKET_OBJECT_OWNERSHIP = "BucketOwnerEnforced"

# The plan's resources, in the order the role writes them.
RESOURCES = ("log_group", "role", "cloudwatch_policy", "bucket", "s3_policy", "logging_config")


def bucket_name(settings, account):
    return settings["bucket_name"] or f"bedrock-logs-{account}"


def role_arn(settings, account, partition):
    return f"arn:{partition}:iam::{account}:role{settings['role_path']}{settings['role_name']}"


def documents(settings, account, partition):
    """The trust policy, the two inline policies and the bucket policy the role sets, for `settings` (the
    module's options: region, log_group_name, role_name, role_path, bucket_name, key_prefix)."""
    region = settings["region"]
    bucket = bucket_name(settings, account)
    stream = f"arn:{partition}:logs:{region}:{account}:log-group:{settings['log_group_name']}:log-stream:{LOG_STREAM}"
    objects = f"arn:{partition}:s3:::{bucket}/{settings['key_prefix']}AWSLogs/{account}/BedrockModelInvocationLogs/*"
    # Bedrock acts for this account and region only (the confused-deputy conditions of AWS's invocation-logging
    # guide, https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html).
    bedrock_here = {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:{partition}:bedrock:{region}:{account}:*"},
    }
    bedrock = {"Service": "bedrock.amazonaws.com"}
    return {
        "trust_policy": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": bedrock, "Action": "sts:AssumeRole", "Condition": bedrock_here}
            ],
        },
        "cloudwatch_policy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "WriteModelInvocationRecords",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": stream,
                }
            ],
        },
        "s3_policy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "WriteLargeInvocationData",
                    "Effect": "Allow",
                    "Action": "s3:PutObject",
                    "Resource": objects,
                    "Condition": {"StringEquals": {"aws:ResourceAccount": account}},
                }
            ],
        },
        "bucket_policy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AmazonBedrockLogsWrite",
                    "Effect": "Allow",
                    "Principal": bedrock,
                    "Action": "s3:PutObject",
                    "Resource": objects,
                    "Condition": bedrock_here,
                }
            ],
        },
    }


def _difference(what, current, wanted):
    return {"what": what, "current": current, "wanted": wanted}


def _tags_to_add(current, wanted):
    """Tags a writer with purge_tags: false would set (amazon.aws compare_aws_tags, as cloudwatchlogs_log_group
    and iam_role call it). A tag value is compared as text."""
    to_add, _to_remove = compare_aws_tags(current or {}, wanted or {}, purge_tags=False)
    return to_add


def _absent(resource):
    return [_difference(resource, None, "present")]


# ---------------------------------------------------------------------------------------------------- present


def log_group_differences(found, retention_days, tags):
    """What amazon.aws.cloudwatchlogs_log_group (plugins/modules/cloudwatchlogs_log_group.py, main() with
    state=present and overwrite=false) would change: a missing group; tags to add (ensure_tags, purge_tags
    false); the retention (retention_days 0 is purge_retention_policy, which removes any retention; otherwise
    retention differs from retentionInDays). `found` is the DescribeLogGroups entry with its ListTagsLogGroup
    `tags`, or None."""
    if not found:
        return _absent("log_group")
    out = []
    to_add = _tags_to_add(found.get("tags"), tags)
    if to_add:
        out.append(_difference("tags", {k: (found.get("tags") or {}).get(k) for k in to_add}, to_add))
    current = found.get("retentionInDays")
    if retention_days == 0:
        if current:
            out.append(_difference("retention_days", current, 0))
    elif current != retention_days:
        out.append(_difference("retention_days", current, retention_days))
    return out


def role_differences(found, path, trust_policy, description, tags):
    """What amazon.aws.iam_role (plugins/modules/iam_role.py, update_basic_role() and the managed-policy and
    instance-profile steps the role turns off) would change: a missing role; a path (iam_role cannot change it:
    it warns on every run and reports no change, so a role under another path keeps iam_role running, and its
    warning shown, each run); the tags to add (purge_tags false); the trust policy
    (compare_policies); the description, when one is asked for. `found` is GetRole's Role, or None."""
    if not found:
        return _absent("role")
    out = []
    if found.get("Path") != path:
        out.append(_difference("path", found.get("Path"), path))
    current_tags = {t["Key"]: t["Value"] for t in found.get("Tags") or []}
    to_add = _tags_to_add(current_tags, tags)
    if to_add:
        out.append(_difference("tags", {k: current_tags.get(k) for k in to_add}, to_add))
    current_trust = found.get("AssumeRolePolicyDocument")
    if compare_policies(current_trust, trust_policy):
        out.append(_difference("trust_policy", current_trust, trust_policy))
    if description is not None and found.get("Description") != description:
        out.append(_difference("description", found.get("Description"), description))
    return out


def inline_policy_differences(role_found, policies, name, wanted):
    """What amazon.aws.iam_policy (plugins/modules/iam_policy.py, Policy.create() with skip_duplicates false,
    Policy.delete()) would change for the role's inline policy `name`: `policies` maps the role's inline policy
    names to their documents. `wanted` None means the policy must be absent. A role that does not exist has
    no policy to compare: present is a difference, absent is not."""
    if not role_found:
        return [] if wanted is None else _absent(name)
    if wanted is None:
        return [_difference(name, policies[name], None)] if name in policies else []
    if name not in policies:
        return _absent(name)
    if compare_policies(policies[name], wanted):
        return [_difference("policy", policies[name], wanted)]
    return []


def bucket_differences(found, policy, tags):
    """What amazon.aws.s3_bucket (plugins/modules/s3_bucket.py, create_or_update_bucket() with the options the
    role sets: public_access, policy, tags with purge_tags false, encryption AES256, object_ownership; every
    other option unset, so not compared) would change. `found` is None for a missing bucket, else a dict of
    what S3's Get calls answered: public_access_block (GetPublicAccessBlock's configuration or {}), policy
    (GetBucketPolicy's document or {}), tags (GetBucketTagging as a dict), encryption (the first rule's
    ApplyServerSideEncryptionByDefault or None), object_ownership (the first ownership rule or None)."""
    if found is None:
        return _absent("bucket")
    out = []
    # handle_bucket_public_access_config: the whole block must be equal
    if found.get("public_access_block") != PUBLIC_ACCESS_BLOCK:
        out.append(_difference("public_access_block", found.get("public_access_block"), PUBLIC_ACCESS_BLOCK))
    # handle_bucket_policy
    if compare_policies(found.get("policy") or {}, policy):
        out.append(_difference("policy", found.get("policy"), policy))
    # handle_bucket_tags (purge_tags false)
    current_tags = found.get("tags") or {}
    merged = merge_tags(current_tags, tags or {}, purge_tags=False)
    if merged != current_tags:
        to_add = {k: v for k, v in merged.items() if current_tags.get(k) != v}
        out.append(_difference("tags", {k: current_tags.get(k) for k in to_add}, to_add))
    # _handle_bucket_encryption: a non-KMS algorithm compares by name only
    algorithm = (found.get("encryption") or {}).get("SSEAlgorithm")
    if algorithm != BUCKET_ENCRYPTION:
        out.append(_difference("encryption", algorithm, BUCKET_ENCRYPTION))
    # handle_bucket_ownership
    if found.get("object_ownership") != BUCKET_OBJECT_OWNERSHIP:
        out.append(_difference("object_ownership", found.get("object_ownership"), BUCKET_OBJECT_OWNERSHIP))
    return out


def logging_config_differences(current, wanted):
    """What librechat.bedrock.invocation_logging would change: the same comparison (configs_equal) over the
    normalized current configuration and the one it would Put (build_api_config). `wanted` None: logging off."""
    if wanted is None:
        return [] if current is None else [_difference("logging_config", current, None)]
    if configs_equal(current, wanted):
        return []
    return [_difference("logging_config", current, wanted)]


# ----------------------------------------------------------------------------------------------------- absent


def gone_differences(resource, found):
    """With state absent and remove_resources: a resource that exists is a difference (each writer's
    state=absent deletes what it finds and reports no change otherwise)."""
    return [_difference(resource, "present", None)] if found else []


def plan_result(differences, exists):
    """Each planned resource as the module returns it (whether it exists, whether it matches, what differs),
    and the names of those that differ, in the order the role writes them."""
    resources = {
        name: {"exists": bool(exists.get(name)), "matches": not diffs, "differences": diffs}
        for name, diffs in differences.items()
    }
    changes = [name for name in RESOURCES if differences.get(name)]
    return resources, changes
