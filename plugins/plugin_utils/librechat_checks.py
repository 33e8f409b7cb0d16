# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What LibreChat would reject or misread in a merged librechat.yaml and .env, checked before anything is
written: the LibreChat guide's troubleshooting table and debugging checklist, and the schema rules of the
part the collection writes (librechat-data-provider's `configSchema` for `endpoints.bedrock` and `version`).
"""

import re

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import parse_profile_arn

VARIABLE = re.compile(r"\$\{([^}]*)\}")
GUARDRAIL_TRACE = ("enabled", "disabled", "enabled_full")
GUARDRAIL_MODES = ("sync", "async")
STRING_KEYS = ("titleModel", "titleMethod", "titlePrompt", "titlePromptTemplate", "titleEndpoint", "summaryModel")
BOOL_KEYS = ("titleConvo", "summarize")
NUMBER_KEYS = ("streamRate",)
_FIX = "fix {key} in librechat_config_bedrock_settings (the module's bedrock option)"


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def schema_errors(data):
    """Where the merged file breaks LibreChat's schema in what the collection touches."""
    errors = []
    if not isinstance(data, dict):
        return ["librechat.yaml must be a mapping at the top level"]
    version = data.get("version")
    if version is not None and not isinstance(version, str):
        errors.append(
            f"version: {version!r} is a {type(version).__name__}, and LibreChat accepts only a string (it exits at "
            f'start): quote it, version: "{version}"'
        )
    bedrock = (data.get("endpoints") or {}).get("bedrock") or {}
    where = "endpoints.bedrock"
    for key in ("models", "availableRegions"):
        value = bedrock.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            errors.append(f"{where}.{key} must be a list of strings, got {value!r}")
    profiles = bedrock.get("inferenceProfiles")
    if profiles is not None and (
        not isinstance(profiles, dict) or not all(isinstance(v, str) for v in list(profiles) + list(profiles.values()))
    ):
        errors.append(f"{where}.inferenceProfiles must map model ID strings to ARN strings, got {profiles!r}")
    guardrail = bedrock.get("guardrailConfig")
    if guardrail is not None:
        if not isinstance(guardrail, dict):
            errors.append(f"{where}.guardrailConfig must be a mapping, got {guardrail!r}")
        else:
            for key in ("guardrailIdentifier", "guardrailVersion"):
                if not isinstance(guardrail.get(key), str):
                    errors.append(
                        f"{where}.guardrailConfig.{key} is required and must be a string, got {guardrail.get(key)!r}"
                    )
            if guardrail.get("trace") is not None and guardrail["trace"] not in GUARDRAIL_TRACE:
                errors.append(
                    f"{where}.guardrailConfig.trace={guardrail['trace']!r}: use one of {', '.join(GUARDRAIL_TRACE)}"
                )
            mode = guardrail.get("streamProcessingMode")
            if mode is not None and mode not in GUARDRAIL_MODES:
                errors.append(
                    f"{where}.guardrailConfig.streamProcessingMode={mode!r}: use one of {', '.join(GUARDRAIL_MODES)}"
                )
    for key in STRING_KEYS:
        if bedrock.get(key) is not None and not isinstance(bedrock[key], str):
            errors.append(f"{where}.{key} must be a string, got {bedrock[key]!r}: {_FIX.format(key=key)}")
    for key in BOOL_KEYS:
        if bedrock.get(key) is not None and not isinstance(bedrock[key], bool):
            errors.append(f"{where}.{key} must be true or false, got {bedrock[key]!r}: {_FIX.format(key=key)}")
    for key in NUMBER_KEYS:
        value = bedrock.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            errors.append(f"{where}.{key} must be a number, got {value!r}: {_FIX.format(key=key)}")
    return errors


def mapping_errors(bedrock, env, region):
    """The guide's checklist over the merged section and .env. Returns (errors, warnings)."""
    errors = []
    warnings = []
    models = bedrock.get("models") or []
    profiles = bedrock.get("inferenceProfiles") or {}
    for model_id in profiles:
        if model_id not in models:
            near = [m for m in models if m.lower() == str(model_id).lower()]
            hint = f" (models has {near[0]!r}: the match is exact, case included)" if near else ""
            errors.append(
                f"endpoints.bedrock.inferenceProfiles key {model_id!r} is not in endpoints.bedrock.models{hint}: "
                "LibreChat maps only model IDs it lists; add it to librechat_bedrock_models or fix the ID"
            )
    for text in _strings(bedrock):
        for name in VARIABLE.findall(text):
            if not env.get(name):
                errors.append(
                    f"endpoints.bedrock uses ${{{name}}} but .env does not give {name} a value: LibreChat would send "
                    f"the text '${{{name}}}' to Bedrock; map the model to a profile ARN (librechat_bedrock_models) "
                    "or set the variable"
                )
    for model_id, reference in profiles.items():
        arn = VARIABLE.sub(lambda m: env.get(m.group(1)) or m.group(0), str(reference))
        if VARIABLE.search(arn):
            continue
        parsed = parse_profile_arn(arn)
        if not parsed or parsed["kind"] != "application-inference-profile":
            errors.append(
                f"the profile of {model_id!r} is {arn!r}, which is not an application inference profile ARN "
                "(arn:aws:bedrock:<region>:<account>:application-inference-profile/<id>): give the ARN the "
                "inference_profiles role published, or the profile_arn of an existing profile"
            )
        elif region and parsed["region"] != region:
            errors.append(
                f"the profile of {model_id!r} ({arn}) is in {parsed['region']}, but librechat_bedrock_region is "
                f"{region}: LibreChat would answer 'Profile not found'; use a profile in {region}"
            )
    mapped_regions = {region} if profiles and region else set()
    for name in bedrock.get("availableRegions") or []:
        if name not in mapped_regions:
            warnings.append(
                f"endpoints.bedrock.availableRegions lists {name}, where no mapped profile exists: a user who picks "
                f"{name} gets the models without their profiles (the profiles are in {region})"
            )
    return errors, warnings
