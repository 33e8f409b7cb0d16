#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: inference_profile_info
version_added: 0.1.0
short_description: List Bedrock inference profiles
description:
  - Lists the region's Amazon Bedrock inference profiles, every page, system-defined (cross-region) and
    application (custom) ones, or describes one.
  - Without O(type) it makes two listings, C(typeEquals=SYSTEM_DEFINED) and then C(typeEquals=APPLICATION), because
    Bedrock's ListInferenceProfiles without C(typeEquals) answers system profiles only
    (U(https://github.com/aws/aws-cli/issues/9728)).
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
options:
  type:
    description:
      - Only profiles of this type (one listing). Unset, both types (two listings, system profiles first).
    type: str
    choices: [SYSTEM_DEFINED, APPLICATION]
  inference_profile:
    description:
      - Only this profile, by application profile name, profile ID or ARN. Nothing is returned when it does not
        exist.
    type: str
  include_tags:
    description:
      - Add each application profile's tags (one ListTagsForResource call per profile). System profiles have
        none.
    type: bool
    default: false
extends_documentation_fragment:
  - librechat.bedrock.aws
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.info_module
notes:
  - Supports check mode; it changes nothing.
seealso:
  - module: librechat.bedrock.inference_profile
requirements:
  - boto3 >= 1.38.43
  - botocore >= 1.38.43
"""

EXAMPLES = r"""
- name: Every system inference profile the region offers
  librechat.bedrock.inference_profile_info:
    type: SYSTEM_DEFINED
  register: system

- name: Their IDs
  ansible.builtin.debug:
    msg: "{{ system.inference_profiles | map(attribute='inference_profile_id') | list }}"

- name: The application profiles LibreChat uses, with their tags
  librechat.bedrock.inference_profile_info:
    type: APPLICATION
    include_tags: true

- name: One profile by name
  librechat.bedrock.inference_profile_info:
    inference_profile: LibreChat-us-anthropic-claude-3-7-sonnet-20250219-v1-0
"""

RETURN = r"""
inference_profiles:
  description: The profiles, in the order Bedrock lists them (without O(type), system profiles first).
  returned: always
  type: list
  elements: dict
  contains:
    inference_profile_arn:
      description: The ARN.
      type: str
      sample: arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0
    inference_profile_id:
      description: The ID.
      type: str
      sample: us.anthropic.claude-3-7-sonnet-20250219-v1:0
    inference_profile_name:
      description: The name.
      type: str
    description:
      description: The description.
      type: str
    status:
      description: C(ACTIVE) once usable.
      type: str
    type:
      description: C(SYSTEM_DEFINED) or C(APPLICATION).
      type: str
    models:
      description: The foundation models the profile routes to.
      type: list
      elements: dict
      contains:
        model_arn:
          description: A foundation-model ARN.
          type: str
    tags:
      description: The tags; only with O(include_tags=true).
      type: dict
    created_at:
      description: When it was created (ISO 8601).
      type: str
    updated_at:
      description: When it was last updated (ISO 8601).
      type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import (
    BedrockError,
    bedrock_client,
    get_inference_profile,
    list_all_inference_profiles,
    list_inference_profiles,
    list_tags,
    profile_result,
)
from ansible_collections.librechat.bedrock.plugins.module_utils.rules import parse_profile_arn

# Application profile IDs are 12 lowercase letters and digits; names may look the same, so such a value is
# tried as an ID first and then as a name.
_APP_ID_LENGTH = 12


def select(module, client):
    wanted = module.params["inference_profile"]
    profile_type = module.params["type"]
    if wanted is None:
        # Both kinds take two calls: without typeEquals Bedrock lists SYSTEM_DEFINED only (aws/aws-cli#9728).
        return list_inference_profiles(client, profile_type) if profile_type else list_all_inference_profiles(client)
    if (
        parse_profile_arn(wanted)
        or "." in wanted
        or (len(wanted) == _APP_ID_LENGTH and wanted.isalnum() and wanted.islower())
    ):
        found = get_inference_profile(client, wanted)
        if found is not None:
            return [found] if profile_type in (None, found.get("type")) else []
        if parse_profile_arn(wanted) or "." in wanted:
            return []
    listing = list_inference_profiles(client, "APPLICATION" if profile_type in (None, "APPLICATION") else profile_type)
    return [p for p in listing if p.get("inferenceProfileName") == wanted]


def main():
    argument_spec = dict(
        type=dict(type="str", choices=["SYSTEM_DEFINED", "APPLICATION"]),
        inference_profile=dict(type="str"),
        include_tags=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = bedrock_client(module)
    try:
        profiles = select(module, client)
        results = []
        for profile in profiles:
            tags = None
            if module.params["include_tags"]:
                tags = list_tags(client, profile["inferenceProfileArn"]) if profile.get("type") == "APPLICATION" else {}
            results.append(profile_result(profile, tags))
    except BedrockError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, inference_profiles=results)


if __name__ == "__main__":
    main()
