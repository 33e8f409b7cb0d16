# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""inference_profile's reconciler: every asked profile planned against one listing of the region's application
profiles (refusals included) before the first write, then applied in order, with the diff, the results and what
a failure half-way reports."""

import time

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list, compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import scrub_none_parameters

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import (
    BedrockError,
    BedrockErrorHandler,
    client_request_token,
    error_code,
    get_inference_profile,
    list_inference_profiles,
    list_tags,
    profile_result,
    wait_for,
)
from ansible_collections.librechat.bedrock.plugins.module_utils.model_source import resolve_model_source
from ansible_collections.librechat.bedrock.plugins.module_utils.rules import routing, routing_text


def immutable_differences(existing, wanted_models, wanted_description):
    """What differs between an existing profile and the request, in the fields only a replacement can change:
    one sentence per field, naming the current and the wanted value."""
    differences = []
    current_models = [m["modelArn"] for m in existing.get("models", [])]
    if routing(current_models) != routing(wanted_models):
        differences.append(
            f"models: it routes to {routing_text(current_models)}, model_source routes to {routing_text(wanted_models)}"
        )
    if wanted_description is not None and (existing.get("description") or None) != wanted_description:
        differences.append(f"description: it is {existing.get('description')!r}, wanted {wanted_description!r}")
    return differences


def is_application(profile):
    """An application profile of a listing (a listing without typeEquals holds system profiles only, and an entry
    without a type is taken as the APPLICATION listing's own)."""
    return profile.get("type") in (None, "APPLICATION")


def named(profiles, name, exclude=()):
    """The application profiles of a listing that carry `name` (normally one; two only if Bedrock let a race make
    a second), leaving out the ARNs in `exclude` (profiles this run deleted, which a listing may still show)."""
    return [
        p
        for p in profiles
        if p.get("inferenceProfileName") == name and is_application(p) and p.get("inferenceProfileArn") not in exclude
    ]


def duplicates_message(name, profiles):
    arns = sorted(p["inferenceProfileArn"] for p in profiles)
    return (
        f"{len(profiles)} application inference profiles are named {name!r} ({', '.join(arns)}): two runs created "
        "it at once. The module will not pick one: delete all but the one LibreChat uses (for example with "
        "ansible.builtin.command: aws bedrock delete-inference-profile --inference-profile-identifier <ARN>), "
        "then run again"
    )


def quota_message(name, region):
    return (
        f"Bedrock refused to create the inference profile {name!r}: the account has reached its Amazon Bedrock "
        f"quota of application inference profiles in {region} (ServiceQuotaExceededException; retrying does not "
        "help). Delete profiles that are no longer used (state: absent, or purge_tagged in the list form), or "
        "request a higher quota in the Service Quotas console (service Amazon Bedrock, in that region)"
    )


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


class Refused(Exception):
    """A profile the module will not touch as asked, found while planning (before any write)."""

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class Reconciler:
    """Plans every asked profile against one listing of the region's application profiles, then applies the
    plan: every refusal is known before the first write, and a failure half-way reports what was done."""

    def __init__(self, module, client, sleep=time.sleep, clock=time.monotonic):
        self.module = module
        self.client = client
        self.sleep = sleep
        self.clock = clock
        # Without typeEquals Bedrock lists SYSTEM_DEFINED profiles only (aws/aws-cli#9728): ask for APPLICATION.
        self.profiles = list_inference_profiles(client, "APPLICATION")
        self._system = None
        self.tags = {}
        self.created = []
        self.deleted = set()
        self.applied = []  # (spec or None, result) of each step applied, for a failure's report
        self.writes = 0  # successful write calls, so a failure half-way reports changed

    def existing_arns(self):
        """The ARNs of the region's application profiles after the applied steps (none in check mode): the last
        listing this run made, less what it deleted, plus what it created."""
        arns = {p["inferenceProfileArn"] for p in self.profiles if is_application(p)}
        arns -= self.deleted
        arns |= {r["inference_profile"]["inference_profile_arn"] for r in self.created}
        return sorted(arns)

    def system_profiles(self):
        """The region's SYSTEM_DEFINED profiles, listed on first need and once per run."""
        if self._system is None:
            self._system = list_inference_profiles(self.client, "SYSTEM_DEFINED")
        return self._system

    def tags_of(self, arn):
        if arn not in self.tags:
            self.tags[arn] = list_tags(self.client, arn)
        return self.tags[arn]

    # ------------------------------------------------------------------------------------------------ planning

    def resolve(self, spec):
        try:
            return resolve_model_source(self.client, spec["model_source"], self.module.region, self.system_profiles)
        except BedrockError as e:
            if e.exception is not None:
                raise  # an AWS call failed: not a refusal of the input
            raise Refused(e.message) from None

    def plan(self, spec):
        """The step that brings one spec to its wanted state, with the result it predicts; raises Refused."""
        matches = named(self.profiles, spec["name"])
        if spec["state"] == "absent":
            if not matches:
                return {"action": "none", "spec": spec, "result": {"changed": False, "inference_profile": {}}}
            tags = self.tags_of(matches[0]["inferenceProfileArn"]) if self.module._diff else {}
            result = {
                "changed": True,
                "inference_profile": {},
                "diff": {"before": diff_view(matches[0], tags), "after": {}},
            }
            return {"action": "delete", "spec": spec, "existing": matches, "result": result}
        if len(matches) > 1:
            raise Refused(duplicates_message(spec["name"], matches))
        source = self.resolve(spec)
        if not matches:
            profile, tags = self.wanted(spec, source)
            result = {
                "changed": True,
                "inference_profile": profile_result(profile, tags),
                "diff": {"before": {}, "after": diff_view(profile, tags)},
            }
            return {"action": "create", "spec": spec, "source": source, "result": result}
        return self.plan_existing(spec, source, matches[0])

    def plan_existing(self, spec, source, existing):
        """The step for a spec whose profile exists: nothing, new tags, or (with recreate) a replacement."""
        arn = existing["inferenceProfileArn"]
        current_tags = self.tags_of(arn)
        differences = immutable_differences(existing, source.models, spec.get("description"))
        if differences:
            if not self.module.params["recreate"]:
                raise Refused(
                    f"The inference profile {spec['name']} ({arn}) cannot be changed in place: "
                    f"{'; '.join(differences)}. Set recreate: true to delete it and create it again (it gets a new "
                    "ARN), or change the options to match it.",
                    inference_profile=profile_result(existing, current_tags),
                )
            replaced = {"arn": arn, "tags": current_tags, "description": existing.get("description")}
            profile, tags = self.wanted(spec, source, replaced)
            result = {
                "changed": True,
                "replaced_arn": arn,
                "inference_profile": profile_result(profile, tags),
                "diff": {"before": diff_view(existing, current_tags), "after": diff_view(profile, tags)},
            }
            return {
                "action": "replace",
                "spec": spec,
                "source": source,
                "existing": [existing],
                "replaced": replaced,
                "result": result,
            }
        result = {"changed": False, "inference_profile": profile_result(existing, current_tags)}
        step = {"action": "none", "spec": spec, "existing": [existing], "result": result}
        if spec.get("tags") is not None:
            to_set, to_remove = compare_aws_tags(current_tags, spec["tags"], self.module.params["purge_tags"])
            if to_set or to_remove:
                tags = {k: v for k, v in current_tags.items() if k not in to_remove}
                tags.update(to_set)
                result.update(changed=True, inference_profile=profile_result(existing, tags))
                result["diff"] = {"before": diff_view(existing, current_tags), "after": diff_view(existing, tags)}
                step.update(action="retag", to_set=to_set, to_remove=to_remove)
        return step

    def plan_purge(self, specs, tags):
        """Delete steps for the application profiles that carry every one of `tags` and that no spec names."""
        listed = {spec["name"] for spec in specs}
        steps = []
        for profile in self.profiles:
            if not is_application(profile) or profile.get("inferenceProfileName") in listed:
                continue
            current = self.tags_of(profile["inferenceProfileArn"])
            if all(current.get(key) == value for key, value in tags.items()):
                result = {
                    "changed": True,
                    "inference_profile": profile_result(profile, current),
                    "diff": {"before": diff_view(profile, current), "after": {}},
                }
                steps.append({"action": "delete", "spec": None, "existing": [profile], "result": result})
        return steps

    @staticmethod
    def wanted(spec, source, replaced=None):
        """The profile a create would make, and its tags. A replacement keeps the replaced profile's tags and
        description unless the spec gives them."""
        tags = dict(spec["tags"]) if spec.get("tags") is not None else dict((replaced or {}).get("tags") or {})
        description = (
            spec.get("description") if spec.get("description") is not None else (replaced or {}).get("description")
        )
        profile = {
            "inferenceProfileName": spec["name"],
            "description": description,
            "models": [{"modelArn": arn} for arn in source.models],
            "type": "APPLICATION",
        }
        return profile, tags

    # ------------------------------------------------------------------------------------------------ applying

    def apply(self, step):
        """Make the step's writes and return its result (the plan's prediction, with what AWS answered)."""
        action, result = step["action"], step["result"]
        if action == "delete":
            for profile in step["existing"]:
                delete_profile(self.client, profile["inferenceProfileArn"])
                self.deleted.add(profile["inferenceProfileArn"])
                self.writes += 1
        elif action == "retag":
            update_tags(self.client, step["existing"][0]["inferenceProfileArn"], step["to_set"], step["to_remove"])
            self.writes += 1
        elif action == "replace":
            delete_profile(self.client, step["replaced"]["arn"])
            self.deleted.add(step["replaced"]["arn"])
            self.writes += 1
            result = self.create(step["spec"], step["source"], result, step["replaced"])
        elif action == "create":
            result = self.create(step["spec"], step["source"], result)
        self.applied.append((step["spec"], result))
        return result

    def create(self, spec, source, result, replaced=None):
        """Create the profile, or adopt the one a concurrent run created under its name."""
        profile, tags = self.wanted(spec, source, replaced)
        outcome, found = self.create_or_adopt(spec, source, tags, profile["description"])
        if outcome == "adopted":
            # Someone else's create won the race: treat their profile as found by this run's listing.
            self.profiles.append(found)
            try:
                step = self.plan_existing(spec, source, found)
            except Refused as refusal:
                # Found only now, after earlier steps may have written: a failure that reports them.
                raise BedrockError(message=refusal.message) from None
            if step["action"] == "replace":
                # Their profile differs from ours and recreate is set: replace it like any other.
                delete_profile(self.client, found["inferenceProfileArn"])
                self.deleted.add(found["inferenceProfileArn"])
                self.writes += 1
                return self.create(spec, source, step["result"], step["replaced"])
            if step["action"] == "retag":
                update_tags(self.client, found["inferenceProfileArn"], step["to_set"], step["to_remove"])
                self.writes += 1
            adopted = dict(step["result"], changed=True, adopted=True)
            # This run's listing held no profile of the name: the diff shows it appearing, as a create would.
            adopted["diff"] = {"before": {}, "after": diff_view(found, adopted["inference_profile"].get("tags"))}
            if replaced:
                adopted["replaced_arn"] = replaced["arn"]
            return adopted
        self.writes += 1
        arn = found["inferenceProfileArn"]
        created = dict(
            profile,
            inferenceProfileArn=arn,
            inferenceProfileId=arn.rsplit("/", 1)[-1],
            status=found.get("status"),
        )
        self.profiles.append(created)
        result = dict(result, inference_profile=profile_result(created, tags))
        result["diff"] = dict(result.get("diff") or {}, after=diff_view(created, tags))
        self.created.append(result)
        return result

    def create_or_adopt(self, spec, source, tags, description):
        """Send CreateInferenceProfile with a fresh token. On ConflictException (a concurrent run created the
        name, or a deleted profile's name is not released yet) list the application profiles again and adopt
        the one of that name when it appears, retrying the create meanwhile, for at most wait_timeout seconds
        (Terraform retries this conflict for two minutes). Returns ("created", response) or ("adopted", profile).
        """
        name = spec["name"]
        timeout = self.module.params["wait_timeout"]
        deadline = self.clock() + timeout
        delay = 1.0
        while True:
            # One token per attempt: AWSRetry's own retries of this call re-send it, and an attempt refused with
            # ConflictException created nothing, so the next attempt is a new request.
            try:
                return "created", create_profile(self.client, spec, source, client_request_token(), tags, description)
            except BedrockError as e:
                code = error_code(e)
                if code == "ServiceQuotaExceededException":
                    raise BedrockError(message=quota_message(name, self.module.region), exception=e.exception) from e
                if code != "ConflictException":
                    raise
                conflict = e
            found = named(list_inference_profiles(self.client, "APPLICATION"), name, exclude=self.deleted)
            if len(found) > 1:
                raise BedrockError(message=duplicates_message(name, found))
            if found:
                return "adopted", found[0]
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise BedrockError(
                    message=f"Bedrock refused to create the inference profile {name!r} with ConflictException for "
                    f"wait_timeout={timeout}s, and no application profile of that name appeared: a deleted "
                    "profile's name may not be released yet; run again later, or raise wait_timeout",
                    exception=conflict.exception,
                )
            self.sleep(min(delay, remaining))
            delay = min(delay * 2, 10.0)

    def wait(self):
        """Wait until every profile created in this run answers Get as ACTIVE; fail naming those that do not.
        Then list once more: if Bedrock let a concurrent run make a second profile of a created name, say so."""
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

        wait_for(fetch, lambda left: not left, params["wait_timeout"], sleep=self.sleep, clock=self.clock)
        if pending:
            self.module.fail_json(
                msg=f"Created the inference profiles {sorted(pending)}, but they were not ACTIVE after wait_timeout="
                f"{params['wait_timeout']}s: raise wait_timeout, or run again (the next run finds them)",
                changed=True,
            )
        listing = list_inference_profiles(self.client, "APPLICATION")
        for result in self.created:
            mine = result["inference_profile"]
            others = [
                p
                for p in named(listing, mine["inference_profile_name"], exclude=self.deleted)
                if p["inferenceProfileArn"] != mine["inference_profile_arn"]
            ]
            if others:
                self.module.warn(
                    duplicates_message(
                        mine["inference_profile_name"],
                        [*others, {"inferenceProfileArn": mine["inference_profile_arn"]}],
                    )
                )
                result["duplicates"] = sorted(p["inferenceProfileArn"] for p in others)


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


def report(module, results, purged, existing=()):
    """The module's answer from the results of the specs (in order) and of the purge, and the ARNs of the
    region's application profiles after them."""
    if module.params.get("profiles") is None:
        result = dict(results[0]) if results else {"changed": False, "inference_profile": {}}
    else:
        everything = results + purged
        result = {
            "changed": any(r["changed"] for r in everything),
            "inference_profiles": [r["inference_profile"] for r in results if r["inference_profile"]],
            "purged": [r["inference_profile"] for r in purged],
            "replaced_arns": [r["replaced_arn"] for r in results if r.get("replaced_arn")],
            "application_profile_arns": list(existing),
            "diff": combined_diff(everything),
        }
    if not module._diff:
        result.pop("diff", None)
    return result


def run(module, client, specs):
    """Plan every spec (and the purge), fail before any write if any is refused, then apply in order."""
    reconciler = Reconciler(module, client)
    steps, refusals = [], []
    for index, spec in enumerate(specs):
        try:
            steps.append(reconciler.plan(spec))
        except Refused as refusal:
            where = f"profiles[{index}] ({spec['name']}): " if module.params.get("profiles") is not None else ""
            refusals.append((where + refusal.message, refusal.details))
    if refusals:
        details = refusals[0][1] if len(refusals) == 1 and module.params.get("profiles") is None else {}
        prefix = "Nothing was changed: " if module.params.get("profiles") is not None else ""
        module.fail_json(msg=prefix + " | ".join(message for message, _details in refusals), changed=False, **details)
    purge_steps = []
    if module.params.get("purge_tagged"):
        purge_steps = reconciler.plan_purge(specs, module.params["purge_tagged"])

    if module.check_mode:
        return report(
            module, [s["result"] for s in steps], [s["result"] for s in purge_steps], reconciler.existing_arns()
        )
    try:
        results = [reconciler.apply(step) for step in steps]
        purged = [reconciler.apply(step) for step in purge_steps]
        reconciler.wait()
    except BedrockError as e:
        done_specs = [r for spec, r in reconciler.applied if spec is not None]
        done_purge = [r for spec, r in reconciler.applied if spec is None]
        partial = report(module, done_specs, done_purge, reconciler.existing_arns()) if reconciler.applied else {}
        partial.pop("diff", None)
        partial["changed"] = reconciler.writes > 0
        partial["deleted_arns"] = sorted(reconciler.deleted)
        partial["created_arns"] = [r["inference_profile"]["inference_profile_arn"] for r in reconciler.created]
        msg = e.message
        if partial["changed"]:
            msg += " (what was done before the failure is returned with it: created_arns, deleted_arns, results)"
        if e.exception is not None:
            module.fail_json_aws(e.exception, msg=msg, **partial)
        module.fail_json(msg=msg, **partial)
    return report(module, results, purged, reconciler.existing_arns())
