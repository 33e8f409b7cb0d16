#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: invocation_logging_info
version_added: 0.2.0
short_description: Read a region's invocation logging setup and plan what must change
description:
  - "Reads, in one run and without writing, everything the C(librechat.bedrock.invocation_logging) role sets up
    in a region: the CloudWatch log group (retention, tags), the IAM role Bedrock assumes (path, trust policy,
    description, tags) and its two inline policies, the S3 bucket for large data (public access block, policy,
    tags, encryption, object ownership), and the region's model invocation logging configuration."
  - Compares each with what the options ask, by the rules of the module that writes it
    (M(amazon.aws.cloudwatchlogs_log_group), M(amazon.aws.iam_role), M(amazon.aws.iam_policy),
    M(amazon.aws.s3_bucket), M(librechat.bedrock.invocation_logging)), and returns, per resource, whether it
    matches and what differs. A resource that matches is one its writer would leave unchanged, so the role runs
    a writer only for a resource listed in RV(changes).
  - Returns the account, the partition, the bucket and role ARNs and the policy documents the role writes, so
    the role needs no other call to learn them.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
options:
  state:
    description:
      - V(present) plans the setup; V(absent) plans logging off (and, with O(remove_resources), every resource
        gone).
    type: str
    choices: [present, absent]
    default: present
  remove_resources:
    description:
      - With O(state=absent), plan the log group, the role and its inline policies, and the bucket removed.
    type: bool
    default: false
  log_group_name:
    description: The CloudWatch log group of the invocation records.
    type: str
    default: /aws/bedrock/model-invocations
  retention_days:
    description: Days the log group keeps records; V(0) means no retention policy (records are kept forever).
    type: int
    default: 90
  role_name:
    description: The IAM role Bedrock assumes to write the records.
    type: str
    default: BedrockLoggingRole
  role_path:
    description: The IAM path of the role.
    type: str
    default: /
  role_description:
    description:
      - The description the role must have. When not set, the description is not compared (as
        M(amazon.aws.iam_role) leaves it alone without one).
    type: str
  large_data_to_s3:
    description:
      - Whether bodies over 100 KB and binary data go to an S3 bucket. When false, the bucket is not read and
        the role's S3 inline policy must be absent.
    type: bool
    default: true
  bucket_name:
    description: The bucket for large data; empty means C(bedrock-logs-<account id>).
    type: str
    default: ""
  key_prefix:
    description: The key prefix of the objects in the bucket.
    type: str
    default: ""
  text_data_delivery_enabled:
    description: Whether text is to be logged.
    type: bool
    default: true
  image_data_delivery_enabled:
    description: Whether images are to be logged.
    type: bool
    default: true
  embedding_data_delivery_enabled:
    description: Whether embeddings are to be logged.
    type: bool
    default: true
  tags:
    description:
      - Tags the log group, the role and the bucket must carry. Other tags they carry are not a difference (the
        role's writers add and update tags, never remove them).
    type: dict
    default: {}
extends_documentation_fragment:
  - librechat.bedrock.aws
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.info_module
notes:
  - The comparisons are those of the writers' code in amazon.aws 10.x (policies compared as amazon.aws
    C(compare_policies) does, ignoring order; tags as C(compare_aws_tags) with C(purge_tags=false)). Anything
    a writer would compare that cannot be read counts as a difference, never as a match.
  - Needs read access only (C(sts:GetCallerIdentity), C(logs:DescribeLogGroups), C(logs:ListTagsLogGroup),
    C(iam:GetRole), C(iam:ListRolePolicies), C(iam:GetRolePolicy), C(s3:ListBucket), C(s3:GetBucketPolicy),
    C(s3:GetBucketTagging), C(s3:GetEncryptionConfiguration), C(s3:GetBucketOwnershipControls),
    C(s3:GetBucketPublicAccessBlock), C(bedrock:GetModelInvocationLoggingConfiguration)); the statements of
    C(examples/iam/controller-policy.json) the role needs already grant them.
seealso:
  - module: librechat.bedrock.invocation_logging
  - module: amazon.aws.cloudwatchlogs_log_group
  - module: amazon.aws.iam_role
  - module: amazon.aws.iam_policy
  - module: amazon.aws.s3_bucket
requirements:
  - boto3 >= 1.38.43
  - botocore >= 1.38.43
"""

EXAMPLES = r"""
- name: Plan the invocation logging setup of us-east-1
  librechat.bedrock.invocation_logging_info:
    region: us-east-1
    retention_days: 30
    key_prefix: librechat/
    tags:
      Application: LibreChat
  register: plan

- name: Set the retention only when the plan says it differs
  amazon.aws.cloudwatchlogs_log_group:
    region: us-east-1
    log_group_name: /aws/bedrock/model-invocations
    retention: 30
  when: "'log_group' in plan.changes"

