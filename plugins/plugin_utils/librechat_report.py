# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What LibreChat will do with Bedrock, from a host's librechat.yaml and .env as read: the report of
librechat.bedrock.librechat_config_info, which librechat.bedrock.librechat_config also returns (as `current`)
for the files it read, so that a caller holding that reading need not read the files again. No secret value
is in it: only variable names, the region and profile ARNs."""

from ansible_collections.librechat.bedrock.plugins.plugin_utils import (
    config_schema,
    dotenv_file,
    librechat_checks,
)


def report(paths, texts, stats, region, process_environment, librechat_version):
    """`paths`, `texts` and `stats` are (librechat.yaml, .env) each: a text is None for a missing file, a stat
    is librechat_files_info's entry. ValueError when `librechat_version` is unreadable."""
    config_path, env_path = paths
    config, env_text = texts
    version = librechat_checks.parse_version(librechat_version)
    file_env = dotenv_file.parse(env_text or "")
    env = dict(file_env)
    env.update({key: "" if value is None else str(value) for key, value in process_environment.items()})
    file_errors = []
    bedrock = {}
    if config is None:
        file_errors.append(f"{config_path} does not exist: run the librechat_config role")
    else:
        # The whole file, as LibreChat judges it: js-yaml, then configSchema.strict().
        verdict = config_schema.judge(config, config_path)
        file_errors.extend(verdict.errors)
        # The section as LibreChat's js-yaml built it (aliases and merge keys resolved): a shape the
        # librechat_config module refuses to rewrite (bedrock: *alias) is still one LibreChat reads.
        endpoints = verdict.data.get("endpoints") if isinstance(verdict.data, dict) else None
        bedrock = endpoints.get("bedrock") if isinstance(endpoints, dict) else None
    bedrock = bedrock if isinstance(bedrock, dict) else {}
    mapping, warnings = librechat_checks.mapping_errors(bedrock, env, region, version=version)
    # A ${VAR} LibreChat sends literally, and credentials it cannot use, are problems of the files as they are.
    literal, _user = librechat_checks.literal_variables(bedrock, set(bedrock), version)
    credentials, credential_warnings = librechat_checks.credential_problems(env, file_env)
    mapping += literal + credentials
    warnings += credential_warnings + librechat_checks.env_models_warning(bedrock, env)
    profiles = bedrock.get("inferenceProfiles") or {}
    variables = sorted({name for text in profiles.values() for name in librechat_checks.VARIABLE.findall(str(text))})
    endpoints = env.get("ENDPOINTS")
    return dict(
        config_path=config_path,
        env_path=env_path,
        config_exists=config is not None,
        env_exists=env_text is not None,
        config_mtime=stats[0].get("mtime"),
        env_mtime=stats[1].get("mtime"),
        bedrock=bedrock,
        models=list(bedrock.get("models") or []),
        inference_profiles=dict(profiles),
        profile_arns={
            model: librechat_checks.VARIABLE.sub(lambda m: env.get(m.group(1)) or m.group(0), str(ref))
            for model, ref in profiles.items()
        },
        unset_variables=[name for name in variables if not env.get(name)],
        region=env.get("BEDROCK_AWS_DEFAULT_REGION"),
        # The credentials LibreChat picks, in its order (packages/api/src/endpoints/bedrock/credentials.ts).
        auth=librechat_checks.auth_method(env),
        # Empty or unset ENDPOINTS means every endpoint (LibreChat applies it only when non-empty).
        endpoints_lists_bedrock=not (endpoints or "").strip() or "bedrock" in [e.strip() for e in endpoints.split(",")],
        literal_variables=literal,
        file_errors=file_errors,
        errors=file_errors + mapping,
        warnings=warnings,
    )
