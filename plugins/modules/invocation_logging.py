#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: invocation_logging
version_added: 0.1.0
short_description: Manage the Bedrock model invocation logging configuration of a region
description:
  - Sets, updates or removes the model invocation logging configuration of an AWS region
    (C(PutModelInvocationLoggingConfiguration), C(DeleteModelInvocationLoggingConfiguration)).
    There is one configuration per account and region.
  - Idempotent. The wanted configuration is compared with what C(GetModelInvocationLoggingConfiguration)
    returns, and nothing is written when they are equal. An empty configuration (Bedrock may answer C({})
    after a delete) counts as none.
  - A role created moments before is often not yet usable by Bedrock, and C(Put) fails with
    C(ValidationException) "Failed to validate permissions". The module retries that error with a growing delay
    for up to O(wait_timeout) seconds, then fails with a message naming the role and the log group and what to
    check.
  - The log group, the IAM role Bedrock assumes to write to it, and the S3 buckets are not created here; use
    M(amazon.aws.cloudwatchlogs_log_group), M(amazon.aws.iam_role) and M(amazon.aws.s3_bucket) (the
    C(librechat.bedrock.invocation_logging) role does all of it).
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
options:
  state:
    description:
      - V(present) makes the configuration the one given; V(absent) deletes the region's configuration.
    type: str
    choices: [present, absent]
    default: present
  cloudwatch_config:
    description:
      - Deliver the logs to CloudWatch Logs.
      - At least one of O(cloudwatch_config) and O(s3_config) is required when O(state=present).
    type: dict
    suboptions:
      log_group_name:
        description: The log group the records go to. It must exist.
        type: str
        required: true
      role_arn:
        description:
          - The ARN of the IAM role Bedrock assumes to write to the log group. It must trust
            C(bedrock.amazonaws.com) and allow C(logs:CreateLogStream) and C(logs:PutLogEvents) on the log group.
        type: str
        required: true
      large_data_delivery_s3_config:
        description: Where bodies larger than 100 KB, and binary data, go instead of the log group.
        type: dict
        suboptions:
          bucket_name:
            description: The bucket name.
            type: str
            required: true
          key_prefix:
            description: The key prefix of the objects.
            type: str
  s3_config:
    description:
      - Deliver the logs to S3.
      - At least one of O(cloudwatch_config) and O(s3_config) is required when O(state=present).
    type: dict
    suboptions:
      bucket_name:
        description: The bucket name. Its policy must let C(bedrock.amazonaws.com) C(s3:PutObject).
        type: str
        required: true
      key_prefix:
        description: The key prefix of the objects.
        type: str
  text_data_delivery_enabled:
    description: Log text requests and responses.
    type: bool
    default: true
  image_data_delivery_enabled:
    description: Log image data.
    type: bool
    default: true
  embedding_data_delivery_enabled:
    description: Log embeddings.
    type: bool
    default: true
  video_data_delivery_enabled:
    description:
      - Log video data.
      - When not set, the current value is kept (false when there is no configuration).
      - Needs a botocore release whose Bedrock model has the flag; setting it with an older one is an error.
    type: bool
  audio_data_delivery_enabled:
    description:
      - Log audio data.
      - When not set, the current value is kept (false when there is no configuration).
      - Needs a botocore release whose Bedrock model has the flag; setting it with an older one is an error.
    type: bool
  wait_timeout:
    description:
      - How many seconds to keep retrying C(Put) while it fails permission validation, which is what a newly
        created IAM role causes until it has propagated.
    type: int
    default: 120
extends_documentation_fragment:
  - librechat.bedrock.aws
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.full
notes:
  - Supports check mode (nothing is written; C(changed) says whether a real run would write) and diff mode
    (the configuration before and after).
  - C(PutModelInvocationLoggingConfiguration) replaces the whole configuration, so a destination left out here
    is removed.
seealso:
  - module: librechat.bedrock.invocation_logs_info
  - module: amazon.aws.cloudwatchlogs_log_group
  - module: amazon.aws.iam_role
requirements:
  - boto3 >= 1.38.43
  - botocore >= 1.38.43
"""

EXAMPLES = r"""
- name: Send model invocation logs to CloudWatch Logs, large bodies to S3
  librechat.bedrock.invocation_logging:
    region: us-east-1
    cloudwatch_config:
      log_group_name: /aws/bedrock/model-invocations
      role_arn: arn:aws:iam::123456789012:role/BedrockInvocationLogging
      large_data_delivery_s3_config:
        bucket_name: my-bedrock-large-logs
        key_prefix: large/
    image_data_delivery_enabled: false
    embedding_data_delivery_enabled: false

- name: Send model invocation logs to S3 only, waiting up to five minutes for a new role
  librechat.bedrock.invocation_logging:
    s3_config:
      bucket_name: my-bedrock-logs
      key_prefix: bedrock/
    wait_timeout: 300

