#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: invocation_logs_info
version_added: 0.1.0
short_description: Read recent Bedrock model invocation log records from CloudWatch Logs
description:
  - Reads the records Bedrock model invocation logging wrote to a CloudWatch Logs log group since a given
    time, and summarises them per model ID, to verify that requests reach the models (and the application
    inference profiles) you expect, and in which region they ran.
  - Uses C(FilterLogEvents) from O(since) onwards and follows every C(nextToken) page until O(limit) records
    are found. Records are returned oldest first.
  - Lines of the log group that are not invocation records (for example the permission check Bedrock writes
    when logging is configured) are skipped and counted in RV(skipped_lines).
  - A log group that does not exist is an error naming it, because it means invocation logging does not
    deliver there; use M(librechat.bedrock.invocation_logging) to configure it.
  - This module is read-only and supports check mode.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
options:
  log_group_name:
    description:
      - The CloudWatch Logs log group model invocation logging delivers to.
    type: str
    default: /aws/bedrock/model-invocations
  since:
    description:
      - Where to start reading.
      - Either a duration back from now, a number followed by C(s), C(m), C(h), C(d) or C(w) (V(5m), V(1h), V(2d)),
        or an ISO 8601 date or timestamp (V(2025-01-31T12:00:00Z)); a timestamp without an offset is UTC.
    type: str
    default: 1h
  model_id:
    description:
      - Only return records for this model.
      - Matches the record's C(modelId) exactly, or the resource ID of a foundation-model or inference-profile
        ARN in it, so V(us.anthropic.claude-3-5-haiku-20241022-v1:0) matches records of that system profile's ARN.
    type: str
  limit:
    description:
      - The most records to return. Reading stops once this many are found.
    type: int
    default: 1000
  wait_for_model_ids:
    description:
      - Model IDs or ARNs to wait for. Bedrock delivers records to CloudWatch Logs asynchronously, some time
        after the call, so a record of a request just made may not be readable yet.
      - The module reads again, with a growing pause, until every one of these has a record (matched as
        O(model_id) matches) or O(wait_timeout) seconds have passed. RV(timed_out) and RV(missing_model_ids)
        say what did not arrive; the module does not fail for it.
    type: list
    elements: str
    default: []
  wait_for_records:
    description:
      - Read again until at least this many records are found, or O(wait_timeout) seconds have passed.
      - V(0) does not wait for a number of records.
    type: int
    default: 0
  wait_timeout:
    description:
      - The most seconds to keep reading for O(wait_for_model_ids) and O(wait_for_records).
      - V(0) reads once.
    type: int
    default: 60
extends_documentation_fragment:
  - librechat.bedrock.aws
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.info_module
notes:
  - Log delivery lags invocations by a few seconds up to several minutes; use O(wait_for_model_ids) or
    O(wait_for_records) when checking for a request just made.
seealso:
  - module: librechat.bedrock.invocation_logging
  - module: librechat.bedrock.model_invocation
requirements:
  - boto3 >= 1.38.43
  - botocore >= 1.38.43
"""

EXAMPLES = r"""
- name: Read the last five minutes of model invocations
  librechat.bedrock.invocation_logs_info:
    region: us-east-1
    since: 5m
  register: invocations

- name: Check that LibreChat's requests went through the application inference profile
  ansible.builtin.assert:
    that:
      - invocations.summary[profile_arn] is defined
      - invocations.summary[profile_arn].is_application_profile
    fail_msg: "No invocation through {{ profile_arn }} in the last five minutes"
  vars:
    profile_arn: arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcd1234efgh

- name: Wait up to two minutes for the records of requests just sent
  librechat.bedrock.invocation_logs_info:
    region: us-east-1
    since: 10m
    wait_for_model_ids:
      - arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcd1234efgh
    wait_timeout: 120
  register: invocations

- name: Records of one model since a given time, from a custom log group
  librechat.bedrock.invocation_logs_info:
    log_group_name: /librechat/bedrock-invocations
    since: "2025-01-31T12:00:00Z"
    model_id: anthropic.claude-3-5-sonnet-20240620-v1:0
    limit: 50
"""

RETURN = r"""
invocations:
  description: The invocation records found, oldest first.
  returned: always
  type: list
  elements: dict
  contains:
    timestamp:
      description: When the invocation happened (ISO 8601, UTC).
      type: str
      sample: "2025-01-31T12:00:03Z"
    request_id:
      description: The Bedrock request ID.
      type: str
    operation:
      description: The API operation, for example C(Converse), C(ConverseStream) or C(InvokeModel).
      type: str
      sample: Converse
    model_id:
      description: The model ID or ARN the request named (an application inference profile ARN when LibreChat
        maps the model to one).
      type: str
    inference_region:
      description: The region the request ran in; cross-region profiles route to several. Null when the record
        does not say.
      type: str
      sample: us-west-2
    region:
      description: The region the request was sent to.
      type: str
    account_id:
      description: The AWS account ID.
      type: str
    input_token_count:
      description: Input tokens, where the record has them.
      type: int
      returned: when present in the record
    output_token_count:
      description: Output tokens, where the record has them.
      type: int
      returned: when present in the record
    cache_read_input_token_count:
      description: Input tokens read from the prompt cache, where the record has them.
      type: int
      returned: when present in the record
    cache_write_input_token_count:
      description: Input tokens written to the prompt cache, where the record has them.
      type: int
      returned: when present in the record
    error_code:
      description: The error of a failed invocation.
      type: str
      returned: when present in the record
