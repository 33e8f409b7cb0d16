# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Resolving a model source (a system inference profile or a foundation model, by ID or ARN) to the ARN a profile
copies from and the foundation models it routes to, with the calls that takes and the messages of a refusal."""

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import (
    BedrockError,
    get_foundation_model,
    get_inference_profile,
    list_inference_profiles,
)
from ansible_collections.librechat.bedrock.plugins.module_utils.rules import (
    FOUNDATION_MODEL_ARN,
    SYSTEM_PROFILE_ID,
    foundation_model_arn,
    foundation_model_id,
    model_source_error,
    parse_profile_arn,
    partition_of_region,
)


class ModelSource:
    """What a profile would copy from: the copyFrom ARN and the foundation-model ARNs a profile made from it
    routes to."""

    def __init__(self, arn, models):
        self.arn = arn
        self.models = list(models)

    @classmethod
    def of_profile(cls, profile):
        """An inference profile (Get or List shape) as a source: a copy routes where it routes."""
        return cls(profile["inferenceProfileArn"], [m["modelArn"] for m in profile.get("models", [])])


def source_not_found_message(source, region):
    return (
        f"model_source={source!r} is neither a system inference profile nor a foundation model offered in "
        f"{region} (searched every page of ListInferenceProfiles and GetFoundationModel there): check the ID and "
        "the region, or list what is offered with librechat.bedrock.inference_profile_info (type: SYSTEM_DEFINED)"
    )


def system_profiles_of_model(system_profiles, model_id):
    """The IDs of the system profiles (us., eu., apac., global. ...) in a SYSTEM_DEFINED listing that route to
    `model_id`."""
    return [
        p["inferenceProfileId"]
        for p in system_profiles
        if model_id in {foundation_model_id(m.get("modelArn")) for m in p.get("models", [])}
    ]


def no_on_demand_message(source, model_id, region, profile_ids):
    if profile_ids:
        fix = "use one of these system inference profiles as model_source instead: " + ", ".join(profile_ids)
    else:
        fix = f"no system inference profile in {region} routes to it: pick another model or region"
    return (
        f"model_source={source!r}: the foundation model {model_id} has no on-demand throughput in {region} "
        "(GetFoundationModel lists no ON_DEMAND in inferenceTypesSupported), so it can only be invoked through a "
        f"cross-region inference profile, and a profile copying the model alone would fail at the first request; {fix}"
    )


def resolve_model_source(client, source, region, system_profiles=None):
    """Resolve `source` (a system inference profile ID or ARN, a foundation model ID or ARN) in `region`.

    `system_profiles` is a SYSTEM_DEFINED listing already made (every page), or a callable returning one on
    first need, so a caller resolving many sources lists once. Returns a ModelSource; raises BedrockError naming
    the source and the region searched when it exists nowhere there, or when it is a foundation model that has
    no on-demand throughput (naming the system profiles that carry it).
    """
    partition = partition_of_region(region)
    profile_arn = parse_profile_arn(source)
    model_id = foundation_model_id(source)

    def listing():
        if callable(system_profiles):
            return system_profiles()
        return system_profiles if system_profiles is not None else list_inference_profiles(client, "SYSTEM_DEFINED")

    error = model_source_error(source)
    if error:
        raise BedrockError(message=error)
    if profile_arn is not None:
        if profile_arn["region"] != region:
            raise BedrockError(
                message=f"model_source={source!r} is an inference profile of {profile_arn['region']}, "
                f"but the profile is being created in {region}: use the ID or the ARN of the profile in {region}"
            )
        profile = get_inference_profile(client, source)
        if profile is None:
            raise BedrockError(message=source_not_found_message(source, region))
        return ModelSource.of_profile(profile)
    if model_id is None and SYSTEM_PROFILE_ID.match(source):
        for profile in listing():
            if profile.get("inferenceProfileId") == source and profile.get("type") in (None, "SYSTEM_DEFINED"):
                return ModelSource.of_profile(profile)
    if model_id is not None and FOUNDATION_MODEL_ARN.match(source).group("region") != region:
        raise BedrockError(
            message=f"model_source={source!r} is a foundation model ARN of another region than {region}: "
            f"use {foundation_model_arn(partition, region, model_id)!r} or just the model ID"
        )
    details = get_foundation_model(client, source)
    if details is None:
        raise BedrockError(message=source_not_found_message(source, region))
    # A model answered without inferenceTypesSupported is taken as invocable: only an explicit list that lacks
    # ON_DEMAND refuses.
    kinds = details.get("inferenceTypesSupported")
    if kinds is not None and "ON_DEMAND" not in kinds:
        found_id = details.get("modelId") or model_id or source
        raise BedrockError(
            message=no_on_demand_message(source, found_id, region, system_profiles_of_model(listing(), found_id))
        )
    return ModelSource(details["modelArn"], [details["modelArn"]])
