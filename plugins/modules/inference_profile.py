#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: inference_profile
version_added: 0.1.0
short_description: Manage Bedrock application inference profiles
description:
  - Creates, tags, replaces or deletes an Amazon Bedrock application (custom) inference profile, found by
    its name among the region's application profiles; or, with O(profiles), a whole list of them in one run.
  - An application profile copies the models of a system (cross-region) inference profile or of one foundation
    model. LibreChat maps a model ID to the profile's ARN, so every request is attributed to the profile for
    cost tracking and invocation logs.
  - Profiles cannot be changed in place except for their tags. When the existing profile routes to other models
    than O(model_source) would, or has another description, the module fails and says so, unless O(recreate=true),
    which deletes the profile and creates it again (with a new ARN). What a profile routes to is compared by
    foundation model ID and reach (one region, cross-region, global), not by the exact list of ARNs, so AWS adding a
    destination region to a system profile changes nothing.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
options:
  name:
    description:
      - The profile's name, unique among the region's application inference profiles.
      - Letters and digits, each optionally followed by one space, V(_) or V(-); at most 64 characters.
      - One of O(name) and O(profiles) is required.
    type: str
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
      - A foundation model without on-demand throughput (its C(inferenceTypesSupported) lacks C(ON_DEMAND)) is
        refused before any write, naming the system profiles of the region that carry it. An application profile
        ARN is refused before any call, since profiles copy from a foundation model or a system profile.
    type: str
  description:
    description:
      - The profile's description. Letters, digits, V(:) and V(.), separated by single spaces, V(_) or V(-); at
        most 200 characters.
      - Compared with an existing profile only when given.
    type: str
  profiles:
    description:
      - Many profiles in one invocation, each reconciled as O(name) would be, with one listing of the region's
        profiles for all of them; creates are waited for together. This is much faster than a loop, which pays
        the module's start-up and the listing once per profile.
      - O(tags) apply to every entry, under the entry's own O(profiles[].tags). O(purge_tags), O(recreate),
        O(wait) and O(wait_timeout) apply to every entry.
      - Mutually exclusive with O(name), O(model_source) and O(description).
    type: list
    elements: dict
    suboptions:
      name:
        description: The profile's name, as O(name).
        type: str
        required: true
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
      model_source:
        description: As O(model_source).
        type: str
      description:
        description: As O(description).
        type: str
      tags:
        description: Tags of this profile, on top of O(tags).
        type: dict
  purge_tagged:
    description:
      - With O(profiles), also delete every application profile of the region that carries all of these tags
        and whose name O(profiles) does not list. A profile without these tags is never deleted.
    type: dict
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
  check_access:
    description:
      - Before anything else, check that each of these models can be invoked, as
        M(librechat.bedrock.model_availability) checks them with its defaults (its reads only; nothing is accepted
        or submitted), and fail with its message, before any write, when one cannot. Returned as RV(access).
      - Foundation model IDs or system inference profile IDs, or the ARN of either; typically every model LibreChat
        lists, not only those with profiles.
      - To accept agreements, submit Anthropic's use-case form or wait for access, use
        M(librechat.bedrock.model_availability) itself.
    type: list
    elements: str
    default: []
    version_added: 0.2.0
  wait_timeout:
    description:
      - How many seconds to wait.
      - Also bounds how long a create that Bedrock refuses with C(ConflictException) (a concurrent run created the
        name, or a deleted profile's name is not released yet) is retried while the module looks for a profile of
        that name to adopt, as Terraform retries it.
    type: int
    default: 120
extends_documentation_fragment:
  - librechat.bedrock.aws
  - librechat.bedrock.aws.tags
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.full
notes:
  - Tags are given as a dictionary. With O(purge_tags=true) (the default) tags not in O(tags) are removed; leave
    O(tags) unset to leave tags alone.
  - The region's application profiles are listed with C(typeEquals=APPLICATION), because without it Bedrock lists
    system profiles only (U(https://github.com/aws/aws-cli/issues/9728)).
  - Every create carries a fresh random client request token, which retries of that one call re-send; a token is
    never reused for a new creation, because Bedrock ignores a request whose token it has seen before.
  - The list form plans every entry first (refusals included) and fails before the first write; when AWS fails
    half-way, the failure returns C(changed) and what was done.
  - Supports check mode and diff mode.
seealso:
  - module: librechat.bedrock.inference_profile_info
  - module: librechat.bedrock.model_availability
requirements:
  - boto3 >= 1.38.43
  - botocore >= 1.38.43
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

- name: Reconcile a whole list in one invocation, deleting profiles this list managed before and dropped
  librechat.bedrock.inference_profile:
    profiles:
      - name: LibreChat-sonnet
        model_source: us.anthropic.claude-3-7-sonnet-20250219-v1:0
      - name: LibreChat-nova
        model_source: us.amazon.nova-pro-v1:0
        tags:
          Team: research
    tags:
      Application: LibreChat
      ManagedBy: librechat.bedrock
    purge_tagged:
      ManagedBy: librechat.bedrock
  register: listed
"""

RETURN = r"""
inference_profile:
  description: The profile as Bedrock describes it; empty after O(state=absent).
  returned: with O(name)
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
adopted:
  description: The create was refused with C(ConflictException) and the profile a concurrent run created under
    the name was taken instead (and reconciled as an existing one).
  returned: when that happened
  type: bool
created_arns:
  description: On a failure half-way, the ARNs of the profiles this run created before it.
  returned: on failure after a write
  type: list
  elements: str
deleted_arns:
  description: On a failure half-way, the ARNs of the profiles this run deleted before it.
  returned: on failure after a write
  type: list
  elements: str
inference_profiles:
  description: With O(profiles), each profile that is present after the run, in the order of O(profiles), as
    RV(inference_profile) describes it.
  returned: with O(profiles)
  type: list
  elements: dict
purged:
  description: The profiles O(purge_tagged) deleted (or would delete, in check mode).
  returned: with O(profiles)
  type: list
  elements: dict
replaced_arns:
  description: The ARNs of the profiles O(recreate=true) deleted.
  returned: with O(profiles)
  type: list
  elements: str
application_profile_arns:
  description:
    - The ARNs of every application inference profile of the region after the run, the collection's or not, from
      the listing the run made and its own creates and deletes. In check mode, those that exist now.
    - What M(librechat.bedrock.inference_profile_info) with
      O(librechat.bedrock.inference_profile_info#module:type=APPLICATION) would list right after the run, without
      another listing.
  returned: with O(profiles)
  type: list
  elements: str
  version_added: 0.2.0
access:
  description:
    - With O(check_access), what the check found, as M(librechat.bedrock.model_availability) returns it
      (C(models), C(unavailable), C(agreements_created), always empty here, and C(use_case_form)); also on the
      failure it causes, where those keys are at the top of the result too, as in model_availability's failure.
  returned: when O(check_access) is not empty
  type: dict
  version_added: 0.2.0
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import BedrockError, bedrock_client
from ansible_collections.librechat.bedrock.plugins.module_utils.model_access import (
    USE_CASE_UNREADABLE,
    access_outcome,
    form_unreadable,
    read_access,
)
from ansible_collections.librechat.bedrock.plugins.module_utils.profile_reconciler import run
from ansible_collections.librechat.bedrock.plugins.module_utils.rules import (
    TAGS_MAX,
    description_error,
    model_source_error,
    name_error,
    tags_errors,
)

SPEC_KEYS = ("name", "state", "model_source", "description", "tags")


def spec_errors(spec, where):
    """Every problem with one profile's options, found before any AWS call."""
    errors = []
    error = name_error(spec["name"], option=f"{where}name")
    if error:
        errors.append(error)
    if spec["state"] == "present":
        if not spec.get("model_source"):
            errors.append(
                f"{where}model_source is required with state=present: give a system inference profile ID such as "
                "us.anthropic.claude-3-7-sonnet-20250219-v1:0, a foundation model ID, or the ARN of either"
            )
        else:
            error = model_source_error(spec["model_source"], option=f"{where}model_source")
            if error:
                errors.append(error)
        if spec.get("description") is not None:
            error = description_error(spec["description"], option=f"{where}description")
            if error:
                errors.append(error)
        errors.extend(tags_errors(spec.get("tags"), option=f"{where}tags"))
    return errors


def profile_specs(params):
    """The profiles asked for, each as a spec with every key: one from the single-profile options, or one
    per O(profiles) entry with the module's O(tags) under the entry's own."""
    if params.get("profiles") is None:
        return [{key: params.get(key) for key in SPEC_KEYS}]
    specs = []
    for entry in params["profiles"]:
        spec = dict(entry)
        if params.get("tags") is not None or entry.get("tags") is not None:
            spec["tags"] = dict(params.get("tags") or {}, **(entry.get("tags") or {}))
        specs.append(spec)
    return specs


def input_errors(params, specs):
    errors = []
    listed = params.get("profiles") is not None
    if listed:
        # The module-wide tags are named once, not once per entry they are merged into.
        errors.extend(tags_errors(params.get("tags"), option="tags"))
    for index, spec in enumerate(specs):
        where = f"profiles[{index}] ({spec['name']})." if listed else ""
        if not listed:
            errors.extend(spec_errors(spec, where))
            continue
        own = params["profiles"][index].get("tags")
        errors.extend(spec_errors(dict(spec, tags=own), where))
        merged = spec.get("tags") or {}
        if own is not None and len(merged) > TAGS_MAX >= len(own):
            errors.append(
                f"{where}tags has {len(merged)} tags with the module's tags; Bedrock allows at most {TAGS_MAX}"
            )
    names = [spec["name"] for spec in specs]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"profiles lists the name {name!r} {names.count(name)} times: give each profile its own name")
    if params.get("purge_tagged") is not None:
        if not listed:
            errors.append("purge_tagged needs profiles: it deletes tagged profiles that the list does not name")
        elif not params["purge_tagged"]:
            errors.append("purge_tagged must name at least one tag, or every unlisted profile would be deleted")
        else:
            errors.extend(tags_errors(params["purge_tagged"], option="purge_tagged", reserved_ok=True))
    if params["wait_timeout"] < 0:
        errors.append(f"wait_timeout={params['wait_timeout']} must be 0 or more seconds")
    empty = [i for i, m in enumerate(params.get("check_access") or []) if not (m or "").strip()]
    if empty:
        errors.append(f"check_access must list model or inference profile IDs; empty entries at {empty}")
    return errors


def check_access(module, client, models):
    """model_availability's check, reads only, before any write: its result, or the run fails with its message."""
    region = module.region
    try:
        routes, availability, status, _submitted = read_access(client, models, region)
    except BedrockError as e:
        module.fail_json_aws_error(e)
    if form_unreadable(availability, status):
        module.warn(USE_CASE_UNREADABLE)
    access, message = access_outcome(routes, availability, region, status)
    if message:
        # model_availability's failure too: its keys at the top, as a rescue of the role's failure reads them
        module.fail_json(msg=message, access=access, **access)
    return access


def main():
    argument_spec = dict(
        name=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        model_source=dict(type="str"),
        description=dict(type="str"),
        profiles=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                state=dict(type="str", choices=["present", "absent"], default="present"),
                model_source=dict(type="str"),
                description=dict(type="str"),
                tags=dict(type="dict"),
            ),
        ),
        purge_tagged=dict(type="dict"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        recreate=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=120),
        check_access=dict(type="list", elements="str", default=[]),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_one_of=[("name", "profiles")],
        mutually_exclusive=[("name", "profiles"), ("model_source", "profiles"), ("description", "profiles")],
    )
    specs = profile_specs(module.params)
    errors = input_errors(module.params, specs)
    if errors:
        module.fail_json(msg="Invalid options: " + " | ".join(errors))

    client = bedrock_client(module)
    access = check_access(module, client, module.params["check_access"]) if module.params["check_access"] else None
    try:
        result = run(module, client, specs)
    except BedrockError as e:
        module.fail_json_aws_error(e)
    if access is not None:
        result["access"] = access
    module.exit_json(**result)


if __name__ == "__main__":
    main()
