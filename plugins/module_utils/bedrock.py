# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the collection's Bedrock modules share: the client with its retries, one error handler, paging,
ARN parsing, the API's input constraints, and resolving a model source to the ARN a profile copies from.

The decision logic is plain functions over plain data, so unit tests and other modules reuse it.
"""

import re
import time
import uuid

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# Error codes retried on top of AWSRetry's own (Throttling, RequestLimitExceeded, InternalError, ...): the
# spellings Bedrock uses for throttling and 5xx. ServiceQuotaExceededException is not among them: a quota is not
# lifted by waiting, so retrying it only delays the failure that names it.
RETRY_CODES = [
    "ThrottlingException",
    "TooManyRequestsException",
    "ServiceUnavailableException",
    "InternalServerException",
]

# GetFoundationModelAvailability (which model_availability calls) first appears in botocore 1.38.43; every module
# checks this one version so a user meets one clear message instead of an UnknownOperation deep in a run.
BOTOCORE_MIN = "1.38.43"

# ListInferenceProfiles' typeEquals values. Without typeEquals Bedrock lists SYSTEM_DEFINED profiles only
# (aws/aws-cli#9728), so every listing here names the type it needs.
PROFILE_TYPES = ("SYSTEM_DEFINED", "APPLICATION")

# The tag that marks a profile the collection created, so a later run (and a module reading usage) finds it, and
# purges it when asked, without ever touching a profile someone else made. Here because modules need it too; the
# controller side reaches it through plugin_utils/models.py (the managed_tags filter).
MANAGED_TAG_KEY = "ManagedBy"
MANAGED_TAG_VALUE = "librechat.bedrock"

# The API's constraints (botocore's bedrock service model; a unit test keeps them equal to it).
NAME_PATTERN = r"([0-9a-zA-Z][ _-]?)+"
NAME_MAX = 64
DESCRIPTION_PATTERN = r"([0-9a-zA-Z:.][ _-]?)+"
DESCRIPTION_MAX = 200
TAG_PATTERN = r"[a-zA-Z0-9\s._:/=+@-]*"
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAGS_MAX = 200

PROFILE_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):bedrock:(?P<region>[a-z0-9-]*):(?P<account>\d{12}):"
    r"(?P<kind>application-inference-profile|inference-profile)/(?P<id>[a-zA-Z0-9-:.]+)$"
)
FOUNDATION_MODEL_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):bedrock:(?P<region>[a-z0-9-]*)::foundation-model/(?P<id>[a-zA-Z0-9-:.]+)$"
)
# System (cross-region) profile IDs start with their geography: us., eu., apac., global., us-gov., jp., au., ca. ...
SYSTEM_PROFILE_ID = re.compile(r"^(?P<geo>[a-z]{2,6}(-[a-z]+)?)\.(?P<model>[a-z0-9-]+\.[a-zA-Z0-9-:.]+)$")


class BedrockError(AnsibleAWSError):
    """A failed Bedrock call or a request Bedrock cannot satisfy; main() turns it into fail_json_aws_error."""


class BedrockErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = BedrockError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


def error_code(error):
    """The AWS error code behind a BedrockError (or a botocore ClientError), or None."""
    exception = getattr(error, "exception", None) or error
    response = getattr(exception, "response", None) or {}
    return (response.get("Error") or {}).get("Code")


def retry_decorator(extra_codes=None):
    """AWSRetry with jittered backoff on throttling and 5xx (and `extra_codes`, e.g. ConflictException while a
    deleted profile's name is released)."""
    return AWSRetry.jittered_backoff(
        retries=10, delay=1, max_delay=20, catch_extra_error_codes=RETRY_CODES + list(extra_codes or [])
    )


def bedrock_client(module, service="bedrock"):
    """A client of `service` (bedrock by default; logs for invocation records) whose calls retry throttling and
    5xx when made with aws_retry=True. Fails first when botocore is too old or no region is set: every module
    makes its client here, so both checks are the same everywhere."""
    module.require_botocore_at_least(
        BOTOCORE_MIN,
        reason="for Bedrock's inference profile and model availability calls (pip install 'botocore>=1.38.43' "
        "'boto3>=1.38.43' in the Python that runs the module)",
    )
    if not module.region:
        module.fail_json(msg="region is required: set region, AWS_REGION or AWS_DEFAULT_REGION")
    return module.client(service, retry_decorator=retry_decorator())


# ------------------------------------------------------------------------------------------------ identifiers


def parse_profile_arn(text):
    """The parts of an inference profile ARN (kind, region, account, id), or None."""
    found = PROFILE_ARN.match(text or "")
    return found.groupdict() if found else None


def is_application_profile_arn(text):
    found = parse_profile_arn(text)
    return bool(found) and found["kind"] == "application-inference-profile"


def foundation_model_id(text):
    """The foundation model ID of a foundation-model ARN, or None."""
    found = FOUNDATION_MODEL_ARN.match(text or "")
    return found.group("id") if found else None


def foundation_model_arn(partition, region, model_id):
    return f"arn:{partition}:bedrock:{region}::foundation-model/{model_id}"


def partition_of_region(region):
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


# ------------------------------------------------------------------------------------------------ validation


def _pattern_error(option, value, pattern, maximum, allow_empty=False):
    if not isinstance(value, str):
        return f"{option} must be a string, got {value!r}"
    if not value and not allow_empty:
        return f"{option} must not be empty"
    if len(value) > maximum:
        return f"{option}={value!r} is {len(value)} characters long; Bedrock allows at most {maximum}"
    if value and not re.fullmatch(pattern, value):
        return f"{option}={value!r} does not match Bedrock's pattern {pattern}"
    return None


def name_error(name, option="name"):
    """Why Bedrock would reject this inference profile name (with the fix), or None."""
    error = _pattern_error(option, name, NAME_PATTERN, NAME_MAX)
    if error and "pattern" in error:
        error += (
            ": use letters and digits, each optionally followed by one space, '_' or '-' "
            f"(for example {suggest_name(name)!r})"
        )
    return error


def description_error(description, option="description"):
    error = _pattern_error(option, description, DESCRIPTION_PATTERN, DESCRIPTION_MAX)
    if error and "pattern" in error:
        error += (
            ": use letters, digits, ':' and '.', separated by single spaces, '_' or '-' (no commas, no trailing space)"
        )
    return error


def tags_errors(tags, option="tags", reserved_ok=False):
    """Every way the tags break Bedrock's limits, each naming the tag and the fix. Keys starting with `aws:` are
    AWS's own and cannot be set (`reserved_ok` for a filter such as purge_tagged, which may match them)."""
    if tags is None:
        return []
    errors = []
    if len(tags) > TAGS_MAX:
        errors.append(f"{option} has {len(tags)} tags; Bedrock allows at most {TAGS_MAX}")
    for key, value in tags.items():
        if not reserved_ok and isinstance(key, str) and key.lower().startswith("aws:"):
            errors.append(
                f"{option} key={key!r} starts with 'aws:', which AWS reserves for its own tags: rename the tag "
                f"(for example {key[4:] or 'Name'!r})"
            )
            continue
        for error in (
            _pattern_error(f"{option} key", key, TAG_PATTERN, TAG_KEY_MAX),
            _pattern_error(f"{option}[{key!r}]", value, TAG_PATTERN, TAG_VALUE_MAX, allow_empty=True),
        ):
            if error:
                fix = ": use letters, digits, spaces and . _ : / = + @ -" if "pattern" in error else ""
                errors.append(error + fix)
    return errors


def model_source_error(source, option="model_source"):
    """Why `source` can never be a profile's model source, found without a call, or None. Bedrock copies from a
    foundation model or a system profile only; an application profile ARN is refused by CreateInferenceProfile."""
    if isinstance(source, str) and is_application_profile_arn(source):
        return (
            f"{option}={source!r} is an application inference profile, which cannot be copied: give the system "
            "inference profile ID (such as us.anthropic.claude-3-7-sonnet-20250219-v1:0) or the foundation model "
            "ID that profile was made from"
        )
    return None


def suggest_name(text, prefix=""):
    """A valid profile name for any text, as the seed's shell loop makes one (`LibreChat-${MODEL//[.:]/-}`)."""
    cleaned = re.sub(r"[^0-9a-zA-Z]+", "-", f"{prefix}{text}").strip("-_ ")
    cleaned = re.sub(r"-{2,}", "-", cleaned)
    return cleaned[:NAME_MAX].rstrip("-_ ") or "LibreChat"


# ------------------------------------------------------------------------------------------------ paging


def paginate(method, key, **params):
    """Every item of a paginated list call (each page retried on its own), and the number of pages."""
    items = []
    pages = 0
    while True:
        page = method(aws_retry=True, **params)
        pages += 1
        items.extend(page.get(key) or [])
        token = page.get("nextToken")
        if not token or token == params.get("nextToken"):
            return items, pages
        params["nextToken"] = token


@BedrockErrorHandler.common_error_handler("list inference profiles")
def list_inference_profiles(client, type_equals):
    """Every profile of one type, every page. The type is required: without typeEquals Bedrock answers
    SYSTEM_DEFINED profiles only (aws/aws-cli#9728), so a listing meant to find application profiles must say so."""
    if type_equals not in PROFILE_TYPES:
        raise ValueError(f"type_equals must be one of {PROFILE_TYPES}, got {type_equals!r}")
    params = {"maxResults": 1000, "typeEquals": type_equals}
    return paginate(client.list_inference_profiles, "inferenceProfileSummaries", **params)[0]


def list_all_inference_profiles(client):
    """Both kinds, as two listings (system profiles first): no single call returns both."""
    return list_inference_profiles(client, "SYSTEM_DEFINED") + list_inference_profiles(client, "APPLICATION")


@BedrockErrorHandler.list_error_handler("get the inference profile")
def get_inference_profile(client, identifier):
    """The profile, or None when Bedrock does not (yet) know it."""
    response = client.get_inference_profile(inferenceProfileIdentifier=identifier, aws_retry=True)
    response.pop("ResponseMetadata", None)
    return response


@BedrockErrorHandler.list_error_handler("get the foundation model")
def get_foundation_model(client, identifier):
    return client.get_foundation_model(modelIdentifier=identifier, aws_retry=True).get("modelDetails")


@BedrockErrorHandler.common_error_handler("list the tags of the inference profile")
def list_tags(client, arn):
    tags = client.list_tags_for_resource(resourceARN=arn, aws_retry=True).get("tags") or []
    return {t["key"]: t["value"] for t in tags}


def wait_for(fetch, ready, timeout, sleep=time.sleep, clock=time.monotonic, delay=1.0, max_delay=10.0):
    """Call fetch() until ready(result) or timeout seconds pass; returns the last result."""
    deadline = clock() + timeout
    while True:
        result = fetch()
        remaining = deadline - clock()
        if ready(result) or remaining <= 0:
            return result
        sleep(min(delay, remaining))
        delay = min(delay * 2, max_delay)


# ------------------------------------------------------------------------------------------------ model sources


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


def client_request_token():
    """A fresh clientRequestToken for one creation. Bedrock ignores a request whose token matches a previous one
    (and AWS does not say for how long it remembers), so a token derived from the request would make a create
    after a delete of the same profile return the deleted ARN. A random token is never reused for a new
    creation; AWSRetry re-sends the same keyword arguments, so retries of one creation still carry it."""
    return uuid.uuid4().hex


# ------------------------------------------------------------------------------------------------ profiles


def routing(model_arns):
    """What a list of foundation-model ARNs routes to: the set of model IDs, and its reach ("one region",
    "cross-region" or "global"). Comparing this rather than the exact ARNs keeps a profile unchanged when AWS
    adds a destination region or lists a global profile's models as the region-less ARN plus the source region's
    (arn:aws:bedrock:::foundation-model/<id>), while a move between a model in one region and a cross-region
    profile of it still counts as a change."""
    ids = set()
    regions = set()
    regionless = False
    for arn in model_arns:
        found = FOUNDATION_MODEL_ARN.match(arn or "")
        if found is None:
            ids.add(arn)
            continue
        ids.add(found.group("id"))
        if found.group("region"):
            regions.add(found.group("region"))
        else:
            regionless = True
    reach = "global" if regionless else ("cross-region" if len(regions) > 1 else "one region")
    return sorted(ids), reach


def _routing_text(model_arns):
    ids, reach = routing(model_arns)
    return f"{', '.join(ids) or 'nothing'} ({reach})"


def immutable_differences(existing, wanted_models, wanted_description):
    """What differs between an existing profile and the request, in the fields only a replacement can change:
    one sentence per field, naming the current and the wanted value."""
    differences = []
    current_models = [m["modelArn"] for m in existing.get("models", [])]
    if routing(current_models) != routing(wanted_models):
        differences.append(
            f"models: it routes to {_routing_text(current_models)}, model_source routes to "
            f"{_routing_text(wanted_models)}"
        )
    if wanted_description is not None and (existing.get("description") or None) != wanted_description:
        differences.append(f"description: it is {existing.get('description')!r}, wanted {wanted_description!r}")
    return differences


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def profile_result(profile, tags=None):
    """A profile (Get or List shape) as the modules return it: snake_case, timestamps as ISO 8601, tags as a
    dict when known."""
    result = {
        "inference_profile_arn": profile.get("inferenceProfileArn"),
        "inference_profile_id": profile.get("inferenceProfileId"),
        "inference_profile_name": profile.get("inferenceProfileName"),
        "description": profile.get("description"),
        "status": profile.get("status"),
        "type": profile.get("type"),
        "models": [{"model_arn": m["modelArn"]} for m in profile.get("models", [])],
        "created_at": _iso(profile.get("createdAt")),
        "updated_at": _iso(profile.get("updatedAt")),
    }
    if tags is not None:
        result["tags"] = dict(tags)
    return result
