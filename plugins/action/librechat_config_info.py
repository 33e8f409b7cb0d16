# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of librechat.bedrock.librechat_config_info: read librechat.yaml and .env from the host and
report what LibreChat will do with Bedrock, without returning any secret value."""

from ansible.errors import AnsibleActionFail

from ansible_collections.librechat.bedrock.plugins.plugin_utils import (
    config_schema,
    dotenv_file,
    librechat_checks,
)
from ansible_collections.librechat.bedrock.plugins.plugin_utils.librechat_action import LibreChatAction

ARGUMENT_SPEC = dict(
    config_path=dict(type="path", required=True),
    env_path=dict(type="path", required=True),
    region=dict(type="str"),
    # dotenv never overrides the process environment: these values are the ones LibreChat uses.
    process_environment=dict(type="dict", default={}, no_log=True),
    # The LibreChat version that reads the files (empty: the one the bundled schema comes from).
    librechat_version=dict(type="str"),
)
# The credentials LibreChat picks, in its order (packages/api/src/endpoints/bedrock/credentials.ts).
auth_method = librechat_checks.auth_method


class ActionModule(LibreChatAction):
    TRANSFERS_FILES = False
    argument_spec = ARGUMENT_SPEC

    def _run(self, args, task_vars, result):
        config_stat, env_stat = {}, {}
        config = self._read(args["config_path"], task_vars, config_stat)
        env_text = self._read(args["env_path"], task_vars, env_stat)
        file_env = dotenv_file.parse(env_text or "")
        env = dict(file_env)
        env.update({key: "" if value is None else str(value) for key, value in args["process_environment"].items()})
        try:
            version = librechat_checks.parse_version(args.get("librechat_version"))
        except ValueError as e:
            raise AnsibleActionFail(str(e)) from None
        file_errors = []
        bedrock = {}
        if config is None:
            file_errors.append(f"{args['config_path']} does not exist: run the librechat_config role")
        else:
            # The whole file, as LibreChat judges it: js-yaml, then configSchema.strict().
            verdict = config_schema.judge(config, args["config_path"])
            file_errors.extend(verdict.errors)
            # The section as LibreChat's js-yaml built it (aliases and merge keys resolved): a shape the
            # librechat_config module refuses to rewrite (bedrock: *alias) is still one LibreChat reads.
            endpoints = verdict.data.get("endpoints") if isinstance(verdict.data, dict) else None
            bedrock = endpoints.get("bedrock") if isinstance(endpoints, dict) else None
        bedrock = bedrock if isinstance(bedrock, dict) else {}
        mapping, warnings = librechat_checks.mapping_errors(bedrock, env, args["region"], version=version)
        # A ${VAR} LibreChat sends literally, and credentials it cannot use, are problems of the files as they are.
        literal, _user = librechat_checks.literal_variables(bedrock, set(bedrock), version)
        credentials, credential_warnings = librechat_checks.credential_problems(env, file_env)
        mapping += literal + credentials
        warnings += credential_warnings + librechat_checks.env_models_warning(bedrock, env)
        profiles = bedrock.get("inferenceProfiles") or {}
        variables = sorted(
            {name for text in profiles.values() for name in librechat_checks.VARIABLE.findall(str(text))}
        )
        endpoints = env.get("ENDPOINTS")
        result.update(
            changed=False,
            config_path=args["config_path"],
            env_path=args["env_path"],
            config_exists=config is not None,
            env_exists=env_text is not None,
            config_mtime=config_stat.get("mtime"),
            env_mtime=env_stat.get("mtime"),
            bedrock=bedrock,
            models=list(bedrock.get("models") or []),
            inference_profiles=dict(profiles),
            profile_arns={
                model: librechat_checks.VARIABLE.sub(lambda m: env.get(m.group(1)) or m.group(0), str(ref))
                for model, ref in profiles.items()
            },
            unset_variables=[name for name in variables if not env.get(name)],
            region=env.get("BEDROCK_AWS_DEFAULT_REGION"),
            auth=auth_method(env),
            # Empty or unset ENDPOINTS means every endpoint (LibreChat applies it only when non-empty).
            endpoints_lists_bedrock=not (endpoints or "").strip()
            or "bedrock" in [e.strip() for e in endpoints.split(",")],
            literal_variables=literal,
            file_errors=file_errors,
            errors=file_errors + mapping,
            warnings=warnings,
        )
        return result
