#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cost_allocation_tags
version_added: 0.1.0
short_description: Activate or deactivate user-defined cost allocation tag keys
description:
  - Sets the cost allocation status of user-defined tag keys with Cost Explorer's
    C(UpdateCostAllocationTagsStatus), so that Cost Explorer and the cost and usage reports can split the Bedrock
    bill by the tags on the inference profiles (C(Application), C(ManagedBy), and the user's own).
  - Idempotent. C(ListCostAllocationTags) (type C(UserDefined), the keys given) is read first; only keys that are
    listed and not in O(status) are updated, at most 20 per call (the API's limit).
  - AWS lists a user-defined key only after billing has seen it on a resource, which takes up to 24 hours after
    the tag was applied. A key not listed yet cannot be activated; it is returned in RV(pending) with a warning, and
    the module changes nothing for it. Run it again the next day.
  - This changes the billing reports of the whole account (for an organization, of every member account), so the
    C(librechat.bedrock.usage) role runs it only when asked. Cost allocation tags are managed from the management
    (payer) account of an organization, or from a standalone account.
  - Cost Explorer is served from one endpoint, C(ce.us-east-1.amazonaws.com), so the module calls it in
    V(us-east-1) whatever O(region) is.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
options:
  tag_keys:
    description:
      - The tag keys. Each is 1 to 128 characters and does not start with C(aws:) (AWS's own keys, which are
        AWS-generated tags and not managed here). Duplicates count once.
    type: list
    elements: str
    required: true
  status:
    description: The status the keys should have.
    type: str
    choices: [Active, Inactive]
    default: Active
extends_documentation_fragment:
  - librechat.bedrock.aws
  - librechat.bedrock.attributes
attributes:
  check_mode:
    support: full
    details:
      - Nothing is written; RV(activated) and RV(deactivated) name the keys a real run would change.
  diff_mode:
    support: full
    details:
      - Each listed key's status before and after.
  idempotent:
    support: full
notes:
  - The caller needs C(ce:ListCostAllocationTags) and C(ce:UpdateCostAllocationTagsStatus).
  - An C(Errors) entry in the answer of C(UpdateCostAllocationTagsStatus) fails the module, naming each key and
    AWS's code and message.
seealso:
  - name: Activating user-defined cost allocation tags
    description: AWS Billing user guide; a new key can take up to 24 hours to appear.
    link: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html
  - name: Using user-defined cost allocation tags
    description: Only the management account of an organization, or a standalone account, manages them.
    link: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/custom-tags.html
  - name: Using the AWS Cost Explorer API
    description: The service endpoint, C(https://ce.us-east-1.amazonaws.com).
    link: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/ce-api.html
requirements:
  - boto3 >= 1.38.43
  - botocore >= 1.38.43
"""

EXAMPLES = r"""
- name: Let Cost Explorer split Bedrock costs by the profiles' tags
  librechat.bedrock.cost_allocation_tags:
    tag_keys: [Application, ManagedBy, Team]
  register: cost_tags

- name: Say which keys billing has not seen yet
  ansible.builtin.debug:
    msg: "Run again tomorrow for {{ cost_tags.pending | join(', ') }}"
  when: cost_tags.pending | length > 0

- name: Stop splitting by Team
  librechat.bedrock.cost_allocation_tags:
    tag_keys: [Team]
    status: Inactive
"""

RETURN = r"""
activated:
  description: The keys this run activated (would activate, in check mode).
  returned: always
  type: list
  elements: str
  sample: [Application]
deactivated:
  description: The keys this run deactivated (would deactivate, in check mode).
  returned: always
  type: list
  elements: str
unchanged:
  description: The listed keys that already had O(status).
  returned: always
  type: list
  elements: str
  sample: [ManagedBy]
pending:
  description:
    - The keys Cost Explorer does not list yet, because billing has not seen them on a resource (up to 24 hours
      after the tag was applied), or because this is not the account that manages cost allocation tags.
  returned: always
  type: list
  elements: str
  sample: [Team]
tags:
  description: Each listed key's status after the run (what a real run would leave, in check mode).
  returned: always
  type: dict
  sample: {Application: Active, ManagedBy: Active}
"""

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import bedrock_client

# Cost Explorer's one endpoint is ce.us-east-1.amazonaws.com (AWS Cost Management user guide, "Using the AWS Cost
# Explorer API"; botocore's endpoint rules resolve every region of the aws partition there).
CE_REGION = "us-east-1"
# botocore's ce model: ListCostAllocationTags TagKeys 1-100 items, UpdateCostAllocationTagsStatus 1-20 entries
LIST_MAX = 100
UPDATE_MAX = 20
# Cost allocation tag keys are resource tag keys: at most 128 characters (the tagging rules of AWS); keys starting
# with aws: are AWS's own
KEY_MAX = 128
PENDING_WARNING = (
    "Cost Explorer does not list {keys} yet. AWS lists a user-defined tag key only after billing has seen it on a "
    "resource, which takes up to 24 hours after the tag was applied (AWS Billing user guide, 'Activating "
    "user-defined cost allocation tags'); run this again later. Cost allocation tags are activated in the "
    "management (payer) account of an organization: from a member account no key is ever listed."
)


def key_errors(keys):
    """Each key that cannot be a user-defined cost allocation tag key, with the reason and the fix."""
    errors = []
    for key in keys:
        if not isinstance(key, str) or not key or len(key) > KEY_MAX:
            errors.append(f"tag_keys: {key!r} must be 1 to {KEY_MAX} characters")
        elif key.lower().startswith("aws:"):
            errors.append(f"tag_keys: {key!r} starts with 'aws:', which AWS reserves for its own tags; drop it")
    return errors


def chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


@AWSErrorHandler.common_error_handler("list the cost allocation tags")
def list_statuses(client, keys):
    """{key: status} of the user-defined keys among `keys` that Cost Explorer lists."""
    found = {}
    for batch in chunks(keys, LIST_MAX):
        request = dict(TagKeys=batch, Type="UserDefined")
        while True:
            answer = client.list_cost_allocation_tags(aws_retry=True, **request)
            for tag in answer.get("CostAllocationTags") or []:
                if tag.get("TagKey") in batch:
                    found[tag["TagKey"]] = tag.get("Status")
            token = answer.get("NextToken")
            if not token:
                break
            request["NextToken"] = token
    return found


def plan(keys, listed, status):
    """What to change: (to_update, unchanged, pending), each in the order of `keys`."""
    to_update = [k for k in keys if k in listed and listed[k] != status]
    unchanged = [k for k in keys if k in listed and listed[k] == status]
    pending = [k for k in keys if k not in listed]
    return to_update, unchanged, pending


@AWSErrorHandler.common_error_handler("update the status of cost allocation tags")
def update(client, keys, status):
    """UpdateCostAllocationTagsStatus in batches of UPDATE_MAX; the Errors entries of every batch."""
    errors = []
    for batch in chunks(keys, UPDATE_MAX):
        answer = client.update_cost_allocation_tags_status(
            CostAllocationTagsStatus=[dict(TagKey=k, Status=status) for k in batch], aws_retry=True
        )
        errors += answer.get("Errors") or []
    return errors


def reconcile(client, keys, status, check_mode):
    """List, plan and (unless check_mode) update; the module's result and the Errors entries AWS answered."""
    listed = list_statuses(client, keys)
    to_update, unchanged, pending = plan(keys, listed, status)
    failures = update(client, to_update, status) if to_update and not check_mode else []
    failed = {f.get("TagKey") for f in failures}
    changed_keys = [k for k in to_update if k not in failed]
    after = dict(listed, **dict.fromkeys(changed_keys, status))
    result = dict(
        changed=bool(changed_keys),
        activated=changed_keys if status == "Active" else [],
        deactivated=changed_keys if status == "Inactive" else [],
        unchanged=unchanged,
        pending=pending,
        tags=after,
        diff=dict(before=listed, after=after),
    )
    return result, failures


def failure_message(failures):
    details = "; ".join(f"{f.get('TagKey')}: {f.get('Code')} {f.get('Message')}" for f in failures)
    return f"UpdateCostAllocationTagsStatus refused {len(failures)} key(s): {details}"


def main():
    argument_spec = dict(
        tag_keys=dict(type="list", elements="str", required=True, no_log=False),
        status=dict(type="str", choices=["Active", "Inactive"], default="Active"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    status = module.params["status"]
    keys = list(dict.fromkeys(module.params["tag_keys"]))
    errors = key_errors(keys)
    if not keys:
        errors.append("tag_keys must name at least one tag key, for example [Application, ManagedBy]")
    if errors:
        module.fail_json(msg="; ".join(errors))

    # Cost Explorer's one endpoint is in us-east-1 (CE_REGION): the client is made for it whatever region is given
    module.params["region"] = CE_REGION
    client = bedrock_client(module, "ce")
    try:
        result, failures = reconcile(client, keys, status, module.check_mode)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    if not module._diff:
        result.pop("diff")
    if result["pending"]:
        module.warn(PENDING_WARNING.format(keys=", ".join(result["pending"])))
    if failures:
        module.fail_json(msg=failure_message(failures), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