summary:
  description: Per model ID (the key, as in the records), what the records show.
  returned: always
  type: dict
  sample:
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcd1234efgh":
      count: 3
      is_application_profile: true
      inference_regions: [us-east-1, us-west-2]
      first_timestamp: "2025-01-31T12:00:03Z"
      last_timestamp: "2025-01-31T12:04:41Z"
      input_token_count: 1234
      output_token_count: 567
      cache_read_input_token_count: 2048
      cache_write_input_token_count: 0
  contains:
    count:
      description: How many records.
      type: int
    is_application_profile:
      description: Whether the model ID is an application inference profile ARN.
      type: bool
    inference_regions:
      description: The inference regions seen, sorted.
      type: list
      elements: str
    first_timestamp:
      description: The earliest record's timestamp.
      type: str
    last_timestamp:
      description: The latest record's timestamp.
      type: str
    input_token_count:
      description: Input tokens over the records.
      type: int
    output_token_count:
      description: Output tokens over the records.
      type: int
    cache_read_input_token_count:
      description: Input tokens read from the prompt cache over the records.
      type: int
    cache_write_input_token_count:
      description: Input tokens written to the prompt cache over the records.
      type: int
skipped_lines:
  description: How many log events were not invocation records and were skipped.
  returned: always
  type: int
start_time:
  description: The start of the window read (ISO 8601, UTC).
  returned: always
  type: str
  sample: "2025-01-31T11:00:00Z"
truncated:
  description: Whether reading stopped at O(limit) (more records may exist).
  returned: always
  type: bool
reads:
  description: How many times the log group was read (more than one when waiting).
  returned: always
  type: int
waited:
  description: Seconds spent waiting for records to be delivered.
  returned: always
  type: float
timed_out:
  description: Whether O(wait_timeout) passed before what O(wait_for_model_ids) and O(wait_for_records) asked for
    arrived.
  returned: always
  type: bool
missing_model_ids:
  description: The O(wait_for_model_ids) that still had no record at the end.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import bedrock_client
from ansible_collections.librechat.bedrock.plugins.module_utils.invocation_logs import (
    parse_since,
    read_invocations,
    read_invocations_waiting,
    summarize,
    to_epoch_millis,
)
from ansible_collections.librechat.bedrock.plugins.module_utils.rules import (
    DEFAULT_LOG_GROUP_NAME,
    is_application_profile_arn,
)


def main():
    argument_spec = dict(
        log_group_name=dict(type="str", default=DEFAULT_LOG_GROUP_NAME),
        since=dict(type="str", default="1h"),
        model_id=dict(type="str"),
        limit=dict(type="int", default=1000),
        wait_for_model_ids=dict(type="list", elements="str", default=[]),
        wait_for_records=dict(type="int", default=0),
        wait_timeout=dict(type="int", default=60),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params

    if params["limit"] < 1:
        module.fail_json(msg=f"limit must be 1 or more, got {params['limit']}")
    for option in ("wait_for_records", "wait_timeout"):
        if params[option] < 0:
            module.fail_json(msg=f"{option}={params[option]} must be 0 or more seconds or records")
    empty = [i for i, m in enumerate(params["wait_for_model_ids"]) if not (m or "").strip()]
    if empty:
        module.fail_json(msg=f"wait_for_model_ids has empty entries at {empty}: give model IDs or ARNs")
    try:
        start = parse_since(params["since"])
    except ValueError as e:
        module.fail_json(msg=str(e))

    client = bedrock_client(module, "logs")

    def read():
        return read_invocations(
            client,
            params["log_group_name"],
            to_epoch_millis(start),
            model_id=params["model_id"],
            limit=params["limit"],
        )

    try:
        records, skipped, reads, waited, missing = read_invocations_waiting(
            read,
            wanted_model_ids=params["wait_for_model_ids"],
            wanted_records=params["wait_for_records"],
            timeout=params["wait_timeout"],
        )
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    module.exit_json(
        changed=False,
        invocations=records,
        summary=summarize(records, is_application_profile_arn),
        skipped_lines=skipped,
        start_time=start.isoformat().replace("+00:00", "Z"),
        truncated=len(records) >= params["limit"],
        reads=reads,
        waited=round(waited, 1),
        timed_out=bool(missing) or len(records) < params["wait_for_records"],
        missing_model_ids=missing,
    )


if __name__ == "__main__":
    main()
