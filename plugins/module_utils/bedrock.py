# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS plumbing the collection's Bedrock modules share: the client with its retries, one error handler,
paging, the list and get calls, waiting, and a profile as the modules return it.

The pure rules these calls rest on (limits, ARNs, partitions, tags) are in rules.py, which imports nothing but the
standard library so the controller side can use them without amazon.aws.
"""

import time
import uuid

try:
    import botocore.session as botocore_session
except ImportError:  # AnsibleAWSModule reports a missing botocore itself
    botocore_session = None

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


def share_data_loader():
    """Let every botocore session of this process share one data loader.

    amazon.aws makes a new boto3 session for each client (module_utils/botocore.py, _boto3_conn), and each new
    botocore session makes its own loader (botocore/session.py, _register_data_loader), which reads and parses
    the JSON on disk again: endpoints, partitions, the service model and its endpoint rules. A loader only reads
    and caches those files, and botocore already shares one among all the clients of a session; sharing it among
    the sessions of one module run made the five clients of invocation_logging_info about 0.2 s faster (0.30 to
    0.13 s, measured alone). Each module run is its own process, so nothing outlives it. Without
    botocore.session.create_loader (another botocore), every session keeps its own, as before."""
    create_loader = getattr(botocore_session, "create_loader", None)
    if create_loader is None or getattr(create_loader, "shared_by_librechat_bedrock", False):
        return
    loaders = {}

    def shared_loader(search_path_string=None):
        if search_path_string not in loaders:
            loaders[search_path_string] = create_loader(search_path_string)
        return loaders[search_path_string]

    shared_loader.shared_by_librechat_bedrock = True
    botocore_session.create_loader = shared_loader


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
    share_data_loader()
    return module.client(service, retry_decorator=retry_decorator())


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


def client_request_token():
    """A fresh clientRequestToken for one creation. Bedrock ignores a request whose token matches a previous one
    (and AWS does not say for how long it remembers), so a token derived from the request would make a create
    after a delete of the same profile return the deleted ARN. A random token is never reused for a new
    creation; AWSRetry re-sends the same keyword arguments, so retries of one creation still carry it."""
    return uuid.uuid4().hex


# ------------------------------------------------------------------------------------------------ profiles


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
