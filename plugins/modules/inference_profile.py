#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: inference_profile
version_added: 0.1.0
short_description: Manage one Bedrock application inference profile
description:
  - Creates, tags, replaces or deletes one Amazon Bedrock application (custom) inference profile, found by
    its name among the region's application profiles.
  - An application profile copies the models of a system (cross-region) inference profile or of one foundation
    model. LibreChat maps a model ID to the profile's ARN, so every request is attributed to the profile for
    cost tracking and invocation logs.
  - Profiles cannot be changed in place except for their tags. When the existing profile routes to other models
    than O(model_source) would, or has another description, the module fails and says so, unless O(recreate=true),
    which deletes the profile and creates it again (with a new ARN).
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
options:
  name:
    description:
      - The profile's name, unique among the region's application inference profiles.
      - Letters and digits, each optionally followed by one space, V(_) or V(-); at most 64 characters.
    type: str
    required: true
  state:
    description:
      - V(present) creates the profile when it does not exist and reconciles its tags.
      - V(absent) deletes it; a profile that does not exist is left alone.
    type: str
    choices: [present, absent]
    default: present
  model_source:
    description:
      - What the profile copies its models from. Required when O(state=present).
      - A system inference profile ID such as V(us.anthropic.claude-3-7-sonnet-20250219-v1:0), a foundation
        model ID such as V(anthropic.claude-3-haiku-20240307-v1:0), or the ARN of either in the same region.
      - A profile ID is looked up among every page of the region's system inference profiles; a foundation model
        ID becomes its regional foundation-model ARN.
    type: str
  description:
    description:
      - The profile's description. Letters, digits, V(:) and V(.), separated by single spaces, V(_) or V(-); at
        most 200 characters.
      - Compared with an existing profile only when given.
    type: str
  recreate:
    description:
      - When the existing profile's models or description differ from what is asked, delete it and create it
        again. The new profile has a new ARN; anything that refers to the old one must be updated.
    type: bool
    default: false
  wait:
    description:
      - After creating, wait until Bedrock answers for the new profile and its status is C(ACTIVE).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait.
    type: int
    default: 120
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - Tags are given as a dictionary. With O(purge_tags=true) (the default) tags not in O(tags) are removed; leave
    O(tags) unset to leave tags alone.
  - A create carries a client request token derived from the request, so a retried create never makes a second
    profile.
  - Supports check mode and diff mode.
"""

EXAMPLES = r"""
- name: Create the LibreChat profile for Claude 3.7 Sonnet, as the LibreChat guide does
  librechat.bedrock.inference_profile:
    name: LibreChat-us-anthropic-claude-3-7-sonnet-20250219-v1-0
    model_source: us.anthropic.claude-3-7-sonnet-20250219-v1:0
    description: Custom inference profile for LibreChat-us-anthropic-claude-3-7-sonnet-20250219-v1-0
    tags:
      Application: LibreChat
      Environment: Production
  register: claude

- name: Use the ARN in librechat.yaml
  ansible.builtin.debug:
    msg: "{{ claude.inference_profile.inference_profile_arn }}"

- name: A profile for one foundation model in one region
  librechat.bedrock.inference_profile:
    name: LibreChat-haiku
    model_source: anthropic.claude-3-haiku-20240307-v1:0
    region: us-west-2

- name: Move a profile to another source (a new ARN)
  librechat.bedrock.inference_profile:
    name: LibreChat-sonnet
    model_source: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    recreate: true

- name: Delete a profile
  librechat.bedrock.inference_profile:
    name: LibreChat-haiku
    state: absent