- name: Turn model invocation logging off
  librechat.bedrock.invocation_logging:
    state: absent
"""

RETURN = r"""
logging_config:
  description:
    - The region's logging configuration after the run (what a real run would leave, in check mode).
    - Empty when there is none.
  returned: always
  type: dict
  sample:
    cloudwatch_config:
      log_group_name: /aws/bedrock/model-invocations
      role_arn: arn:aws:iam::123456789012:role/BedrockInvocationLogging
      large_data_delivery_s3_config:
        bucket_name: my-bedrock-large-logs
        key_prefix: large/
    text_data_delivery_enabled: true
    image_data_delivery_enabled: false
    embedding_data_delivery_enabled: false
  contains:
    cloudwatch_config:
      description: The CloudWatch Logs destination.
      type: dict
      returned: when configured
      contains:
        log_group_name:
          description: The log group.
          type: str
        role_arn:
          description: The role Bedrock assumes.
          type: str
        large_data_delivery_s3_config:
          description: Where large bodies go.
          type: dict
          returned: when configured
    s3_config:
      description: The S3 destination (C(bucket_name), C(key_prefix)).
      type: dict
      returned: when configured
    text_data_delivery_enabled:
      description: Whether text is logged.
      type: bool
    image_data_delivery_enabled:
      description: Whether images are logged.
      type: bool
    embedding_data_delivery_enabled:
      description: Whether embeddings are logged.
      type: bool
    video_data_delivery_enabled:
      description: Whether video is logged.
      type: bool
      returned: when the installed botocore knows the flag
    audio_data_delivery_enabled:
      description: Whether audio is logged.
      type: bool
      returned: when the installed botocore knows the flag
put_attempts:
  description:
    - How many times C(Put) was called; more than one means it waited for permissions to propagate.
    - 0 when nothing was written.
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.amazon.aws.plugins.module_utils.arn import validate_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import bedrock_client
from ansible_collections.librechat.bedrock.plugins.module_utils.logging_config import (
    build_api_config,
    config_to_snake,
    configs_equal,
    delete_logging_config,
    get_logging_config,
    known_delivery_flags,
    put_logging_config,
    unsupported_flags,
)


def _s3_options():
    return dict(
        bucket_name=dict(type="str", required=True),
        key_prefix=dict(type="str", no_log=False),
    )


def validate(module, known_flags):
    """Fail on input the API would reject, before any call."""
    params = module.params
    if params["wait_timeout"] < 0:
        module.fail_json(msg=f"wait_timeout must be 0 or more seconds, got {params['wait_timeout']}")
    if params["state"] != "present":
        return
    cloudwatch = params.get("cloudwatch_config")
    if cloudwatch and not validate_aws_arn(cloudwatch["role_arn"], service="iam", resource_type="role"):
        module.fail_json(
            msg=f"cloudwatch_config.role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), "
            f"got {cloudwatch['role_arn']!r}"
        )
    missing = unsupported_flags(params, known_flags)
    if missing:
        module.fail_json(
            msg=f"The installed botocore's Bedrock model does not have {', '.join(missing)}; "
            "upgrade botocore or leave these options unset",
            **module._gather_versions(),
        )


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        cloudwatch_config=dict(
            type="dict",
            options=dict(
                log_group_name=dict(type="str", required=True),
                role_arn=dict(type="str", required=True),
                large_data_delivery_s3_config=dict(type="dict", options=_s3_options()),
            ),
        ),
        s3_config=dict(type="dict", options=_s3_options()),
        text_data_delivery_enabled=dict(type="bool", default=True),
        image_data_delivery_enabled=dict(type="bool", default=True),
        embedding_data_delivery_enabled=dict(type="bool", default=True),
        video_data_delivery_enabled=dict(type="bool"),
        audio_data_delivery_enabled=dict(type="bool"),
        wait_timeout=dict(type="int", default=120),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ("cloudwatch_config", "s3_config"), True)],
    )
    params = module.params

    client = bedrock_client(module)
    known_flags = known_delivery_flags(client.meta.service_model)
    validate(module, known_flags)

    attempts = 0
    try:
        current = get_logging_config(client)
        if params["state"] == "present":
            wanted = build_api_config(params, known_flags, current)
            changed = not configs_equal(current, wanted)
            after = wanted if changed else current
            if changed and not module.check_mode:
                attempts = put_logging_config(client, wanted, params["wait_timeout"])
                after = wanted
        else:
            changed = current is not None
            after = None
            if changed and not module.check_mode:
                delete_logging_config(client)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    result = dict(changed=changed, logging_config=config_to_snake(after), put_attempts=attempts)
    if module._diff:
        result["diff"] = dict(before=config_to_snake(current), after=config_to_snake(after))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
