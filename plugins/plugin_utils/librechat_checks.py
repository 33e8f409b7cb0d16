# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What LibreChat would reject or misread in a merged librechat.yaml and .env, checked before anything is
written: the LibreChat guide's troubleshooting table and debugging checklist, and the rules of LibreChat's own
code that the schema cannot say (config_schema.py judges the whole file against the schema itself).
"""

import re

from ansible_collections.librechat.bedrock.plugins.module_utils.rules import BEDROCK_STATIC_KEYS, parse_profile_arn

VARIABLE = re.compile(r"\$\{([^}]*)\}")
USER_PROVIDED = "user_provided"  # librechat-data-provider AuthType.USER_PROVIDED
VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")
# What a LibreChat version silently ignores, by the release that added it (LibreChat's changelog and
# packages/api/src/endpoints/bedrock/initialize.ts, credentials.ts of each tag).
MAPPING_SINCE = (0, 8, 5)  # endpoints.bedrock.models / inferenceProfiles (data-provider 0.8.501)
PROFILE_SINCE = (0, 8, 6)  # BEDROCK_AWS_PROFILE
BEARER_SINCE = (0, 8, 6)  # BEDROCK_AWS_BEARER_TOKEN (a Bedrock API key)
GUARDRAIL_VARIABLES_SINCE = (0, 8, 6)  # ${VAR} in guardrailConfig.guardrailIdentifier / guardrailVersion
VERSION_FIX = (
    "upgrade LibreChat to {since} or later (and set librechat_config_librechat_version to what runs), or {fix}"
)


def parse_version(text):
    """(major, minor, patch, release) for "v0.8.6", "0.8.6-rc2" (release 0 for a pre-release, which comes before
    the release), or None for empty (the version of the pinned schema is assumed). ValueError when unreadable."""
    if text in (None, ""):
        return None
    match = VERSION.match(str(text).strip())
    if not match:
        raise ValueError(
            f"librechat_config_librechat_version={text!r} is not a LibreChat version: use one such as v0.8.6 "
            "(or leave it empty for the current one)"
        )
    return (int(match.group(1)), int(match.group(2)), int(match.group(3)), 0 if match.group(4) else 1)


def _older(version, since):
    return version is not None and version < (*since, 1)


def _since(since):
    return "v" + ".".join(str(part) for part in since)


def _strings(value, path=()):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def resolved_variables(bedrock, version=None):
    """The (path, text) strings of the section where LibreChat resolves ${VAR} per request: inferenceProfiles
    values, and from v0.8.6 guardrailConfig's guardrailIdentifier and guardrailVersion (initialize.ts,
    extractEnvVariable)."""
    found = []
    profiles = bedrock.get("inferenceProfiles")
    if isinstance(profiles, dict):
        found += [(("inferenceProfiles", model), arn) for model, arn in profiles.items() if isinstance(arn, str)]
    guardrail = bedrock.get("guardrailConfig")
    if isinstance(guardrail, dict) and not _older(version, GUARDRAIL_VARIABLES_SINCE):
        for key in ("guardrailIdentifier", "guardrailVersion"):
            if isinstance(guardrail.get(key), str):
                found.append((("guardrailConfig", key), guardrail[key]))
    return found


def literal_variables(bedrock, managed, version=None):
    """${VAR} where LibreChat sends it literally (anywhere in the section but resolved_variables()): errors for
    the keys the collection writes (`managed`), warnings for the user's own keys. Returns (errors, warnings)."""
    resolved = {path for path, _text in resolved_variables(bedrock, version)}
    errors, warnings = [], []
    for path, text in _strings(bedrock):
        if path in resolved or not VARIABLE.search(text):
            continue
        where = "endpoints.bedrock." + ".".join(str(p) for p in path)
        guardrail = path[:1] == ("guardrailConfig",) and path[1:] in (("guardrailIdentifier",), ("guardrailVersion",))
        why = (
            f"LibreChat before {_since(GUARDRAIL_VARIABLES_SINCE)} does not resolve ${{VAR}} in guardrailConfig"
            if guardrail
            else "LibreChat resolves ${VAR} only in inferenceProfiles values (and guardrailConfig's identifier and "
            "version)"
        )
        message = f"{where} is {text!r}: {why}, so it sends the text '{text}' as it is; write the value itself"
        if path[0] in managed:
            errors.append(message + " in librechat_config_bedrock_settings")
        else:
            warnings.append(message)
    return errors, warnings