"""

RETURN = r"""
inference_profile:
  description: The profile as Bedrock describes it; empty after O(state=absent).
  returned: always
  type: dict
  contains:
    inference_profile_arn:
      description: The ARN to give LibreChat. Null in check mode when the profile would be created.
      type: str
      sample: arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6
    inference_profile_id:
      description: The 12-character ID.
      type: str
      sample: a1b2c3d4e5f6
    inference_profile_name:
      description: The name.
      type: str
      sample: LibreChat-us-anthropic-claude-3-7-sonnet-20250219-v1-0
    description:
      description: The description, when it has one.
      type: str
    status:
      description: C(ACTIVE) once usable.
      type: str
      sample: ACTIVE
    type:
      description: C(APPLICATION).
      type: str
      sample: APPLICATION
    models:
      description: The foundation models the profile routes to.
      type: list
      elements: dict
      contains:
        model_arn:
          description: A foundation-model ARN.
          type: str
          sample: arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0
    tags:
      description: The profile's tags.
      type: dict
      sample: {"Application": "LibreChat"}
    created_at:
      description: When it was created (ISO 8601).
      type: str
    updated_at:
      description: When it was last updated (ISO 8601).
      type: str
replaced_arn:
  description: The ARN of the profile that O(recreate=true) deleted.
  returned: when the profile was replaced
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list, compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import scrub_none_parameters

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import (
    BedrockError,
    BedrockErrorHandler,
    bedrock_client,
    client_request_token,
    description_error,
    get_inference_profile,
    immutable_differences,
    list_inference_profiles,
    list_tags,
    name_error,
    profile_result,
    resolve_model_source,
    retry_decorator,
    tags_errors,
    wait_for,
)


def input_errors(params):
    """Every problem with the options, found before any AWS call."""
    errors = []
    error = name_error(params["name"])
    if error:
        errors.append(error)
    if params["state"] == "present":
        if not params.get("model_source"):
            errors.append(
                "model_source is required with state=present: give a system inference profile ID such as "
                "us.anthropic.claude-3-7-sonnet-20250219-v1:0, a foundation model ID, or the ARN of either"
            )
        if params.get("description") is not None:
            error = description_error(params["description"])
            if error:
                errors.append(error)
        errors.extend(tags_errors(params.get("tags")))
    if params["wait_timeout"] < 0:
        errors.append(f"wait_timeout={params['wait_timeout']} must be 0 or more seconds")
    return errors


def find_by_name(profiles, name):
    for profile in profiles:
        if profile.get("type") == "APPLICATION" and profile.get("inferenceProfileName") == name:
            return profile
    return None


@BedrockErrorHandler.common_error_handler("create the inference profile")
def create_profile(client, params, source, token, tags, description):
    request = {
        "inferenceProfileName": params["name"],
        "modelSource": {"copyFrom": source.arn},
        "clientRequestToken": token,
        "description": description,
        "tags": ansible_dict_to_boto3_tag_list(tags, "key", "value") or None,
    }
    return client.create_inference_profile(aws_retry=True, **scrub_none_parameters(request))


@BedrockErrorHandler.deletion_error_handler("delete the inference profile")
def delete_profile(client, arn):
    client.delete_inference_profile(inferenceProfileIdentifier=arn, aws_retry=True)
    return True


@BedrockErrorHandler.common_error_handler("update the tags of the inference profile")
def update_tags(client, arn, to_set, to_remove):
    if to_remove:
        client.untag_resource(resourceARN=arn, tagKeys=list(to_remove), aws_retry=True)
    if to_set:
        client.tag_resource(
            resourceARN=arn, tags=ansible_dict_to_boto3_tag_list(to_set, "key", "value"), aws_retry=True
        )


def create(module, client, source, replaced=None):
    """Create the profile (check mode: predict it). A replacement keeps the replaced profile's tags and
    description unless the options give them. Returns the profile view and its tags."""
    params = module.params
    replaced_arn = replaced["arn"] if replaced else None
    tags = dict(params["tags"]) if params.get("tags") is not None else dict((replaced or {}).get("tags") or {})
    description = (
        params.get("description") if params.get("description") is not None else (replaced or {}).get("description")
    )
    wanted = {
        "inferenceProfileName": params["name"],
        "description": description,
        "models": [{"modelArn": arn} for arn in source.models],
        "type": "APPLICATION",
    }
    if module.check_mode:
        return wanted, tags
    token = client_request_token(module.region, params["name"], source.arn, description, tags, replaced_arn)
    created_client = client
    if replaced_arn:
        # The deleted profile's name may stay taken for a moment.
        created_client = module.client("bedrock", retry_decorator=retry_decorator(["ConflictException"]))
    arn = create_profile(created_client, params, source, token, tags, description)["inferenceProfileArn"]
    profile = dict(wanted, inferenceProfileArn=arn, inferenceProfileId=arn.rsplit("/", 1)[-1], status="CREATING")
    if params["wait"]:
        found = wait_for(
            lambda: get_inference_profile(client, arn),
            lambda p: p is not None and p.get("status") == "ACTIVE",
            params["wait_timeout"],
        )
        if found is None or found.get("status") != "ACTIVE":
            status = "not visible" if found is None else found.get("status")
            module.fail_json(
                msg=f"Created the inference profile {arn}, but it was still {status} after wait_timeout="
                f"{params['wait_timeout']}s: raise wait_timeout, or run again (the next run finds it)",
                inference_profile=profile_result(profile, tags),
                changed=True,
            )
        profile = found
    return profile, tags