- name: Plan turning logging off and removing everything
  librechat.bedrock.invocation_logging_info:
    region: us-east-1
    state: absent
    remove_resources: true
"""

RETURN = r"""
changes:
  description: The resources that do not match, in the order the role writes them.
  returned: always
  type: list
  elements: str
  sample: [log_group, logging_config]
resources:
  description:
    - "Per resource (C(log_group), C(role), C(cloudwatch_policy), C(s3_policy), C(bucket), C(logging_config)):
      whether it exists, whether it matches, and what differs."
    - C(bucket) is left out when the bucket is not part of the plan (O(large_data_to_s3=false)); with
      O(state=absent), only C(logging_config) is planned unless O(remove_resources).
  returned: always
  type: dict
  sample:
    log_group:
      exists: true
      matches: false
      differences:
        - {what: retention_days, current: 7, wanted: 30}
    logging_config: {exists: true, matches: true, differences: []}
  contains:
    exists:
      description: Whether AWS holds the resource.
      type: bool
    matches:
      description: Whether its writer would leave it unchanged.
      type: bool
    differences:
      description: What differs (C(what), C(current), C(wanted)); empty when it matches.
      type: list
      elements: dict
account:
  description: The account of the credentials.
  returned: always
  type: str
  sample: "123456789012"
partition:
  description: The partition of the credentials (C(aws), C(aws-cn), C(aws-us-gov)).
  returned: always
  type: str
  sample: aws
bucket_name:
  description: The large-data bucket (O(bucket_name), or C(bedrock-logs-<account id>)).
  returned: always
  type: str
  sample: bedrock-logs-123456789012
role_arn:
  description: The ARN of the role (known whether or not it exists).
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:role/BedrockLoggingRole
documents:
  description:
    - The policies the setup holds when it matches (C(trust_policy), C(cloudwatch_policy), C(s3_policy),
      C(bucket_policy)), as JSON objects, for the writers to set.
  returned: always
  type: dict
logging_config:
  description: The region's logging configuration now, in the shape M(librechat.bedrock.invocation_logging)
    returns it; empty when there is none.
  returned: always
  type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler, get_aws_account_info, get_iam_role
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.s3 import (
    get_s3_bucket_encryption,
    get_s3_bucket_ownership_controls,
    get_s3_bucket_policy,
    get_s3_bucket_public_access_block,
    get_s3_bucket_tagging,
    head_s3_bucket,
)

from ansible_collections.librechat.bedrock.plugins.module_utils import logging_plan as plan
from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import bedrock_client
from ansible_collections.librechat.bedrock.plugins.module_utils.invocation_logs import LogsErrorHandler
from ansible_collections.librechat.bedrock.plugins.module_utils.logging_config import (
    build_api_config,
    config_to_snake,
    get_logging_config,
    known_delivery_flags,
)


@LogsErrorHandler.common_error_handler("describe the log group")
def read_log_group(client, name):
    # As cloudwatchlogs_log_group's describe_log_group(): the exact name among the prefix's matches, then its
    # tags (AccessDenied on them is no tags, there a warning; here the tags then differ, so the writer runs).
    groups = client.describe_log_groups(logGroupNamePrefix=name, aws_retry=True).get("logGroups", [])
    found = next((g for g in groups if g["logGroupName"] == name), None)
    if found is None:
        return None
    try:
        found["tags"] = client.list_tags_log_group(logGroupName=name, aws_retry=True).get("tags", {})
    except is_boto3_error_code("AccessDeniedException"):
        found["tags"] = {}
    return found


@IAMErrorHandler.list_error_handler("read the role's inline policies", {})
def read_inline_policies(client, role_name, names):
    # As iam_policy's Policy.list()/get(): AccessDenied reads as no policy, which differs, so the writer runs.
    try:
        listed = client.list_role_policies(RoleName=role_name, aws_retry=True).get("PolicyNames", [])
    except is_boto3_error_code("AccessDenied"):
        return {}
    out = {}
    for name in names:
        if name in listed:
            try:
                out[name] = client.get_role_policy(RoleName=role_name, PolicyName=name, aws_retry=True)[
                    "PolicyDocument"
                ]
            except is_boto3_error_code("AccessDenied"):
                out[name] = {}
    return out


def read_bucket(client, name):
    """The bucket's settings the role manages, read with amazon.aws's own getters (those s3_bucket uses), or
    None when it does not exist."""
    if not head_s3_bucket(client, name):
        return None
    encryption = get_s3_bucket_encryption(client, name) or {}
    ownership = get_s3_bucket_ownership_controls(client, name) or {}
    return {
        "public_access_block": get_s3_bucket_public_access_block(client, name) or {},
        "policy": get_s3_bucket_policy(client, name) or {},
        "tags": get_s3_bucket_tagging(client, name) or {},
        "encryption": ((encryption.get("Rules") or [{}])[0]).get("ApplyServerSideEncryptionByDefault"),
        "object_ownership": ((ownership.get("Rules") or [{}])[0]).get("ObjectOwnership"),
    }


