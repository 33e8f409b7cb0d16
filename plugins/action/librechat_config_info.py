# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of librechat.bedrock.librechat_config_info: read librechat.yaml and .env from the host and
report what LibreChat will do with Bedrock, without returning any secret value."""

import yaml

from ansible_collections.librechat.bedrock.plugins.action.librechat_config import ActionModule as ConfigAction
from ansible_collections.librechat.bedrock.plugins.plugin_utils import dotenv_file, librechat_checks, librechat_yaml

ARGUMENT_SPEC = dict(
    config_path=dict(type="path", required=True),
    env_path=dict(type="path", required=True),
    region=dict(type="str"),
)
AUTH_ORDER = (
    ("bearer", ("BEDROCK_AWS_BEARER_TOKEN",)),
    ("static", ("BEDROCK_AWS_ACCESS_KEY_ID", "BEDROCK_AWS_SECRET_ACCESS_KEY")),
    ("profile", ("BEDROCK_AWS_PROFILE",)),
)


def auth_method(env):
    """The credentials LibreChat picks, in its order of precedence."""
    for name, keys in AUTH_ORDER:
        if all(env.get(key) for key in keys):
            return name
    return "default_chain"


class ActionModule(ConfigAction):
    TRANSFERS_FILES = False
    _requires_connection = True
    argument_spec = ARGUMENT_SPEC

    def _run(self, args, task_vars, result):
        config_stat, env_stat = {}, {}
        config = self._read(args["config_path"], task_vars, config_stat)
        env_text = self._read(args["env_path"], task_vars, env_stat)
        env = dotenv_file.parse(env_text or "")
        file_errors = []
        bedrock = {}
        if config is None:
            file_errors.append(f"{args['config_path']} does not exist: run the librechat_config role")
        else:
            try:
                bedrock = librechat_yaml.current_bedrock(config)
                file_errors.extend(librechat_checks.schema_errors(yaml.safe_load(config)))
            except (librechat_yaml.ConfigError, yaml.YAMLError) as e:
                file_errors.append(str(e))
        mapping, warnings = librechat_checks.mapping_errors(bedrock, env, args["region"])
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
            endpoints_lists_bedrock=endpoints is None or "bedrock" in [e.strip() for e in endpoints.split(",")],
            file_errors=file_errors,
            errors=file_errors + mapping,
            warnings=warnings,
        )
        return result