def ensure_present(module, client, profiles):
    params = module.params
    existing = find_by_name(profiles, params["name"])
    source = resolve_model_source(client, params["model_source"], module.region, profiles)
    result = {"changed": False}
    if existing is None:
        profile, tags = create(module, client, source)
        result.update(changed=True, diff={"before": {}, "after": diff_view(profile, tags)})
        result["inference_profile"] = profile_result(profile, tags)
        return result

    current_tags = list_tags(client, existing["inferenceProfileArn"])
    differences = immutable_differences(existing, source.models, params.get("description"))
    if differences:
        if not params["recreate"]:
            module.fail_json(
                msg=f"The inference profile {params['name']} ({existing['inferenceProfileArn']}) cannot be changed in "
                f"place: {'; '.join(differences)}. Set recreate: true to delete it and create it again (it gets a "
                "new ARN), or change the options to match it.",
                inference_profile=profile_result(existing, current_tags),
            )
        if not module.check_mode:
            delete_profile(client, existing["inferenceProfileArn"])
        replaced = {
            "arn": existing["inferenceProfileArn"],
            "tags": current_tags,
            "description": existing.get("description"),
        }
        profile, tags = create(module, client, source, replaced)
        result.update(changed=True, replaced_arn=existing["inferenceProfileArn"])
        result["diff"] = {"before": diff_view(existing, current_tags), "after": diff_view(profile, tags)}
        result["inference_profile"] = profile_result(profile, tags)
        return result

    tags = current_tags
    if params.get("tags") is not None:
        to_set, to_remove = compare_aws_tags(current_tags, params["tags"], params["purge_tags"])
        if to_set or to_remove:
            if not module.check_mode:
                update_tags(client, existing["inferenceProfileArn"], to_set, to_remove)
            tags = {k: v for k, v in current_tags.items() if k not in to_remove}
            tags.update(to_set)
            result["changed"] = True
            result["diff"] = {"before": diff_view(existing, current_tags), "after": diff_view(existing, tags)}
    result["inference_profile"] = profile_result(existing, tags)
    return result


def ensure_absent(module, client, profiles):
    existing = find_by_name(profiles, module.params["name"])
    if existing is None:
        return {"changed": False, "inference_profile": {}}
    tags = list_tags(client, existing["inferenceProfileArn"]) if module._diff else {}
    if not module.check_mode:
        delete_profile(client, existing["inferenceProfileArn"])
    return {
        "changed": True,
        "inference_profile": {},
        "diff": {"before": diff_view(existing, tags), "after": {}},
    }


def diff_view(profile, tags):
    return {
        "name": profile.get("inferenceProfileName"),
        "arn": profile.get("inferenceProfileArn"),
        "description": profile.get("description"),
        "models": sorted(m["modelArn"] for m in profile.get("models", [])),
        "tags": dict(sorted((tags or {}).items())),
    }


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        model_source=dict(type="str"),
        description=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        recreate=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=120),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors = input_errors(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + " | ".join(errors))

    client = bedrock_client(module)
    try:
        profiles = list_inference_profiles(client)
        if module.params["state"] == "present":
            result = ensure_present(module, client, profiles)
        else:
            result = ensure_absent(module, client, profiles)
    except BedrockError as e:
        module.fail_json_aws_error(e)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