def wanted_logging_config(params, bucket, arn, known_flags, current):
    """The configuration the role gives librechat.bedrock.invocation_logging, as that module builds it."""
    large = {"bucket_name": bucket, "key_prefix": params["key_prefix"]} if params["large_data_to_s3"] else None
    options = {
        "cloudwatch_config": {
            "log_group_name": params["log_group_name"],
            "role_arn": arn,
            "large_data_delivery_s3_config": large,
        },
        "s3_config": None,
        "text_data_delivery_enabled": params["text_data_delivery_enabled"],
        "image_data_delivery_enabled": params["image_data_delivery_enabled"],
        "embedding_data_delivery_enabled": params["embedding_data_delivery_enabled"],
    }
    return build_api_config(options, known_flags, current)


def make_plan(module, bedrock, account, partition):
    params = module.params
    settings = dict(params, region=module.region)
    bucket = plan.bucket_name(settings, account)
    arn = plan.role_arn(settings, account, partition)
    docs = plan.documents(settings, account, partition)
    present = params["state"] == "present"
    removing = not present and params["remove_resources"]

    current_config = get_logging_config(bedrock)
    differences, exists = {}, {"logging_config": current_config is not None}
    if present:
        wanted = wanted_logging_config(
            params, bucket, arn, known_delivery_flags(bedrock.meta.service_model), current_config
        )
        differences["logging_config"] = plan.logging_config_differences(current_config, wanted)
    else:
        differences["logging_config"] = plan.logging_config_differences(current_config, None)

    if present or removing:
        logs = bedrock_client(module, "logs")
        group = read_log_group(logs, params["log_group_name"])
        iam = bedrock_client(module, "iam")
        role = get_iam_role(iam, params["role_name"])
        names = (plan.CLOUDWATCH_POLICY_NAME, plan.S3_POLICY_NAME)
        inline = read_inline_policies(iam, params["role_name"], names) if role else {}
        exists.update(log_group=group, role=role)
        exists.update({key: name in inline for key, name in zip(("cloudwatch_policy", "s3_policy"), names)})
        bucket_found = None
        if params["large_data_to_s3"]:
            bucket_found = read_bucket(bedrock_client(module, "s3"), bucket)
            exists["bucket"] = bucket_found is not None
        if present:
            s3_policy = docs["s3_policy"] if params["large_data_to_s3"] else None
            differences.update(
                log_group=plan.log_group_differences(group, params["retention_days"], params["tags"]),
                role=plan.role_differences(
                    role, params["role_path"], docs["trust_policy"], params["role_description"], params["tags"]
                ),
                cloudwatch_policy=plan.inline_policy_differences(
                    role, inline, plan.CLOUDWATCH_POLICY_NAME, docs["cloudwatch_policy"]
                ),
                s3_policy=plan.inline_policy_differences(role, inline, plan.S3_POLICY_NAME, s3_policy),
            )
            if params["large_data_to_s3"]:
                differences["bucket"] = plan.bucket_differences(bucket_found, docs["bucket_policy"], params["tags"])
        else:
            differences.update(
                log_group=plan.gone_differences("log_group", group),
                role=plan.gone_differences("role", role),
                cloudwatch_policy=plan.inline_policy_differences(role, inline, plan.CLOUDWATCH_POLICY_NAME, None),
                s3_policy=plan.inline_policy_differences(role, inline, plan.S3_POLICY_NAME, None),
            )
            if params["large_data_to_s3"]:
                differences["bucket"] = plan.gone_differences("bucket", bucket_found)

    resources, changes = plan.plan_result(differences, exists)
    return dict(
        changed=False,
        changes=changes,
        resources=resources,
        account=account,
        partition=partition,
        bucket_name=bucket,
        role_arn=arn,
        documents=docs,
        logging_config=config_to_snake(current_config),
    )


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        remove_resources=dict(type="bool", default=False),
        log_group_name=dict(type="str", default="/aws/bedrock/model-invocations"),
        retention_days=dict(type="int", default=90),
        role_name=dict(type="str", default="BedrockLoggingRole"),
        role_path=dict(type="str", default="/"),
        role_description=dict(type="str"),
        large_data_to_s3=dict(type="bool", default=True),
        bucket_name=dict(type="str", default=""),
        key_prefix=dict(type="str", default="", no_log=False),
        text_data_delivery_enabled=dict(type="bool", default=True),
        image_data_delivery_enabled=dict(type="bool", default=True),
        embedding_data_delivery_enabled=dict(type="bool", default=True),
        tags=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    # Before any call: bedrock_client fails on a missing region or an old botocore.
    bedrock = bedrock_client(module)
    try:
        account, partition = get_aws_account_info(module)
        result = make_plan(module, bedrock, account, partition)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
