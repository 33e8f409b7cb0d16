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
    which deletes the profile and creates it again (with a new ARN).
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
    for index, spec in enumerate(specs):
        where = f"profiles[{index}] ({spec['name']})." if listed else ""
        errors.extend(spec_errors(spec, where))
    names = [spec["name"] for spec in specs]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"profiles lists the name {name!r} {names.count(name)} times: give each profile its own name")
    if params.get("purge_tagged") is not None:
        if not listed:
            errors.append("purge_tagged needs profiles: it deletes tagged profiles that the list does not name")
        elif not params["purge_tagged"]:
            errors.append("purge_tagged must name at least one tag, or every unlisted profile would be deleted")
        else:
            errors.extend(tags_errors(params["purge_tagged"], option="purge_tagged"))
    if params["wait_timeout"] < 0:
        errors.append(f"wait_timeout={params['wait_timeout']} must be 0 or more seconds")
    return errors


def find_by_name(profiles, name):
    for profile in profiles:
        if profile.get("type") == "APPLICATION" and profile.get("inferenceProfileName") == name:
            return profile
    return None


@BedrockErrorHandler.common_error_handler("create the inference profile")
def create_profile(client, spec, source, token, tags, description):
    request = {
        "inferenceProfileName": spec["name"],
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


class Reconciler:
    """Brings the asked profiles to their wanted state with one listing of the region's profiles shared by
    all of them; creates are sent first and waited for together."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.profiles = list_inference_profiles(client)
        self.tags = {}
        self.created = []

    def tags_of(self, arn):
        if arn not in self.tags:
            self.tags[arn] = list_tags(self.client, arn)
        return self.tags[arn]

    def create(self, spec, source, replaced=None):
        """Create the profile (check mode: predict it). A replacement keeps the replaced profile's tags and
        description unless the spec gives them. Returns the profile view and its tags."""
        module = self.module
        replaced_arn = replaced["arn"] if replaced else None
        tags = dict(spec["tags"]) if spec.get("tags") is not None else dict((replaced or {}).get("tags") or {})
        description = (
            spec.get("description") if spec.get("description") is not None else (replaced or {}).get("description")
        )
        wanted = {
            "inferenceProfileName": spec["name"],
            "description": description,
            "models": [{"modelArn": arn} for arn in source.models],
            "type": "APPLICATION",
        }
        if module.check_mode:
            return wanted, tags
        token = client_request_token(module.region, spec["name"], source.arn, description, tags, replaced_arn)
        created_client = self.client
        if replaced_arn:
            # The deleted profile's name may stay taken for a moment.
            created_client = module.client("bedrock", retry_decorator=retry_decorator(["ConflictException"]))
        arn = create_profile(created_client, spec, source, token, tags, description)["inferenceProfileArn"]
        profile = dict(wanted, inferenceProfileArn=arn, inferenceProfileId=arn.rsplit("/", 1)[-1], status="CREATING")
        self.profiles.append(profile)
        return profile, tags

    def present(self, spec):
        module = self.module
        existing = find_by_name(self.profiles, spec["name"])
        source = resolve_model_source(self.client, spec["model_source"], module.region, self.profiles)
        result = {"changed": False}
        if existing is None:
            profile, tags = self.create(spec, source)
            result.update(changed=True, diff={"before": {}, "after": diff_view(profile, tags)})
            result["inference_profile"] = profile_result(profile, tags)
            self.created.append(result)
            return result

        current_tags = self.tags_of(existing["inferenceProfileArn"])
        differences = immutable_differences(existing, source.models, spec.get("description"))
        if differences:
            if not module.params["recreate"]:
                module.fail_json(
                    msg=f"The inference profile {spec['name']} ({existing['inferenceProfileArn']}) cannot be changed "
                    f"in place: {'; '.join(differences)}. Set recreate: true to delete it and create it again (it "
                    "gets a new ARN), or change the options to match it.",
                    inference_profile=profile_result(existing, current_tags),
                )
            if not module.check_mode:
                delete_profile(self.client, existing["inferenceProfileArn"])
            self.profiles.remove(existing)
            replaced = {
                "arn": existing["inferenceProfileArn"],
                "tags": current_tags,
                "description": existing.get("description"),
            }
            profile, tags = self.create(spec, source, replaced)
            result.update(changed=True, replaced_arn=existing["inferenceProfileArn"])
            result["diff"] = {"before": diff_view(existing, current_tags), "after": diff_view(profile, tags)}
            result["inference_profile"] = profile_result(profile, tags)
            self.created.append(result)
            return result

        tags = current_tags
        if spec.get("tags") is not None:
            to_set, to_remove = compare_aws_tags(current_tags, spec["tags"], module.params["purge_tags"])
            if to_set or to_remove:
                if not module.check_mode:
                    update_tags(self.client, existing["inferenceProfileArn"], to_set, to_remove)
                tags = {k: v for k, v in current_tags.items() if k not in to_remove}
                tags.update(to_set)
                result["changed"] = True
                result["diff"] = {"before": diff_view(existing, current_tags), "after": diff_view(existing, tags)}
        result["inference_profile"] = profile_result(existing, tags)
        return result

    def absent(self, existing):
        tags = self.tags_of(existing["inferenceProfileArn"]) if self.module._diff else {}
        if not self.module.check_mode:
            delete_profile(self.client, existing["inferenceProfileArn"])
        self.profiles.remove(existing)
        return {
            "changed": True,
            "inference_profile": {},
            "diff": {"before": diff_view(existing, tags), "after": {}},
        }

    def reconcile(self, spec):
        if spec["state"] == "present":
            return self.present(spec)
        existing = find_by_name(self.profiles, spec["name"])
        if existing is None:
            return {"changed": False, "inference_profile": {}}
        return self.absent(existing)

    def purge(self, specs, tags):
        """Delete the application profiles that carry every one of `tags` and that no spec names."""
        listed = {spec["name"] for spec in specs}
        unlisted = [
            p for p in self.profiles if p.get("type") == "APPLICATION" and p.get("inferenceProfileName") not in listed
        ]
        purged = []
        for profile in unlisted:
            current = self.tags_of(profile["inferenceProfileArn"])
            if all(current.get(key) == value for key, value in tags.items()):
                result = self.absent(profile)
                result["inference_profile"] = profile_result(profile, current)
                purged.append(result)
        return purged

    def wait(self):
        """Wait until every profile created in this run is ACTIVE; fail naming those that are not."""
        params = self.module.params
        if self.module.check_mode or not params["wait"] or not self.created:
            return
        pending = {r["inference_profile"]["inference_profile_arn"]: r for r in self.created}

        def fetch():
            for arn in list(pending):
                found = get_inference_profile(self.client, arn)
                if found is not None and found.get("status") == "ACTIVE":
                    result = pending.pop(arn)
                    result["inference_profile"] = profile_result(found, result["inference_profile"].get("tags"))
            return pending

        wait_for(fetch, lambda left: not left, params["wait_timeout"])
        if pending:
            self.module.fail_json(
                msg=f"Created the inference profiles {sorted(pending)}, but they were not ACTIVE after wait_timeout="
                f"{params['wait_timeout']}s: raise wait_timeout, or run again (the next run finds them)",
                changed=True,
            )


def diff_view(profile, tags):
    return {
        "name": profile.get("inferenceProfileName"),
        "arn": profile.get("inferenceProfileArn"),
        "description": profile.get("description"),
        "models": sorted(m["modelArn"] for m in profile.get("models", [])),
        "tags": dict(sorted((tags or {}).items())),
    }


def combined_diff(results):
    """One diff for a list run: before and after keyed by profile name, only the profiles that change."""
    diff = {"before": {}, "after": {}}
    for result in results:
        for side in ("before", "after"):
            view = result.get("diff", {}).get(side)
            if view:
                diff[side][view["name"]] = view
    return diff


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
    try:
        reconciler = Reconciler(module, client)
        results = [reconciler.reconcile(spec) for spec in specs]
        purged = []
        if module.params.get("purge_tagged"):
            purged = reconciler.purge(specs, module.params["purge_tagged"])
        reconciler.wait()
    except BedrockError as e:
        module.fail_json_aws_error(e)

    if module.params.get("profiles") is None:
        result = results[0]
    else:
        everything = results + purged
        result = {
            "changed": any(r["changed"] for r in everything),
            "inference_profiles": [r["inference_profile"] for r in results if r["inference_profile"]],
            "purged": [r["inference_profile"] for r in purged],
            "replaced_arns": [r["replaced_arn"] for r in results if r.get("replaced_arn")],
            "diff": combined_diff(everything),
        }
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
