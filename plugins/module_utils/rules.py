# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's pure rules: Bedrock's input limits, ARN and ID parsing, the partition of a region, the tags
the collection puts on what it creates, durations and timestamps, and what a profile routes to.

Standard library only: a module ships this file through Ansiballz, and the controller side (filters, action
plugins, plugin_utils) imports it as ansible_collections.librechat.bedrock.plugins.module_utils.rules without
amazon.aws, boto3 or botocore installed (Galaxy's importer loads the plugins that way).
"""

import datetime
import re

# The tag that marks a profile the collection created, so a later run (and a module reading usage) finds it, and
# purges it when asked, without ever touching a profile someone else made.
MANAGED_TAG_KEY = "ManagedBy"
MANAGED_TAG_VALUE = "librechat.bedrock"
# librechat_bedrock_tags when the inventory sets none: the tags on everything the collection creates in AWS. The
# roles cannot import Python, so meta/shared_argument_specs.yml documents this value and the roles' defaults hold
# it as a literal; tests/unit/plugins/module_utils/test_rules.py keeps every copy equal to this one.
DEFAULT_TAGS = {"Application": "LibreChat"}

# Where Bedrock's invocation logging writes when told nothing else: invocation_logs_info's default. The
# invocation_logging role's defaults and argument specs, and the verify role's fallback, hold it as a literal (YAML
# cannot import Python); tests/unit/plugins/module_utils/test_rules.py keeps them equal to this one.
DEFAULT_LOG_GROUP_NAME = "/aws/bedrock/model-invocations"

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
# What an application profile ARN looks like, as messages show it to a user.
APPLICATION_PROFILE_ARN_SHAPE = "arn:aws:bedrock:<region>:<account>:application-inference-profile/<id>"

# The .env variables LibreChat reads its Bedrock credentials from (packages/api/src/endpoints/bedrock/credentials.ts):
# the static pair and its session token, the Bedrock API key, the named profile. The librechat_config role's vars
# and verify's librechat_process.js hold them as literals (YAML and JavaScript cannot import this);
# tests/unit/plugins/module_utils/test_rules.py keeps those equal to these.
BEDROCK_STATIC_KEYS = ("BEDROCK_AWS_ACCESS_KEY_ID", "BEDROCK_AWS_SECRET_ACCESS_KEY", "BEDROCK_AWS_SESSION_TOKEN")
BEDROCK_CREDENTIAL_KEYS = (*BEDROCK_STATIC_KEYS, "BEDROCK_AWS_BEARER_TOKEN", "BEDROCK_AWS_PROFILE")

# A duration such as 90s, 5m, 1h, 2d or 1w: a whole number and one unit.
DURATION_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"^\s*(?P<number>\d+)\s*(?P<unit>[a-z])\s*$")


def managed_tags(tags=None):
    """The tags on every profile the collection creates: `tags`, and the ManagedBy marker a later run finds (and
    purges) its own profiles by, which wins over a given ManagedBy."""
    common = dict(tags or {})
    common[MANAGED_TAG_KEY] = MANAGED_TAG_VALUE
    return common


# ------------------------------------------------------------------------------------------------ identifiers


def parse_profile_arn(text):
    """The parts of an inference profile ARN (partition, kind, region, account, id), or None."""
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
    """The AWS partition a region belongs to (https://docs.aws.amazon.com/general/latest/gr/rande.html)."""
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


# ------------------------------------------------------------------------------------------------ time


def duration_seconds(text, units="smhdw", positive=False):
    """The seconds of a duration such as 90s, 5m, 1h, 2d or 1w whose unit is one of `units`, or None when `text`
    is not one; with `positive`, the number must be 1 or more, written without a leading zero."""
    found = _DURATION.match(str(text) if text is not None else "")
    if not found or found["unit"] not in units:
        return None
    if positive and found["number"].startswith("0"):
        return None
    return int(found["number"]) * DURATION_UNIT_SECONDS[found["unit"]]


def parse_timestamp(text):
    """An ISO 8601 date or timestamp as an aware UTC datetime; no offset means UTC. Raises ValueError."""
    iso = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    parsed = datetime.datetime.fromisoformat(iso)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.astimezone(datetime.timezone.utc)


# ------------------------------------------------------------------------------------------------ routing


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


def routing_text(model_arns):
    """What the ARNs route to, as a message says it: the model IDs and the reach."""
    ids, reach = routing(model_arns)
    return f"{', '.join(ids) or 'nothing'} ({reach})"