def version_errors(version, bedrock, env):
    """What the LibreChat version would silently ignore in what the collection writes."""
    if version is None:
        return []
    errors = []
    shown = "v" + ".".join(str(p) for p in version[:3]) + ("" if version[3] else "-pre-release")
    if _older(version, MAPPING_SINCE) and ("models" in bedrock or "inferenceProfiles" in bedrock):
        errors.append(
            f"LibreChat {shown} silently drops endpoints.bedrock.models and inferenceProfiles, so no request would "
            "use a profile: " + VERSION_FIX.format(since=_since(MAPPING_SINCE), fix="do not run the role against it")
        )
    if _older(version, PROFILE_SINCE) and env.get("BEDROCK_AWS_PROFILE"):
        errors.append(
            f"LibreChat {shown} ignores BEDROCK_AWS_PROFILE (librechat_config_auth: profile): "
            + VERSION_FIX.format(since=_since(PROFILE_SINCE), fix="use librechat_config_auth: static or default_chain")
        )
    if _older(version, BEARER_SINCE) and env.get("BEDROCK_AWS_BEARER_TOKEN"):
        errors.append(
            f"LibreChat {shown} ignores BEDROCK_AWS_BEARER_TOKEN (librechat_config_auth: bearer): "
            + VERSION_FIX.format(since=_since(BEARER_SINCE), fix="use librechat_config_auth: static or default_chain")
        )
    guardrail = bedrock.get("guardrailConfig")
    if _older(version, GUARDRAIL_VARIABLES_SINCE) and isinstance(guardrail, dict):
        for key in ("guardrailIdentifier", "guardrailVersion"):
            if isinstance(guardrail.get(key), str) and VARIABLE.search(guardrail[key]):
                errors.append(
                    f"LibreChat {shown} sends guardrailConfig.{key} {guardrail[key]!r} literally (no ${{VAR}} there "
                    "before v0.8.6): "
                    + VERSION_FIX.format(since=_since(GUARDRAIL_VARIABLES_SINCE), fix="write the value itself")
                )
    return errors


def auth_method(env):
    """The credentials LibreChat picks, in its order (packages/api/src/endpoints/bedrock/credentials.ts):
    user_provided, the bearer token, the static pair (one without the other fails every request), the profile,
    the SDK's default chain."""
    keys = BEDROCK_STATIC_KEYS
    if any(env.get(key) == USER_PROVIDED for key in (*keys, "BEDROCK_AWS_BEARER_TOKEN")):
        return "user_provided"
    if env.get("BEDROCK_AWS_BEARER_TOKEN"):
        return "bearer"
    if bool(env.get(keys[0])) != bool(env.get(keys[1])):
        return "unpaired"
    if env.get(keys[0]):
        return "static"
    if env.get("BEDROCK_AWS_PROFILE"):
        return "profile"
    return "default_chain"


