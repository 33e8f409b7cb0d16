# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's one reading of `librechat_bedrock_models`: every role and filter that needs the user's model
list normalizes and checks it here, so a rule is written once. Controller-side only (no module imports it); the
Bedrock API's own limits it checks against come from module_utils/rules.py, which the modules share and which
imports nothing but the standard library.

An entry is a model ID string (listed in LibreChat, no profile) or a mapping with `id` and optionally
`profile`, `profile_name`, `profile_arn`, `env_var`, `description`, `tags`. Pure functions over plain data.
"""

import hashlib
import re

from ansible_collections.librechat.bedrock.plugins.module_utils.rules import (
    APPLICATION_PROFILE_ARN_SHAPE,
    NAME_MAX,
    description_error,
    is_application_profile_arn,
    managed_tags,
    name_error,
    parse_profile_arn,
    tags_errors,
)

PROFILE_NAME_PREFIX = "LibreChat-"
ENV_VAR_PREFIX = "BEDROCK_PROFILE_"
ENTRY_KEYS = ("id", "profile", "profile_name", "profile_arn", "env_var", "description", "tags")
ENV_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
VARIABLE = "librechat_bedrock_models"


def profile_name(model_id, prefix=PROFILE_NAME_PREFIX):
    """The profile name the seed's loop gives a model (`LibreChat-${MODEL//[.:]/-}`), made valid for any ID:
    other characters become '-', and a name over 64 characters keeps its start plus a hash of the whole ID, so
    two long IDs never share a name."""
    name = re.sub(r"[^0-9a-zA-Z]+", "-", f"{prefix}{model_id}").strip("-")
    if len(name) <= NAME_MAX:
        return name or "LibreChat"
    digest = hashlib.sha256(str(model_id).encode("utf-8")).hexdigest()[:8]
    return name[: NAME_MAX - len(digest) - 1].rstrip("-") + "-" + digest


def env_var_name(model_id, prefix=ENV_VAR_PREFIX):
    """The environment variable LibreChat's `${VAR}` reference reads the model's profile ARN from."""
    return prefix + re.sub(r"[^0-9A-Za-z]+", "_", str(model_id)).strip("_").upper()


def default_description(model_id):
    return f"LibreChat profile for {model_id}"


def normalize_models(models):
    """Every entry as a mapping with every key: `profile` is true only when the collection creates the profile,
    `arn` is a given profile ARN (else None), `env_var` is None for a model with no profile."""
    normalized = []
    for entry in models or []:
        if isinstance(entry, str):
            entry = {"id": entry, "profile": False}
        model_id = entry.get("id")
        given_arn = entry.get("profile_arn") or None
        wants_profile = bool(entry.get("profile", True)) and given_arn is None
        mapped = wants_profile or given_arn is not None
        normalized.append(
            {
                "id": model_id,
                "profile": wants_profile,
                "profile_name": (entry.get("profile_name") or profile_name(model_id)) if wants_profile else None,
                "profile_arn": given_arn,
                "env_var": (entry.get("env_var") or env_var_name(model_id)) if mapped else None,
                "description": (entry.get("description") or default_description(model_id)) if wants_profile else None,
                "tags": dict(entry.get("tags") or {}),
            }
        )
    return normalized


def region_error(region, variable="librechat_bedrock_region"):
    if not region:
        return f"{variable} is required: set it to the AWS region of the profiles, for example us-east-1"
    if not isinstance(region, str) or not REGION_NAME.match(region):
        return f"{variable}={region!r} is not an AWS region name: use one such as us-east-1 or eu-central-1"
    return None


def _entry_errors(index, entry, region):
    where = f"{VARIABLE}[{index}]"
    if isinstance(entry, str):
        return [] if entry.strip() else [f"{where} is an empty string: give a Bedrock model ID"]
    if not isinstance(entry, dict):
        return [f"{where}={entry!r} must be a model ID string or a mapping with 'id'"]
    errors = []
    unknown = sorted(set(entry) - set(ENTRY_KEYS))
    if unknown:
        errors.append(f"{where} has unknown keys {unknown}: the keys are {', '.join(ENTRY_KEYS)}")
    model_id = entry.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        errors.append(f"{where}.id is missing or empty: give a Bedrock model ID such as anthropic.claude-3-haiku...")
        return errors
    where = f"{VARIABLE}[{index}] ({model_id})"
    if "profile" in entry and not isinstance(entry["profile"], bool):
        errors.append(f"{where}.profile={entry['profile']!r} must be true or false")
    arn = entry.get("profile_arn")
    if arn:
        parsed = parse_profile_arn(arn)
        if not is_application_profile_arn(arn):
            errors.append(
                f"{where}.profile_arn={arn!r} is not an application inference profile ARN: it must look like "
                f"{APPLICATION_PROFILE_ARN_SHAPE}"
            )
        elif region and parsed["region"] != region:
            errors.append(
                f"{where}.profile_arn={arn!r} is in {parsed['region']}, but librechat_bedrock_region={region!r}: "
                f"LibreChat would answer 'Profile not found'. Use the profile's ARN in {region} or change the region"
            )
        if entry.get("profile") is True:
            errors.append(f"{where} sets both profile: true and profile_arn: drop one (profile_arn uses the ARN as is)")
    env_var = entry.get("env_var")
    if env_var is not None and (not isinstance(env_var, str) or not ENV_VAR_NAME.match(env_var)):
        errors.append(
            f"{where}.env_var={env_var!r} is not a valid environment variable name: use letters, digits and '_', "
            f"not starting with a digit (for example {env_var_name(model_id)})"
        )
    if entry.get("profile_name") is not None:
        error = name_error(entry["profile_name"], option=f"{where}.profile_name")
        if error:
            errors.append(error)
    if entry.get("description") is not None:
        error = description_error(entry["description"], option=f"{where}.description")
        if error:
            errors.append(error)
    if entry.get("tags") is not None and not isinstance(entry["tags"], dict):
        errors.append(f"{where}.tags={entry['tags']!r} must be a mapping of tag keys to values")
    else:
        errors.extend(tags_errors(entry.get("tags"), option=f"{where}.tags"))
    return errors


def _duplicates(normalized, key, what, fix):
    seen = {}
    errors = []
    for model in normalized:
        value = model[key]
        if value is None:
            continue
        if value in seen:
            errors.append(f"{VARIABLE}: {seen[value]} and {model['id']} {what} {value!r}: {fix}")
        else:
            seen[value] = model["id"]
    return errors


def model_errors(models, region=None, tags=None):
    """Every problem with the user's model list (and region and common tags), each naming the variable, the
    value and the fix. Empty when the list is usable."""
    errors = []
    error = region_error(region)
    if error:
        errors.append(error)
    if tags is not None:
        if not isinstance(tags, dict):
            errors.append(f"librechat_bedrock_tags={tags!r} must be a mapping of tag keys to values")
        else:
            errors.extend(tags_errors(tags, option="librechat_bedrock_tags"))
    if not isinstance(models, list) or not models:
        errors.append(f"{VARIABLE} must be a non-empty list of model IDs or mappings with 'id', got {models!r}")
        return errors
    for index, entry in enumerate(models):
        errors.extend(_entry_errors(index, entry, region if not error else None))
    if errors:
        return errors
    normalized = normalize_models(models)
    ids = [m["id"] for m in normalized]
    for model_id in sorted({i for i in ids if ids.count(i) > 1}):
        errors.append(f"{VARIABLE}: the model ID {model_id!r} is listed {ids.count(model_id)} times: list it once")
    errors.extend(
        _duplicates(normalized, "profile_name", "map to one profile name", "give one of them its own profile_name")
    )
    errors.extend(_duplicates(normalized, "env_var", "use one env_var", "give one of them its own env_var"))
    for model in normalized:
        error = model["profile"] and description_error(model["description"], f"{VARIABLE} ({model['id']}).description")
        if error:
            errors.append(error + ": set the model's description")
    return errors


def profile_specs(models, tags=None):
    """The `profiles` option of librechat.bedrock.inference_profile for every model that wants a profile:
    the collection's tags, then the model's own, on each."""
    common = managed_tags(tags)
    return [
        {
            "name": m["profile_name"],
            "model_source": m["id"],
            "description": m["description"],
            "tags": dict(common, **m["tags"]),
        }
        for m in normalize_models(models)
        if m["profile"]
    ]


def profile_arns(models, profiles):
    """The model ID → profile ARN mapping LibreChat needs: created profiles (from inference_profile's
    `inference_profiles` result, matched by name) and given ARNs, in the list's order."""
    by_name = {p.get("inference_profile_name"): p.get("inference_profile_arn") for p in profiles or []}
    mapping = {}
    for model in normalize_models(models):
        if model["profile_arn"]:
            mapping[model["id"]] = model["profile_arn"]
        elif model["profile"]:
            mapping[model["id"]] = by_name.get(model["profile_name"])
    return mapping


def bedrock_section(models, arns, refs="env", available_regions=None, extra=None):
    """The `endpoints.bedrock` keys LibreChat needs: every model ID in order, and each mapped model's profile
    as a `${VAR}` reference (refs='env', the guide's recommendation) or as the ARN itself (refs='arn')."""
    normalized = normalize_models(models)
    section = dict(extra or {})
    section["models"] = [m["id"] for m in normalized]
    section["inferenceProfiles"] = {
        m["id"]: ("${" + m["env_var"] + "}" if refs == "env" else (arns or {}).get(m["id"]))
        for m in normalized
        if m["env_var"]
    }
    if available_regions:
        section["availableRegions"] = list(available_regions)
    return section


def profile_env(models, arns):
    """The `.env` variables that carry each mapped model's profile ARN."""
    return {m["env_var"]: (arns or {}).get(m["id"]) for m in normalize_models(models) if m["env_var"]}
