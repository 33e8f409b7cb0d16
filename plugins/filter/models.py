# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters over `librechat_bedrock_models`, shared by every role of the collection (the rules live in
plugin_utils/models.py and module_utils/rules.py; bedrock_yaml writes a section as plugin_utils/librechat_yaml.py
does)."""

from ansible_collections.librechat.bedrock.plugins.module_utils.rules import managed_tags
from ansible_collections.librechat.bedrock.plugins.plugin_utils.librechat_yaml import merge
from ansible_collections.librechat.bedrock.plugins.plugin_utils.models import (
    bedrock_section,
    env_var_name,
    model_errors,
    normalize_models,
    profile_arns,
    profile_env,
    profile_name,
    profile_specs,
    region_error,
)


def bedrock_yaml(section, version):
    """A whole librechat.yaml holding `version` and `endpoints.bedrock` = `section`, exactly as the
    librechat_config module writes a new file in merge mode: template mode renders the section the same way."""
    return merge(None, section, str(version))


class FilterModule:
    def filters(self):
        return {
            "profile_name": profile_name,
            "env_var_name": env_var_name,
            "normalize_models": normalize_models,
            "model_errors": model_errors,
            "profile_specs": profile_specs,
            "profile_arns": profile_arns,
            "region_error": region_error,
            "bedrock_section": bedrock_section,
            "bedrock_yaml": bedrock_yaml,
            "managed_tags": managed_tags,
            "profile_env": profile_env,
        }