def credential_problems(env, file_env=None):
    """(errors, warnings) about the credentials LibreChat will use: `env` is what LibreChat gets, `file_env`
    what .env alone holds."""
    errors, warnings = [], []
    method = auth_method(env)
    if method == "unpaired":
        have = "BEDROCK_AWS_ACCESS_KEY_ID" if env.get("BEDROCK_AWS_ACCESS_KEY_ID") else "BEDROCK_AWS_SECRET_ACCESS_KEY"
        errors.append(
            f"only {have} of the static pair is set: LibreChat fails every Bedrock request ('Both "
            "BEDROCK_AWS_ACCESS_KEY_ID and BEDROCK_AWS_SECRET_ACCESS_KEY must be provided together'); set both "
            "(librechat_config_auth: static) or remove it"
        )
    if method == "default_chain":
        found = [key for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") if (file_env or env).get(key)]
        if found:
            warnings.append(
                f"librechat_config_auth is default_chain and .env sets {', '.join(found)} (for LibreChat's S3 file "
                "storage): the AWS SDK's default chain reads those variables first, so Bedrock is called with "
                "those keys, not the instance or task role; use librechat_config_auth: static for Bedrock's own "
                "keys, or grant that user Bedrock access"
            )
    return errors, warnings


def env_models_warning(bedrock, env):
    """BEDROCK_AWS_MODELS is LibreChat's env-driven model list; endpoints.bedrock.models replaces it."""
    if bedrock.get("models") and env.get("BEDROCK_AWS_MODELS"):
        return [
            "BEDROCK_AWS_MODELS is set in .env, and endpoints.bedrock.models (written from librechat_bedrock_models) "
            "replaces that list in LibreChat: the models only it names disappear from the model picker; add them "
            "to librechat_bedrock_models, or remove BEDROCK_AWS_MODELS"
        ]
    return []


def mapping_errors(bedrock, env, region, kept=(), version=None):
    """The guide's checklist over the merged section and .env. Returns (errors, warnings). `kept`: the
    inferenceProfiles entries the user wrote, kept as they are (a problem there is a warning)."""
    errors = []
    warnings = []
    models = bedrock.get("models") or []
    profiles = bedrock.get("inferenceProfiles") or {}
    profiles = profiles if isinstance(profiles, dict) else {}
    for model_id in profiles:
        if model_id not in models:
            near = [m for m in models if m.lower() == str(model_id).lower()]
            hint = f" (models has {near[0]!r}: the match is exact, case included)" if near else ""
            message = (
                f"endpoints.bedrock.inferenceProfiles key {model_id!r} is not in endpoints.bedrock.models{hint}: "
                "LibreChat maps only model IDs it lists; add it to librechat_bedrock_models or fix the ID"
            )
            (warnings if model_id in kept else errors).append(message)
    for path, text in resolved_variables(bedrock, version):
        for name in VARIABLE.findall(text):
            if not env.get(name):
                # an entry the user wrote and the role keeps: said, not refused
                (warnings if path[0] == "inferenceProfiles" and path[1] in kept else errors).append(
                    f"endpoints.bedrock uses ${{{name}}} but .env does not give {name} a value: LibreChat would send "
                    f"the text '${{{name}}}' to Bedrock; map the model to a profile ARN (librechat_bedrock_models) "
                    "or set the variable"
                )
    for model_id, reference in profiles.items():
        arn = VARIABLE.sub(lambda m: env.get(m.group(1)) or m.group(0), str(reference))
        if VARIABLE.search(arn):
            continue
        parsed = parse_profile_arn(arn)
        found = warnings if model_id in kept else errors  # the user's own entry: said, not refused
        if not parsed or parsed["kind"] != "application-inference-profile":
            found.append(
                f"the profile of {model_id!r} is {arn!r}, which is not an application inference profile ARN "
                "(arn:aws:bedrock:<region>:<account>:application-inference-profile/<id>): give the ARN the "
                "inference_profiles role published, or the profile_arn of an existing profile"
            )
        elif region and parsed["region"] != region:
            found.append(
                f"the profile of {model_id!r} ({arn}) is in {parsed['region']}, but librechat_bedrock_region is "
                f"{region}: LibreChat would answer 'Profile not found'; use a profile in {region}"
            )
    mapped_regions = {region} if profiles and region else set()
    for name in bedrock.get("availableRegions") or []:
        if name not in mapped_regions:
            # packages/api/src/endpoints/bedrock/initialize.ts: the request goes to the region the user picked,
            # with the one mapped ARN; an application profile exists only in its own region.
            warnings.append(
                f"endpoints.bedrock.availableRegions lists {name}, where no mapped profile exists: a user who picks "
                f"{name} gets an error for every model with a profile, because LibreChat sends the {region} profile "
                f"ARN to {name} (reported answer: ValidationException 'The provided model identifier is invalid'; "
                "not verified against AWS here). Drop the region, or set librechat_config_strict_regions: true to "
                "refuse it"
            )
    return errors, warnings
